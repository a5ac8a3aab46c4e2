package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// raytracerCSV is Gunther's raytracer benchmark (Guerrilla Capacity
// Planning), the data set of R's usl package.
const raytracerCSV = "processors,throughput\n1,20\n4,78\n8,130\n12,170\n16,190\n20,200\n24,210\n28,230\n32,260\n48,280\n64,310\n"

func TestFitCommand(t *testing.T) {
	dir := t.TempDir()
	ray := writeFile(t, dir, "ray.csv", raytracerCSV)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"exp", "fit", ray, "--x", "processors", "--y", "throughput", "--kind", "throughput", "-f", "json"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Amdahl struct {
			B       float64 `json:"b"`
			BCILow  float64 `json:"b_ci_low"`
			BCIHigh float64 `json:"b_ci_high"`
		} `json:"amdahl"`
		USL struct {
			Sigma, Kappa, Lambda float64
			Peak                 *float64
		} `json:"usl"`
		Choice struct{ Model string } `json:"choice"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	// R's usl package: σ = 0.0578, κ = 0, λ = 21.85.
	if math.Abs(doc.USL.Sigma-0.0578)/0.0578 > 0.01 || doc.USL.Kappa > 1e-4 || math.Abs(doc.USL.Lambda-21.85)/21.85 > 0.01 {
		t.Errorf("USL σ = %g, κ = %g, λ = %g; want 0.0578, 0, 21.85", doc.USL.Sigma, doc.USL.Kappa, doc.USL.Lambda)
	}
	if doc.USL.Peak != nil || doc.Choice.Model != "amdahl" || !(doc.Amdahl.BCILow < doc.Amdahl.B && doc.Amdahl.B < doc.Amdahl.BCIHigh && doc.Amdahl.B < 0.1) {
		t.Errorf("peak %v, choice %q, B %g [%g, %g]: want no peak, amdahl, B in (0, 0.1) inside its interval",
			doc.USL.Peak, doc.Choice.Model, doc.Amdahl.B, doc.Amdahl.BCILow, doc.Amdahl.BCIHigh)
	}

	bad := func(name, content string, args []string, want string) {
		t.Helper()
		file := writeFile(t, dir, name, content)
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"exp", "fit", file}, args...), &stdout, &stderr)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err %v (exit %d), want one line containing %q with exit 2", name, err, exitCode(err), want)
		}
	}
	xy := []string{"--x", "p", "--y", "t"}
	bad("missing.csv", "p,time\n1,2\n", xy, `missing.csv:1: column "t": not in the header (the columns are "p", "time")`)
	bad("nan.csv", "p,t\n1,2\n2,x\n", xy, `nan.csv:3: column "t": "x" is not a number (must be a positive number)`)
	bad("neg.csv", "p,t\n1,2\n2,-1\n", xy, `neg.csv:3: column "t": "-1" is negative (must be a positive number)`)
	bad("one.csv", "p,t\n2,2\n2,1\n", append(xy, "--model", "amdahl"), `one.csv: column "p": 1 distinct value, 2 (must have at least 2 distinct processor counts)`)
	bad("two.csv", "p,t\n1,2\n2,1\n", xy, `two.csv: column "p": 2 distinct values, 1 and 2 (must have at least 3 distinct processor counts), for the USL (fit Amdahl's law alone with --model amdahl)`)
	bad("one-both.csv", "p,t\n2,2\n2,1\n", xy, `one-both.csv: column "p": 1 distinct value, 2 (must have at least 3 distinct processor counts)`)
	bad("kind.csv", "p,t\n1,2\n2,1\n", append(xy, "--kind", "speed"), `--kind must be time or throughput, got "speed"`)
	bad("noy.csv", "p,t\n1,2\n2,1\n", []string{"--x", "p"}, `--y is required`)
	// Two loads are enough for Amdahl's law alone.
	two := writeFile(t, dir, "ok2.csv", "p,t\n1,2\n1,2.1\n2,1.1\n2,1.2\n")
	stdout.Reset()
	if err := run(context.Background(), []string{"exp", "fit", two, "--x", "p", "--y", "t", "--model", "amdahl"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "Amdahl: S(p) = 1/(B + (1-B)/p): B = ") || !strings.Contains(out, "USL: no fit: not fitted (--model amdahl)") {
		t.Errorf("exp fit --model amdahl:\n%s", out)
	}
}
