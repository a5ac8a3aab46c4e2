package scaling

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// intervalSE is the standard error implied by a symmetric normal interval
// [low, high] at level conf: (high-low)/(2z), z the normal quantile at
// 1-(1-conf)/2. It is NaN when the interval is unknown (NaN), empty,
// infinite, or its level is not in (0, 1).
func intervalSE(low, high, conf float64) float64 {
	width := high - low
	if !(width > 0) || math.IsInf(width, 0) || !(conf > 0 && conf < 1) {
		return math.NaN()
	}
	return width / (2 * distuv.UnitNormal.Quantile(1-(1-conf)/2))
}
