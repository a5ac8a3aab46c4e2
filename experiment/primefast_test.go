package experiment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sqrt2to53 is floor(sqrt(2^53)) = 94906265: p*q for primes p, q on either
// side of it straddles 2^53, where float64 stops holding every integer.
const sqrt2to53 = 94906265

// nearPrimes returns the n largest primes below x and the n smallest above
// it, found by the oracle.
func nearPrimes(x uint64, n int) (below, above []uint64) {
	for p := x - 1; len(below) < n; p-- {
		if isPrimeOracle(p) {
			below = append(below, p)
		}
	}
	for p := x + 1; len(above) < n; p++ {
		if isPrimeOracle(p) {
			above = append(above, p)
		}
	}
	return below, above
}

func TestIsPrimeFast(t *testing.T) {
	t.Parallel()
	windows := []struct {
		name      string
		lo, n     uint64
		expensive bool // skipped with -short
	}{
		{"Below100000", 0, 100_000, false},
		{"SeedRange", seedRange.Start, seedRange.Count, false},
		{"Across2^32", 1<<32 - 1000, 2000, false},
		{"BelowMaxUint32", math.MaxUint32 - 100, 101, false},
		{"Around2^50", 1<<50 - 300, 600, false}, // where the second step starts
		{"Around2^53", 1<<53 - 100, 200, false},
		{"Below2^63", 1<<63 - 30, 30, true},          // 2^63-25, the largest prime below 2^63
		{"Below2^64", math.MaxUint64 - 63, 64, true}, // 2^64-59, the largest prime below 2^64
	}
	for _, w := range windows {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			if w.expensive && testing.Short() {
				t.Skip("seconds of trial division; skipped with -short")
			}
			for i := range w.n {
				x := w.lo + i
				if got, want := IsPrimeFast(x), isPrimeOracle(x); got != want {
					t.Errorf("IsPrimeFast(%d) = %v, oracle says %v", x, got, want)
				}
			}
		})
	}

	type value struct {
		name      string
		x         uint64
		expensive bool // seconds of trial division, skipped with -short
	}
	values := []value{
		{"Mersenne61", 1<<61 - 1, true},
		{"Mersenne31", 1<<31 - 1, false},
		{"Carmichael561", 561, false},
		{"Carmichael1729", 1729, false},
		{"Carmichael41041", 41041, false},
		{"Carmichael825265", 825265, false},
		{"Carmichael321197185", 321197185, false},
		{"Carmichael5394826801", 5394826801, false},
		{"Carmichael232250619601", 232250619601, false},
		{"Carmichael9746347772161", 9746347772161, false},
		{"StrongPseudoprime3215031751", 3215031751, false},                   // 151 * 751 * 28351
		{"StrongPseudoprime3825123056546413051", 3825123056546413051, false}, // 149491 * 747451 * 34233211
		{"MaxUint64", math.MaxUint64, false},
		{"MaxInt64", math.MaxInt64, false},
		{"Square65537", 65537 * 65537, false},
		{"Square4294967291", 4294967291 * 4294967291, true}, // the largest 32-bit prime: the last divisor
	}
	// Squares and products of primes on either side of sqrt(2^53) and of
	// 2^25 (sqrt(2^50)): only a divisor near the end of the loop divides
	// them, on both sides of each switch.
	for _, c := range []struct {
		name   string
		center uint64
		limit  uint64
	}{{"2^53", sqrt2to53, 1 << 53}, {"2^50", 1 << 25, 1 << 50}} {
		below, above := nearPrimes(c.center, 3)
		var under, over bool
		xs := []uint64{}
		for i, p := range below {
			xs = append(xs, p*p, above[i]*above[i])
			for _, q := range above {
				xs = append(xs, p*q)
			}
		}
		for _, x := range xs {
			under, over = under || x < c.limit, over || x > c.limit
			values = append(values, value{fmt.Sprintf("Near%s/%d", c.name, x), x, false})
		}
		if !under || !over {
			t.Fatalf("products near %s do not straddle it: below %v above %v", c.name, below, above)
		}
	}
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			if v.expensive && testing.Short() {
				t.Skip("seconds of trial division; skipped with -short")
			}
			if got, want := IsPrimeFast(v.x), isPrimeOracle(v.x); got != want {
				t.Errorf("IsPrimeFast(%d) = %v, oracle says %v", v.x, got, want)
			}
		})
	}
}

