package scaling_test

import (
	"fmt"

	"github.com/exp-tool/exp/scaling"
)

func ExampleFitUSL() {
	// Gunther's ray-tracing benchmark: processors and frames per second.
	p := []float64{1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64}
	x := []float64{20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310}
	var points []scaling.Point
	for i := range p {
		points = append(points, scaling.Point{P: p[i], Y: x[i]})
	}
	f, err := scaling.FitUSL(points, 0.95)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("σ = %.4f [%.4f, %.4f]\n", f.Sigma, f.SigmaLow, f.SigmaHigh)
	fmt.Printf("κ = %.5f [%.5f, %.5f]\n", f.Kappa, f.KappaLow, f.KappaHigh)
	fmt.Printf("λ = %.2f [%.2f, %.2f] per second\n", f.Lambda, f.LambdaLow, f.LambdaHigh)
	fmt.Printf("X(128) = %.0f per second\n", f.Throughput(128))
	// Output:
	// σ = 0.0578 [0.0271, 0.0884]
	// κ = 0.00000 [0.00000, 0.00027]
	// λ = 21.85 [16.78, 26.91] per second
	// X(128) = 335 per second
}

func ExampleUSL_Peak() {
	m := scaling.USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}
	n, x, ok := m.Peak()
	fmt.Printf("peak at %.1f processors, %.0f per second (%v)\n", n, x, ok)
	fmt.Printf("speedup on 16: %.2f\n", m.Speedup(16))
	// Output:
	// peak at 43.6 processors, 1074 per second (true)
	// speedup on 16: 8.56
}

func ExampleChoose() {
	// Throughput that peaks and falls back: coherency costs (κ > 0).
	p := []float64{1, 2, 4, 8, 16, 32, 48, 64}
	x := []float64{100, 190, 340, 560, 800, 960, 900, 820}
	var points []scaling.Point
	for i := range p {
		points = append(points, scaling.Point{P: p[i], Y: x[i]})
	}
	c, err := scaling.Choose(points, 0.05)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Model)
	fmt.Println(c.Reason)
	fmt.Printf("AIC: Amdahl %.1f, USL %.1f\n", c.AICAmdahl, c.AICUSL)
	// Output:
	// usl
	// the USL fits significantly better than Amdahl's law: κ = 0.000905 lowers the residual sum of squares from 3.513e+04 to 806.3, F(1, 5) = 213, p = 2.7e-05 < α = 0.05
	// AIC: Amdahl 95.8, USL 67.6
}
