package experiment

// PrimesFast is the primes kernel made faster without changing its answers:
// IsPrimeFast(x) == IsPrime(x) for every uint64, checked against the same
// oracle. It is selected with kernel: primes-fast.
type PrimesFast struct{}

// Name returns "primes-fast".
func (PrimesFast) Name() string { return "primes-fast" }

// Hit reports whether x is prime, by IsPrimeFast.
func (PrimesFast) Hit(x uint64) bool { return IsPrimeFast(x) }

// OracleHit reports whether x is prime with the primes kernel's oracle
// (math/big's Baillie-PSW test, exact for every x < 2^64).
func (PrimesFast) OracleHit(x uint64) bool { return Primes{}.OracleHit(x) }

// fastOneStepBelow is where IsPrimeFast switches from one floating-point
// quotient per divisor to a quotient and a correction (see hasDivisorOne
// and hasDivisorTwo).
const fastOneStepBelow = 1 << 50

// roundMagic is 1.5 * 2^52: for |z| < 2^51, (z + roundMagic) - roundMagic
// is z rounded to the nearest integer (ties to even), since float64s
// between 2^52 and 2^53 are exactly the integers. Unlike math.RoundToEven it
// is two additions on every GOAMD64 level, with no call to spill the loop's
// registers around. If the compiler fuses the multiplication before it
// into a fused multiply-add, the sum is rounded once instead of twice, to
// the integer nearest the exact product: as good.
const roundMagic = 0x1.8p52

// IsPrimeFast reports whether x is prime, with the same answer as IsPrime
// for every uint64, by trial division with two changes to the divisors and
// how they are tried:
//
//   - The divisors are 2, 3 and then the 6k±1 wheel 5, 7, 11, 13, 17, 19,
//     ... up to ISqrt(x) (a third fewer than the odd numbers: multiples of 3
//     are skipped). The last pair may pass ISqrt(x) by 2, which cannot change
//     the answer: any divisor d with 1 < d < x proves x composite.
//   - No divisor costs an integer division. Each pair d, e = d+2 shares one
//     floating-point division, r = x / (d*e), and the quotients are
//     x/d ≈ e*r and x/e ≈ d*r. A rounded quotient q is only a candidate:
//     d divides x exactly when x - q*d, computed in integers, is 0, so
//     rounding can only make the test miss a divisor, never invent one.
//     The error bounds in hasDivisorOne and hasDivisorTwo show it never
//     misses.
//
// Below 2^50 one rounded quotient suffices; from 2^50 to 2^64-1 a second,
// exact step corrects it.
func IsPrimeFast(x uint64) bool {
	switch {
	case x < 2:
		return false
	case x%2 == 0:
		return x == 2
	case x%3 == 0:
		return x == 3
	case x < 25: // 5, 7, 11, 13, 17, 19, 23: no wheel divisor is below ISqrt(x)
		return true
	}
	limit := ISqrt(x)
	if x < fastOneStepBelow {
		return !hasDivisorOne(x, 5, limit)
	}
	return !hasDivisorTwo(x, 5, limit)
}

// hasDivisorOne reports whether one of d and d+2 divides x, for d = from,
// from+6, ... up to to, with 5 <= from, to+2 < x < 2^50 and to <= ISqrt(x).
//
// Why it is exact (u = 2^-53, the unit roundoff of float64): x, d and
// e = d+2 are exact in float64, and so is d*e < 2^51. r = x/(d*e) and
// e*r are each rounded once, so e*r = (x/d)(1+δ) with |δ| <= 2u + u^2. If d
// divides x, k = x/d <= x/5 < 2^48 and |e*r - k| <= 2^48 * 2.01 * 2^-53 <
// 0.07; adding 0.5 rounds by at most half an ulp below 2^48 (2^-6), so
// truncating e*r + 0.5 gives exactly k and x - k*d == 0 (a compiler that
// fuses e*r + 0.5 into one multiply-add rounds once fewer). If d does not
// divide x, no integer q gives q*d == x (q*d < 2^64 here: no wrap-around).
// The same holds for e with d*r.
func hasDivisorOne(x, from, to uint64) bool {
	fx := float64(x)    // exact: x < 2^53
	fd := float64(from) // float64(d), exact
	for d := from; d <= to; d += 6 {
		fe := fd + 2
		r := fx / (fd * fe)
		qd := uint64(int64(fe*r + 0.5))
		qe := uint64(int64(fd*r + 0.5))
		if qd*d == x || qe*(d+2) == x {
			return true
		}
		fd += 6
	}
	return false
}

// hasDivisorTwo reports whether one of d and d+2 divides x, for d = from,
// from+6, ... up to to, with 5 <= from, to+2 < x and to <= ISqrt(x) (so
// d+2 <= 2^32+1): any x, here from 2^50 to 2^64-1.
//
// Why it is exact (u = 2^-53): fx = float64(x), d*e, r = 1/(d*e), the
// inverse inv = e*r ≈ 1/d and q1 = fx*inv are each rounded once, so
// q1 = (x/d)(1+δ) with |δ| < 5.01u, and |q1 - x/d| < 2^64/5 * 5.01 * 2^-53 <
// 2^12. Truncated to an integer (q1 < 2^62 fits int64), the remainder
// r1 = x - q1*d is exact in wrapping uint64 arithmetic read as int64, since
// |r1| < (2^12+1)*d < 2^45, and so is float64(r1). Then d divides x exactly
// when d divides r1, and r1*inv = (r1/d)(1+δ') with |δ'| < 4.01u (three
// roundings in inv, one in the product) is within 2^13 * 4.01u < 2^-37 of
// r1/d: rounded to the nearest integer q2 (by adding and subtracting
// roundMagic), it is r1/d when d divides r1, and
// r1 - q2*d == 0 exactly then. Otherwise no q2 makes it 0. The same holds
// for e with inv = d*r.
func hasDivisorTwo(x, from, to uint64) bool {
	fx := float64(x)
	fd := float64(from) // float64(d), exact: d < 2^53
	for d := from; d <= to; d += 6 {
		fe := fd + 2
		r := 1 / (fd * fe)
		invD, invE := fe*r, fd*r
		e := d + 2
		qd, qe := uint64(int64(fx*invD)), uint64(int64(fx*invE))
		rd, re := int64(x-qd*d), int64(x-qe*e)
		cd := int64(float64(rd)*invD + roundMagic - roundMagic)
		ce := int64(float64(re)*invE + roundMagic - roundMagic)
		if rd == cd*int64(d) || re == ce*int64(e) {
			return true
		}
		fd += 6
	}
	return false
}