// TestHasDivisor checks the divisibility arithmetic of both loops on one
// pair (d, d+2) at a time against the % operator, far past what whole
// primality tests can reach: divisors up to 2^32 with multiples of them,
// and their neighbours, up to 2^64-1.
func TestHasDivisor(t *testing.T) {
	t.Parallel()
	check := func(x, d uint64) {
		t.Helper()
		want := x%d == 0 || x%(d+2) == 0
		if got := hasDivisorTwo(x, d, d); got != want {
			t.Fatalf("hasDivisorTwo(%d, %d) = %v, want %v", x, d, got, want)
		}
		if x < fastOneStepBelow {
			if got := hasDivisorOne(x, d, d); got != want {
				t.Fatalf("hasDivisorOne(%d, %d) = %v, want %v", x, d, got, want)
			}
		}
	}
	// checkAround checks the multiples k*d and k*(d+2) that fit below 2^64
	// with d <= ISqrt(x), and their neighbours.
	checkAround := func(d, k uint64) {
		t.Helper()
		for _, m := range []uint64{d, d + 2} {
			if k < d || k > math.MaxUint64/m {
				continue
			}
			x := k * m
			check(x, d)
			check(x-1, d)
			if x < math.MaxUint64 {
				check(x+1, d)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	t.Run("Random", func(t *testing.T) {
		for range 300_000 {
			d := 5 + rng.Uint64N(1<<(3+rng.UintN(30))) // every magnitude up to 2^32
			if d > math.MaxUint32 {
				d = math.MaxUint32
			}
			kMax := math.MaxUint64 / (d + 2)
			if kMax < d {
				continue
			}
			checkAround(d, d+rng.Uint64N(kMax-d+1))             // any multiple
			checkAround(d, kMax-rng.Uint64N(min(kMax-d+1, 16))) // the largest ones, near 2^64
			if x := rng.Uint64() >> rng.UintN(40); d <= ISqrt(x) {
				check(x, d)
			}
		}
	})
	t.Run("LargestDivisors", func(t *testing.T) {
		for d := uint64(math.MaxUint32 - 3000); d <= math.MaxUint32; d++ {
			checkAround(d, math.MaxUint64/(d+2))
			checkAround(d, math.MaxUint64/d)
			checkAround(d, d)
		}
	})
	t.Run("Around2^50And2^53", func(t *testing.T) {
		for _, top := range []uint64{1 << 50, 1 << 53} {
			s := ISqrt(top)
			for d := s - 2000; d <= s+2000; d++ {
				checkAround(d, top/d)
				checkAround(d, top/(d+2))
				checkAround(d, d)
			}
		}
	})
}

func TestPrimesFastKernel(t *testing.T) {
	t.Parallel()
	c, err := Parse("exp.yaml", []byte(minimal+"kernel: primes-fast\n"))
	if err != nil {
		t.Fatal(err)
	}
	k := c.NewKernel()
	if k != (PrimesFast{}) || k.Name() != "primes-fast" || !c.CPUBound() {
		t.Fatalf("kernel: primes-fast built %#v named %q, CPU-bound %v", k, k.Name(), c.CPUBound())
	}
	o, ok := k.(Oracle)
	if !ok {
		t.Fatal("PrimesFast does not implement Oracle")
	}
	for x := range uint64(2000) {
		if k.Hit(x) != IsPrime(x) || o.OracleHit(x) != IsPrime(x) {
			t.Fatalf("x=%d: Hit=%v OracleHit=%v IsPrime=%v", x, k.Hit(x), o.OracleHit(x), IsPrime(x))
		}
	}
	want := oracleDigest(t, seedRange)
	for _, s := range Schedules {
		out, err := Execute(context.Background(), k, seedRange, 2, s, uint64(DefaultChunk))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		checkOutcome(t, out, seedRange, 2, want)
	}
}

// FuzzPrimesFast checks IsPrimeFast against IsPrime on inputs that stay
// cheap for both: a>>24 (below 2^40), and (a/m)*m, a number up to 2^64-1
// with the factor m < 2^20, so that trial division stops by m.
func FuzzPrimesFast(f *testing.F) {
	f.Add(uint64(1<<40-87)<<24, uint32(0)) // 2^40-87, the largest prime below 2^40
	f.Add(uint64(math.MaxUint64), uint32(3<<12))
	f.Add(uint64(1<<53+1), uint32(sqrt2to53%(1<<20))<<12)
	f.Fuzz(func(t *testing.T, a uint64, b uint32) {
		check := func(x uint64) {
			if got, want := IsPrimeFast(x), IsPrime(x); got != want {
				t.Fatalf("IsPrimeFast(%d) = %v, IsPrime says %v", x, got, want)
			}
		}
		check(a >> 24)
		if m := uint64(b >> 12); m >= 2 {
			check(a / m * m)
		}
	})
}

// countWith counts the numbers of r that isPrime reports prime.
func countWith(r Range, isPrime func(uint64) bool) int {
	n := 0
	for i := range r.Count {
		if isPrime(r.Start + i) {
			n++
		}
	}
	return n
}

// BenchmarkPrimesFast is BenchmarkIsPrime with IsPrimeFast, to be read
// side by side with it (bench/go.sh with BENCH='IsPrime|PrimesFast').
func BenchmarkPrimesFast(b *testing.B) {
	for _, c := range []struct {
		name   string
		r      Range
		primes int
	}{{"SeedRange", seedRange, 34}, {"Below100000", Range{Start: 0, Count: 100_000}, 9592}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if n := countWith(c.r, IsPrimeFast); n != c.primes {
					b.Fatalf("%d primes, want %d", n, c.primes)
				}
			}
		})
	}
}
