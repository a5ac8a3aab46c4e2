package scaling_test

import (
	"errors"
	"fmt"
	"math"
	"strings"

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

func ExampleKarpFlatt() {
	// A speedup of 6.4 on 8 processors: a serial fraction of 3.6%.
	fmt.Printf("e = %.4f\n", scaling.KarpFlatt(6.4, 8))
	// Output:
	// e = 0.0357
}

func ExampleKarpFlattAnalysis() {
	// Measured speedups, each known to ±2%, whose serial fraction grows
	// with p (coherency overhead).
	p := []float64{1, 2, 4, 8, 16, 32}
	s := []float64{1, 1.91, 3.42, 5.45, 7.45, 7.82}
	var speedups []scaling.SpeedupPoint
	for i := range p {
		speedups = append(speedups, scaling.SpeedupPoint{P: p[i], S: s[i], Low: 0.98 * s[i], High: 1.02 * s[i], Confidence: 0.95})
	}
	tr := scaling.KarpFlattAnalysis(speedups, 0.95)
	for _, pt := range tr.Points {
		fmt.Printf("e(%2.0f) = %.3f [%.3f, %.3f]\n", pt.P, pt.E, pt.Low, pt.High)
	}
	fmt.Println(tr.Verdict)
	fmt.Println(tr.Reason)
	// Output:
	// e( 2) = 0.047 [0.027, 0.068]
	// e( 4) = 0.057 [0.049, 0.064]
	// e( 8) = 0.067 [0.063, 0.071]
	// e(16) = 0.077 [0.074, 0.079]
	// e(32) = 0.100 [0.097, 0.102]
	// rising
	// e rises by 0.00144 per processor (95% CI 0.00117 to 0.00172, above 0): overhead grows with p, so the USL, not Amdahl's law, is the right model
}

func ExampleFitGustafson() {
	// Weak scaling: the problem grows with p; S = p T(1)/T(p).
	p := []float64{1, 2, 4, 8, 16}
	s := []float64{1, 1.93, 3.71, 7.35, 14.5}
	var speedups []scaling.SpeedupPoint
	for i := range p {
		speedups = append(speedups, scaling.SpeedupPoint{P: p[i], S: s[i], Low: math.NaN(), High: math.NaN()})
	}
	f, err := scaling.FitGustafson(speedups, 0.95)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("α = %.3f [%.3f, %.3f], R² = %.4f\n", f.Alpha, f.AlphaLow, f.AlphaHigh, f.R2)
	fmt.Printf("scaled speedup on 64: %.1f\n", f.ScaledSpeedup(64))
	// Output:
	// α = 0.099 [0.093, 0.104], R² = 1.0000
	// scaled speedup on 64: 57.8
}

func ExampleReadCSV() {
	in := "workers,throughput,host\n1,20,a\n1,21,b\n4,78,a\n8,130,a\n"
	x, y, err := scaling.ReadCSV(strings.NewReader(in), "data.csv", "workers", "throughput")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x, y)
	for _, pt := range scaling.Aggregate(x, y) {
		fmt.Printf("P = %g: Y = %g, the median of %d\n", pt.P, pt.Y, pt.N)
	}

	_, _, err = scaling.ReadCSV(strings.NewReader("workers,throughput\n1,20\n2,abc\n"), "data.csv", "workers", "throughput")
	fmt.Println(err)
	fmt.Println(errors.Is(err, scaling.ErrBadCSV))
	// Output:
	// [1 1 4 8] [20 21 78 130]
	// P = 1: Y = 20.5, the median of 2
	// P = 4: Y = 78, the median of 1
	// P = 8: Y = 130, the median of 1
	// data.csv:3: column "throughput": "abc" is not a number (must be a positive number)
	// true
}

func ExampleCheckLoads() {
	x := []float64{1, 1, 2, 2}
	if err := scaling.CheckLoads(x, 3, "data.csv", "workers"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// data.csv: column "workers": 2 distinct values, 1 and 2 (must have at least 3 distinct processor counts)
}
