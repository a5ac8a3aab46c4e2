package experiment

import "fmt"

// check sets t.OK and t.Mismatch from the reference of the range r it
// tested, and bad, the kernel's own check. Without a reference, the
// first complete, correct trial of r becomes it (refs is updated).
func (rn *Runner) check(t *Trial, bad error, r Range, refs map[Range]Reference) {
	ref := refs[r]
	if ref.Source == "" {
		// Without an oracle the first complete trial is the reference.
		if Verify(t, Reference{Digest: t.Digest}, r.Count); t.OK && bad == nil {
			ref = Reference{Digest: t.Digest, Source: SourceFirstTrial}
			refs[r] = ref
		}
	}
	if ref.Source != "" {
		Verify(t, ref, r.Count)
	}
	if t.OK && bad != nil {
		t.OK, t.Mismatch = false, bad.Error()
	}
}

// Verify sets t.OK and t.Mismatch: a trial is correct when its workers
// tested every number of the range exactly once in total (count) and its
// hits and checksum equal the reference's.
func Verify(t *Trial, ref Reference, count uint64) {
	var items uint64
	for _, w := range t.Workers {
		items += w.Items
	}
	switch {
	case items != count:
		t.OK, t.Mismatch = false, fmt.Sprintf("workers tested %d numbers but the range has %d", items, count)
	case t.Digest != ref.Digest:
		t.OK, t.Mismatch = false, fmt.Sprintf("found %d hits (checksum %.12s) but the %s reference has %d (checksum %.12s)",
			t.Hits, t.Checksum, ref.Source, ref.Hits, ref.Checksum)
	default:
		t.OK, t.Mismatch = true, ""
	}
}
