package scaling

import "math"

// KarpFlatt is the experimentally determined serial fraction
// e = (1/S - 1/p) / (1 - 1/p) (Karp & Flatt 1990); NaN for p <= 1.
func KarpFlatt(s, p float64) float64 {
	if p <= 1 {
		return math.NaN()
	}
	return (1/s - 1/p) / (1 - 1/p)
}
