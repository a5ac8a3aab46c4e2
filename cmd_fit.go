package main

import (
	"fmt"
	"os"

	"github.com/exp-tool/exp/chart"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/scaling"
	"github.com/urfave/cli/v2"
)

// cmdFit fits the scaling models to a CSV file of measurements.
func cmdFit(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("fit takes one CSV file, got %d arguments (try: exp fit data.csv --x processors --y time)", c.NArg())
	}
	for _, name := range []string{"x", "y"} {
		if c.String(name) == "" {
			return usagef("--%s is required: the name of the %s column (see exp help fit)", name, map[string]string{"x": "load or processors", "y": "measurement"}[name])
		}
	}
	kind, err := report.ParseKind(c.String("kind"))
	if err != nil {
		return usageError{err}
	}
	model, err := report.ParseModel(c.String("model"))
	if err != nil {
		return usageError{err}
	}
	format, err := report.ParseFormat(c.String("format"), report.FitFormats)
	if err != nil {
		return usageError{err}
	}
	th, err := thresholds(c)
	if err != nil {
		return err
	}
	plot, err := plotFlag(c)
	if err != nil {
		return err
	}
	file := c.Args().First()
	x, y, err := readMeasurements(file, c.String("x"), c.String("y"))
	if err != nil {
		return err
	}
	if err := scaling.CheckLoads(x, model.MinLoads(), file, c.String("x")); err != nil {
		if model == report.ModelBoth && scaling.CheckLoads(x, report.ModelAmdahl.MinLoads(), file, c.String("x")) == nil {
			return fmt.Errorf("%w, for the USL (fit Amdahl's law alone with --model amdahl)", err)
		}
		return err
	}
	m := report.AnalyzeMeasurements(file, c.String("x"), c.String("y"), kind, model, x, y, th.Confidence)
	if err := report.WriteMeasurements(c.App.Writer, format, m); err != nil {
		return err
	}
	return plot.write(func() *chart.Figure { return chart.FromMeasurements(m) })
}

// readMeasurements reads the two columns of file ("-" for standard input).
func readMeasurements(file, xCol, yCol string) (x, y []float64, err error) {
	in := os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, nil, &scaling.CSVError{File: file, Msg: fmt.Sprintf("cannot read the file: %v", err), Err: err}
		}
		defer f.Close()
		in = f
	}
	return scaling.ReadCSV(in, file, xCol, yCol)
}
