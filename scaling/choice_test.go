package scaling

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	t.Parallel()
	amdahl := USL{Sigma: 0.05, Lambda: 100}
	retro := USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}
	rng := rand.New(rand.NewPCG(3, 3))
	tests := []struct {
		name   string
		points []Point
		want   string
		reason string // a fragment of Reason
	}{
		{"AmdahlExact", synthUSL(amdahl, uslLoads, 1, 0, nil), "amdahl", "F(1, 7) = 0, p = 1 >= α = 0.05"},
		{"AmdahlNoisy", synthUSL(amdahl, uslLoads, 3, 5, rng), "amdahl", "Amdahl's law is enough"},
		{"Retrograde", synthUSL(retro, uslLoads, 1, 5, rng), "usl", "the USL fits significantly better"},
		{"Raytracer", points(raytracerP, raytracerX), "amdahl", "κ = 0) does not fit significantly better, F(1, 8) = 0, p = 1"},
		{"TwoLoads", points([]float64{1, 2, 1, 2}, []float64{10, 19, 11, 18}), "", "with 2 distinct processor counts and 4 points"},
		{"ThreePoints", points([]float64{1, 2, 4}, []float64{10, 19, 30}), "", "needs at least 3 distinct counts and 4 points"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Choose(tc.points, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			if c.Model != tc.want || !strings.Contains(c.Reason, tc.reason) {
				t.Errorf("Choose = %q, %q; want %q, containing %q", c.Model, c.Reason, tc.want, tc.reason)
			}
			if tc.want == "" {
				if !math.IsNaN(c.F) || !math.IsNaN(c.P) || !math.IsNaN(c.AICUSL) {
					t.Errorf("untestable: F, P, AICUSL = %g, %g, %g; want NaN", c.F, c.P, c.AICUSL)
				}
				return
			}
			if !(c.RSSUSL <= c.RSSAmdahl) {
				t.Errorf("RSSUSL = %g > RSSAmdahl = %g", c.RSSUSL, c.RSSAmdahl)
			}
			if (c.AICUSL < c.AICAmdahl-2) != (c.Model == "usl") && tc.name != "AmdahlExact" {
				t.Errorf("AIC %g (USL) vs %g (Amdahl) disagrees with %q", c.AICUSL, c.AICAmdahl, c.Model)
			}
		})
	}
}

// TestChooseRaytracerAIC checks the AIC against the formula for the
// Amdahl fit of the raytracer: 11 (log(2π RSS/11) + 1) + 6.
func TestChooseRaytracerAIC(t *testing.T) {
	t.Parallel()
	c, err := Choose(points(raytracerP, raytracerX), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "AICAmdahl", c.AICAmdahl, 11*(math.Log(2*math.Pi*c.RSSAmdahl/11)+1)+6, 1e-12)
	checkNear(t, "AICUSL - AICAmdahl", c.AICUSL-c.AICAmdahl, 2, 1e-9)
	checkNear(t, "Amdahl.Sigma", c.Amdahl.Sigma, 0.0578, 0.01)
}

// TestChooseSize checks that on data from Amdahl's law the F-test picks the
// USL about alpha of the time, no more.
func TestChooseSize(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	const sets = 300
	usl := 0
	for range sets {
		c, err := Choose(synthUSL(USL{Sigma: 0.05, Lambda: 100}, uslLoads, 1, 10, rng), 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if c.Model == "usl" {
			usl++
		}
	}
	// Under κ = 0 the constrained estimate is 0 half the time, so the test
	// is conservative: about alpha/2.
	if share := float64(usl) / sets; share > 0.08 {
		t.Errorf("USL chosen for %.3f of Amdahl data sets, want at most about 0.05", share)
	}
}

func TestChooseErrors(t *testing.T) {
	t.Parallel()
	if _, err := Choose(points(raytracerP, raytracerX), 0); !errors.Is(err, ErrBadConfidence) {
		t.Errorf("alpha 0: err = %v, want ErrBadConfidence", err)
	}
	if _, err := Choose(points([]float64{1, 2, -4, 8}, []float64{1, 2, 3, 4}), 0.05); !errors.Is(err, ErrBadPoint) {
		t.Errorf("P = -4: err = %v, want ErrBadPoint", err)
	}
}

func BenchmarkChoose(b *testing.B) {
	pts := synthUSL(USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}, uslLoads, 3, 2, rand.New(rand.NewPCG(1, 1)))
	for b.Loop() {
		if _, err := Choose(pts, 0.05); err != nil {
			b.Fatal(err)
		}
	}
}
