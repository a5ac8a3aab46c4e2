package chart_test

import (
	"bytes"
	"fmt"

	"github.com/exp-tool/exp/chart"
	"github.com/exp-tool/exp/report"
)

// The plot of exp fit: Gunther's raytracer benchmark, its relative
// capacity at each load with the fitted Amdahl and USL curves.
func ExampleFromMeasurements() {
	x := []float64{1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64}
	y := []float64{20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310}
	m := report.AnalyzeMeasurements("ray.csv", "processors", "throughput", report.KindThroughput, report.ModelBoth, x, y, 0.95)
	f := chart.FromMeasurements(m)
	s := f.Series[0]
	fmt.Println(f.YLabel)
	fmt.Printf("%s: %d points\n", s.Label, len(s.Points))
	for _, c := range s.Curves {
		fmt.Println(c.Label)
	}
	var svg bytes.Buffer
	if err := f.WriteSVG(&svg); err != nil {
		fmt.Println(err)
	}
	fmt.Println(bytes.HasPrefix(svg.Bytes(), []byte("<?xml")))
	// Output:
	// relative capacity X(p)/X(1)
	// measured throughput (median of each load): 11 points
	// Amdahl, B = 0.0461
	// USL, σ = 0.0578, κ = 0
	// true
}

// FormatOf picks the format of a plot file from its extension.
func ExampleFormatOf() {
	for _, path := range []string{"speedup.svg", "speedup.PNG", "speedup.gif"} {
		format, err := chart.FormatOf(path)
		fmt.Printf("%q %v\n", format, err)
	}
	// Output:
	// "svg" <nil>
	// "png" <nil>
	// "" "speedup.gif": unknown plot format (the file name must end in .svg or .png)
}
