package experiment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

func TestVerify(t *testing.T) {
	ref := Reference{Digest: DigestOf([]uint64{2, 3, 5}), Source: SourceOracle}
	check := func(name string, tr Trial, wantOK bool, wantMsg string) {
		t.Helper()
		Verify(&tr, ref, 10)
		if tr.OK != wantOK || !strings.Contains(tr.Mismatch, wantMsg) || (wantOK && tr.Mismatch != "") {
			t.Errorf("%s: OK %v, Mismatch %q; want %v, %q", name, tr.OK, tr.Mismatch, wantOK, wantMsg)
		}
	}
	workers := []WorkerStat{{Items: 4}, {Items: 6}}
	check("Correct", Trial{Digest: ref.Digest, Workers: workers}, true, "")
	check("WrongHits", Trial{Digest: DigestOf([]uint64{2, 3}), Workers: workers}, false, "found 2 hits")
	check("SkippedNumbers", Trial{Digest: ref.Digest, Workers: []WorkerStat{{Items: 4}, {Items: 5}}}, false,
		"workers tested 9 numbers but the range has 10")
	check("DuplicatedNumbers", Trial{Digest: ref.Digest, Workers: []WorkerStat{{Items: 6}, {Items: 6}}}, false,
		"workers tested 12 numbers")
}

func TestRunnerRunMismatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(r *Reference)
		want   string // Mismatch
	}{
		{"ErrChecksum", func(r *Reference) { r.Checksum = strings.Repeat("0", 64) },
			"but the oracle reference has 5 (checksum 000000000000)"},
		{"ErrHits", func(r *Reference) { r.Hits = 6 },
			"but the oracle reference has 6 (checksum "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := runnerPlan(t)
			refs := runnerRefs(t, p)
			ref := refs[runnerRange]
			good := ref.Digest
			tt.tamper(&ref)
			refs[runnerRange] = ref
			var trials []Trial
			sum, err := (&Runner{References: refs}).Run(context.Background(), p, p.Steps, func(tr Trial) error {
				trials = append(trials, tr)
				return nil
			})
			if err != nil {
				t.Fatalf("Run = %v; a mismatch must not stop the run", err)
			}
			if sum.Trials != len(p.Steps) || sum.Failed != len(p.Steps) {
				t.Errorf("Summary %+v, want all %d trials failed", sum, len(p.Steps))
			}
			prefix := fmt.Sprintf("found 5 hits (checksum %.12s) ", good.Checksum)
			for i, tr := range trials {
				if tr.OK || tr.Digest != good || !strings.HasPrefix(tr.Mismatch, prefix) || !strings.Contains(tr.Mismatch, tt.want) {
					t.Errorf("trial %d: OK %v, digest %+v, Mismatch %q", i, tr.OK, tr.Digest, tr.Mismatch)
				}
			}
		})
	}
}

func TestRunnerRunFirstTrialReference(t *testing.T) {
	t.Parallel()
	t.Run("AllAgree", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		var trials []Trial
		sum, err := (&Runner{}).Run(context.Background(), p, p.Steps, func(tr Trial) error {
			trials = append(trials, tr)
			return nil
		})
		if err != nil || sum.Failed != 0 {
			t.Fatalf("Run = %+v, %v", sum, err)
		}
		for i, tr := range trials {
			if !tr.OK || tr.Hits != 5 {
				t.Errorf("trial %d: %+v", i, tr)
			}
		}
	})
	t.Run("ErrLaterTrialsDisagree", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		// A kernel without an oracle whose answer changes after the first
		// trial: it reports only the range's first number, and only while
		// the first trial's calls last.
		var calls atomic.Uint64
		k := funcKernel{"flaky", func(x uint64) bool {
			return calls.Add(1) <= runnerRange.Count && x == runnerRange.Start
		}}
		refs, err := references(context.Background(), k, p.Config.Ranges)
		if err != nil || refs == nil || len(refs) != 0 {
			t.Fatalf("references(no oracle) = %+v, %v; want an empty map", refs, err)
		}
		var trials []Trial
		sum, err := (&Runner{Kernel: k, References: refs}).Run(context.Background(), p, p.Steps, func(tr Trial) error {
			trials = append(trials, tr)
			return nil
		})
		if err != nil || sum.Trials != 18 || sum.Failed != 17 {
			t.Fatalf("Run = %+v, %v; want 17 of 18 failed", sum, err)
		}
		first := DigestOf([]uint64{runnerRange.Start})
		if !trials[0].OK || trials[0].Digest != first {
			t.Errorf("first trial %+v, want OK with digest %+v", trials[0], first)
		}
		want := fmt.Sprintf("found 0 hits (checksum e3b0c44298fc) but the first-trial reference has 1 (checksum %.12s)", first.Checksum)
		for i, tr := range trials[1:] {
			if tr.OK || tr.Mismatch != want {
				t.Errorf("trial %d: OK %v, Mismatch %q; want %q", i+1, tr.OK, tr.Mismatch, want)
			}
		}
	})
}

// TestRunnerKernelWithoutOracle registers a kernel for the length of the test
// (so it is not parallel: Kernels is global) and runs a plan parsed from a
// file that names it.
func TestRunnerKernelWithoutOracle(t *testing.T) {
	k := funcKernel{"test-multiples-of-7", func(x uint64) bool { return x%7 == 0 }}
	Kernels[k.name] = func(*Config) Kernel { return k }
	t.Cleanup(func() { delete(Kernels, k.name) })

	c, err := Parse("k.yaml", []byte("name: k\nkernel: test-multiples-of-7\nranges: [{start: 0, count: 700}, {start: 7000, count: 70}]\nworkers: [1, 3]\nschedules: [static, chunked]\nrepeats: 1\nwarmup: 0\n"))
	if err != nil {
		t.Fatalf("Parse with a registered test kernel: %v", err)
	}
	if !slices.Contains(KernelNames(), k.name) {
		t.Errorf("KernelNames() = %v, missing %s", KernelNames(), k.name)
	}
	p := NewPlan(c, 1)
	refs, err := references(context.Background(), c.NewKernel(), p.Ranges())
	if err != nil || len(refs) != 0 {
		t.Fatalf("References = %+v, %v; want none", refs, err)
	}
	var trials []Trial
	sum, err := (&Runner{References: refs}).Run(context.Background(), p, p.Steps, func(tr Trial) error {
		trials = append(trials, tr)
		return nil
	})
	if err != nil || sum != (Summary{Trials: 8}) {
		t.Fatalf("Run = %+v, %v; want 8 trials, none failed", sum, err)
	}
	for _, tr := range trials {
		want := uint64(100)
		if p.Cells[tr.Cell].RangeIndex == 1 {
			want = 10
		}
		if !tr.OK || tr.Hits != want {
			t.Errorf("trial %+v: OK %v, %d hits, want %d", tr.Step, tr.OK, tr.Hits, want)
		}
	}
}
