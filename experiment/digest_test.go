package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// sha256Hex hashes xs in the given order, 8 bytes big-endian each.
func sha256Hex(xs ...uint64) string {
	var b []byte
	for _, x := range xs {
		b = binary.BigEndian.AppendUint64(b, x)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestDigestOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		hits []uint64
		want Digest
	}{
		{"Empty", nil, Digest{0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{"One", []uint64{2}, Digest{1, sha256Hex(2)}},
		{"Sorted", []uint64{2, 3, 5, 7}, Digest{4, sha256Hex(2, 3, 5, 7)}},
		{"Unsorted", []uint64{7, 2, 5, 3}, Digest{4, sha256Hex(2, 3, 5, 7)}},
		{"Extremes", []uint64{1<<64 - 1, 0, 1 << 63}, Digest{3, sha256Hex(0, 1<<63, 1<<64-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := slices.Clone(tt.hits)
			if got := DigestOf(hits); got != tt.want {
				t.Errorf("DigestOf(%v) = %+v, want %+v", tt.hits, got, tt.want)
			}
			if !slices.IsSorted(hits) {
				t.Errorf("DigestOf left its argument unsorted: %v", hits)
			}
		})
	}
	t.Run("OrderIndependent", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		hits := make([]uint64, 1000)
		for i := range hits {
			hits[i] = rng.Uint64()
		}
		want := DigestOf(slices.Clone(hits))
		for range 20 {
			rng.Shuffle(len(hits), func(i, j int) { hits[i], hits[j] = hits[j], hits[i] })
			if got := DigestOf(slices.Clone(hits)); got != want {
				t.Fatalf("shuffled digest %+v, want %+v", got, want)
			}
		}
	})
	t.Run("DifferentSetsDiffer", func(t *testing.T) {
		sets := [][]uint64{nil, {0}, {1}, {2, 3}, {3, 2, 5}, {2, 3, 5, 5}, {1 << 8}, {1 << 56}}
		seen := map[Digest]int{}
		for i, s := range sets {
			d := DigestOf(slices.Clone(s))
			if j, dup := seen[d]; dup {
				t.Errorf("sets %v and %v share digest %+v", sets[j], s, d)
			}
			seen[d] = i
		}
	})
}

func TestOracleDigest(t *testing.T) {
	t.Parallel()
	t.Run("Primes", func(t *testing.T) {
		d, ok, err := oracleDigestStop(Primes{}, Range{0, 30}, nil)
		want := Digest{10, sha256Hex(2, 3, 5, 7, 11, 13, 17, 19, 23, 29)}
		if d != want || !ok || err != nil {
			t.Errorf("oracleDigestStop([0,30)) = %+v, %v, %v; want %+v", d, ok, err, want)
		}
	})
	t.Run("NoOracle", func(t *testing.T) {
		k := funcKernel{"all", func(uint64) bool { return true }}
		d, ok, err := oracleDigestStop(k, Range{0, 30}, nil)
		if d != (Digest{}) || ok || err != nil {
			t.Errorf("oracleDigestStop(no oracle) = %+v, %v, %v; want zero, false, nil", d, ok, err)
		}
	})
	t.Run("ErrInterrupted", func(t *testing.T) {
		calls := 0
		stop := func() bool { calls++; return calls > 2 }
		d, ok, err := oracleDigestStop(Primes{}, Range{0, 1 << 20}, stop)
		if !errors.Is(err, ErrInterrupted) || !ok || d != (Digest{}) {
			t.Errorf("oracleDigestStop(stopped) = %+v, %v, %v; want ErrInterrupted", d, ok, err)
		}
		if calls != 3 {
			t.Errorf("stop called %d times, want 3 (once per 1024 numbers)", calls)
		}
	})
	t.Run("StopNeverTrue", func(t *testing.T) {
		d, _, err := oracleDigestStop(Primes{}, Range{0, 5000}, func() bool { return false })
		if err != nil || d.Hits != 669 {
			t.Errorf("oracleDigestStop([0,5000)) = %+v, %v; want 669 hits", d, err)
		}
	})
}

func BenchmarkDigestOf(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	hits := make([]uint64, 10_000)
	for i := range hits {
		hits[i] = rng.Uint64()
	}
	buf := make([]uint64, len(hits))
	for b.Loop() {
		copy(buf, hits)
		DigestOf(buf)
	}
}

// oracleDigestStop is oracleDigestAt stopping early when stop, if not nil,
// reports true.
func oracleDigestStop(k Kernel, r Range, stop func() bool) (Digest, bool, error) {
	return oracleDigestAt(k, r, func(uint64) bool { return stop != nil && stop() })
}

// references is ReferencesProgress without progress.
func references(ctx context.Context, k Kernel, ranges []Range) (map[Range]Reference, error) {
	return ReferencesProgress(ctx, k, ranges, nil)
}
