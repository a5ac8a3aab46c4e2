package experiment

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// seedRange is the range of the seed program, [10^13, 10^13+1000), which
// holds 34 primes.
var seedRange = Range{Start: 10_000_000_000_000, Count: 1000}

// isPrimeOracle is math/big's Baillie-PSW test, exact below 2^64.
func isPrimeOracle(x uint64) bool { return new(big.Int).SetUint64(x).ProbablyPrime(0) }

// checkISqrt fails unless r = ISqrt(x) satisfies r*r <= x < (r+1)*(r+1),
// computed on 128 bits so that no product overflows.
func checkISqrt(tb testing.TB, x uint64) {
	tb.Helper()
	r := ISqrt(x)
	if hi, lo := bits.Mul64(r, r); hi != 0 || lo > x {
		tb.Fatalf("ISqrt(%d) = %d: r*r > x", x, r)
	}
	if r == math.MaxUint32 {
		return // (r+1)^2 = 2^64 > every uint64
	}
	if hi, lo := bits.Mul64(r+1, r+1); hi == 0 && lo <= x {
		tb.Fatalf("ISqrt(%d) = %d: (r+1)*(r+1) <= x", x, r)
	}
}

func TestISqrt(t *testing.T) {
	t.Parallel()
	const k = math.MaxUint32 // 4294967295, the largest k with k*k < 2^64
	tests := []struct{ x, want uint64 }{
		{0, 0}, {1, 1}, {2, 1}, {3, 1}, {4, 2}, {5, 2}, {8, 2}, {9, 3}, {10, 3},
		{15, 3}, {16, 4}, {24, 4}, {25, 5}, {99, 9}, {100, 10}, {101, 10},
		{1 << 32, 1 << 16}, {1<<32 - 1, 1<<16 - 1}, {1<<32 + 1, 1 << 16},
		{1 << 62, 1 << 31}, {1<<62 - 1, 1<<31 - 1},
		{1 << 63, 3037000499}, {math.MaxInt64, 3037000499},
		{3037000499 * 3037000499, 3037000499}, {3037000499*3037000499 - 1, 3037000498},
		{(k - 1) * (k - 1), k - 1}, {(k-1)*(k-1) - 1, k - 2}, {(k-1)*(k-1) + 1, k - 1},
		{k * k, k}, // 18446744065119617025
		{k*k - 1, k - 1}, {k*k + 1, k},
		{4294967291 * 4294967291, 4294967291}, {4294967291*4294967291 - 1, 4294967290},
		{math.MaxUint64 - 1, k}, {math.MaxUint64, k},
	}
	for _, tt := range tests {
		if got := ISqrt(tt.x); got != tt.want {
			t.Errorf("ISqrt(%d) = %d, want %d", tt.x, got, tt.want)
		}
		checkISqrt(t, tt.x)
	}
	if k*k != 18446744065119617025 {
		t.Fatalf("test constant: %d*%d = %d", uint64(k), uint64(k), uint64(k*k))
	}

	t.Run("AroundEverySquareNear2^32", func(t *testing.T) {
		for r := uint64(k - 1000); r <= k; r++ {
			sq := r * r
			for _, x := range []uint64{sq - 1, sq, sq + 1} {
				checkISqrt(t, x)
			}
			if got := ISqrt(sq); got != r {
				t.Fatalf("ISqrt(%d^2) = %d", r, got)
			}
		}
	})
	t.Run("Random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for range 200_000 {
			x := rng.Uint64()
			checkISqrt(t, x)                     // uniform: mostly near 2^64
			checkISqrt(t, x>>rng.UintN(64))      // every magnitude
			r := rng.Uint64N(math.MaxUint32) + 1 // r*r fits for r <= 2^32-1
			checkISqrt(t, r*r-1)
			checkISqrt(t, r*r)
		}
	})
	t.Run("Small", func(t *testing.T) {
		for x := range uint64(1 << 20) {
			checkISqrt(t, x)
		}
	})
}

