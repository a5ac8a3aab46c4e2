package scaling

import (
	"math"
	"testing"
)

func TestNelderMead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func([]float64) float64
		x0   []float64
		want []float64
	}{
		{"Parabola1D", func(x []float64) float64 { return (x[0] - 3) * (x[0] - 3) }, []float64{0}, []float64{3}},
		{"Rosenbrock", func(x []float64) float64 {
			return 100*math.Pow(x[1]-x[0]*x[0], 2) + math.Pow(1-x[0], 2)
		}, []float64{-1.2, 1}, []float64{1, 1}},
		{"NaNOutside", func(x []float64) float64 {
			if x[0] < 0 {
				return math.NaN()
			}
			return (x[0] - 0.5) * (x[0] - 0.5)
		}, []float64{0.1}, []float64{0.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, fx, ok := nelderMead(tc.f, tc.x0, 0.1, 1e-10, 1e-20, 10000)
			if !ok {
				t.Errorf("did not converge: x = %v, f = %g", x, fx)
			}
			for i := range x {
				if math.Abs(x[i]-tc.want[i]) > 1e-6 {
					t.Errorf("x = %v, want %v", x, tc.want)
				}
			}
		})
	}
	t.Run("EvaluationLimit", func(t *testing.T) {
		f := func(x []float64) float64 { return x[0] * x[0] }
		if _, _, ok := nelderMead(f, []float64{100}, 0.001, 1e-12, 0, 10); ok {
			t.Error("ok = true after 10 evaluations, want false")
		}
	})
}
