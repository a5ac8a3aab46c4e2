package experiment

import "math/bits"

// ISqrt returns floor(sqrt(x)), exact for every uint64. It uses integer
// arithmetic only (Newton's method from an upper bound), so no float
// rounding near 2^64 can make it off by one.
func ISqrt(x uint64) uint64 {
	if x < 2 {
		return x
	}
	// Newton's method on integers from an upper bound: r = 2^ceil(bits/2)
	// is >= sqrt(x), and the iteration decreases monotonically to floor(sqrt(x)).
	r := uint64(1) << ((bits.Len64(x) + 1) / 2)
	for {
		next := (r + x/r) / 2
		if next >= r {
			return r
		}
		r = next
	}
}

// IsPrime reports whether x is prime by trial division with the seed
// program's semantics: x < 2 is not prime, 2 is prime, other even numbers are
// not, and an odd x is prime when no odd divisor d in 3..ISqrt(x) divides it.
func IsPrime(x uint64) bool {
	switch {
	case x < 2:
		return false
	case x == 2:
		return true
	case x%2 == 0:
		return false
	}
	limit := ISqrt(x)
	if x <= 0xFFFFFFFF {
		// 32-bit division is several times cheaper than 64-bit on amd64,
		// and gives the same answers.
		x32, lim32 := uint32(x), uint32(limit)
		for d := uint32(3); d <= lim32; d += 2 {
			if x32%d == 0 {
				return false
			}
		}
		return true
	}
	for d := uint64(3); d <= limit; d += 2 {
		if x%d == 0 {
			return false
		}
	}
	return true
}