func TestIsPrime(t *testing.T) {
	t.Parallel()
	// window checks IsPrime against the oracle on [lo, lo+n) and returns the
	// primes found.
	window := func(t *testing.T, lo, n uint64) []uint64 {
		t.Helper()
		var primes []uint64
		for i := range n {
			x := lo + i
			got, want := IsPrime(x), isPrimeOracle(x)
			if got != want {
				t.Errorf("IsPrime(%d) = %v, oracle says %v", x, got, want)
			}
			if got {
				primes = append(primes, x)
			}
		}
		return primes
	}
	windows := []struct {
		name      string
		lo, n     uint64
		primes    int
		includes  uint64 // a prime the window must report, if nonzero
		expensive bool   // skipped with -short
	}{
		{"Below100", 0, 100, 25, 97, false},
		{"Below100000", 0, 100_000, 9592, 99991, false},
		{"SeedRange", seedRange.Start, seedRange.Count, 34, 10_000_000_000_037, false},
		{"Across2^32", 1<<32 - 1000, 2000, 92, 1<<32 + 15, false},
		{"BelowMaxUint32", math.MaxUint32 - 100, 101, 4, 4294967291, false},
		// The top of what a config may ask for: 2^63-165 and 2^63-25 (the
		// largest prime below 2^63) are the two primes of [2^63-201, 2^63-1];
		// each costs about 1.5e9 divisions.
		{"Below2^63", math.MaxInt64 - 200, 201, 2, 1<<63 - 25, true},
	}
	for _, w := range windows {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			if w.expensive && testing.Short() {
				t.Skip("about 6 s of trial division; skipped with -short")
			}
			got := window(t, w.lo, w.n)
			if len(got) != w.primes {
				t.Errorf("[%d, %d+%d) holds %d primes, want %d", w.lo, w.lo, w.n, len(got), w.primes)
			}
			if w.includes != 0 && !slices.Contains(got, w.includes) {
				t.Errorf("[%d, %d+%d): %d not reported prime", w.lo, w.lo, w.n, w.includes)
			}
		})
	}

	// Single values: the 32/64-bit switch, squares of primes (rejected
	// only by the last divisor tried), and the top of uint64.
	values := []struct {
		x         uint64
		want      bool
		expensive bool // seconds of trial division, skipped with -short
	}{
		{0, false, false}, {1, false, false}, {2, true, false}, {3, true, false}, {4, false, false},
		{9, false, false}, {25, false, false}, {49, false, false},
		{65521 * 65521, false, false},          // largest 16-bit prime squared, 32-bit path
		{65537 * 65537, false, false},          // just past 2^32, 64-bit path
		{math.MaxUint32, false, false},         // 3 * 5 * 17 * 257 * 65537
		{4294967291, true, false},              // largest 32-bit prime
		{1 << 32, false, false},                //
		{1<<32 + 15, true, false},              // smallest prime past 2^32
		{math.MaxInt64, false, false},          // 7^2 * 73 * 127 * 337 * 92737 * 649657
		{1 << 63, false, false},                //
		{math.MaxUint64, false, false},         // 3 * 5 * 17 * 257 * 641 * 65537 * 6700417
		{math.MaxUint64 - 1, false, false},     // even
		{1<<64 - 3, false, false},              // 5 * 1229 * ...
		{1<<64 - 59, true, true},               // largest prime below 2^64
		{4294967291 * 4294967291, false, true}, // 18446744030759878681: only the last divisor divides it
	}
	for _, v := range values {
		name := "Composite"
		if v.want {
			name = "Prime"
		}
		t.Run(fmt.Sprintf("%s/%d", name, v.x), func(t *testing.T) {
			t.Parallel()
			if v.expensive && testing.Short() {
				t.Skip("seconds of trial division; skipped with -short")
			}
			if got := IsPrime(v.x); got != v.want {
				t.Errorf("IsPrime(%d) = %v, want %v", v.x, got, v.want)
			}
			if oracle := isPrimeOracle(v.x); oracle != v.want {
				t.Errorf("test table: oracle says IsPrime(%d) = %v", v.x, oracle)
			}
		})
	}
}

func TestPrimesKernel(t *testing.T) {
	t.Parallel()
	var k Kernel = Primes{}
	if k.Name() != "primes" {
		t.Errorf("Name() = %q", k.Name())
	}
	if Kernels["primes"] == nil || Kernels[DefaultKernel] == nil || (&Config{Kernel: "primes"}).NewKernel() != k {
		t.Fatalf("Kernels = %v, want primes registered, the default, and built by NewKernel", Kernels)
	}
	o, ok := k.(Oracle)
	if !ok {
		t.Fatal("Primes does not implement Oracle")
	}
	for x := range uint64(2000) {
		if k.Hit(x) != IsPrime(x) || o.OracleHit(x) != IsPrime(x) {
			t.Fatalf("x=%d: Hit=%v OracleHit=%v IsPrime=%v", x, k.Hit(x), o.OracleHit(x), IsPrime(x))
		}
	}
}

// countPrimes counts the primes of r with IsPrime.
func countPrimes(tb testing.TB, r Range) int {
	tb.Helper()
	n := 0
	for i := range r.Count {
		if IsPrime(r.Start + i) {
			n++
		}
	}
	return n
}

func BenchmarkIsPrime(b *testing.B) {
	b.Run("SeedRange", func(b *testing.B) {
		for b.Loop() {
			if n := countPrimes(b, seedRange); n != 34 {
				b.Fatalf("%d primes, want 34", n)
			}
		}
	})
	b.Run("Below100000", func(b *testing.B) {
		for b.Loop() {
			if n := countPrimes(b, Range{Start: 0, Count: 100_000}); n != 9592 {
				b.Fatalf("%d primes, want 9592", n)
			}
		}
	})
}
