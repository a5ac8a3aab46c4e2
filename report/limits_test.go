package report

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

func TestContended(t *testing.T) {
	th := DefaultThresholds // 0.2 CPUs beyond 20 ms
	ms := func(v float64) int64 { return int64(v * 1e6) }
	for _, tc := range []struct {
		name string
		t    experiment.Trial
		want bool
	}{
		{"Idle", experiment.Trial{WallNS: ms(1000), OtherCPUNS: 0, HasOtherCPU: true}, false},
		{"AtTheLimit", experiment.Trial{WallNS: ms(1000), OtherCPUNS: ms(220), HasOtherCPU: true}, false},
		{"JustAbove", experiment.Trial{WallNS: ms(1000), OtherCPUNS: ms(221), HasOtherCPU: true}, true},
		// 50 ms: 0.2 CPUs would be 10 ms, within the counters' two ticks.
		{"ShortTrialRounding", experiment.Trial{WallNS: ms(50), OtherCPUNS: ms(20), HasOtherCPU: true}, false},
		{"ShortTrialBusy", experiment.Trial{WallNS: ms(50), OtherCPUNS: ms(45), HasOtherCPU: true}, true},
		{"NotMeasured", experiment.Trial{WallNS: ms(1000), OtherCPUNS: ms(900)}, false},
		{"TimedOut", experiment.Trial{WallNS: ms(1000), OtherCPUNS: ms(900), HasOtherCPU: true, TimedOut: true}, false},
		{"NoWallTime", experiment.Trial{OtherCPUNS: ms(900), HasOtherCPU: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := th.Contended(tc.t); got != tc.want {
				t.Errorf("Contended(other %v over %v) = %v, want %v", time.Duration(tc.t.OtherCPUNS), time.Duration(tc.t.WallNS), got, tc.want)
			}
		})
	}
}

// limitFixture is fixture() with every trial measuring other processes'
// CPU (none), then three measured trials of the 2-worker cell contended
// (1 CPU of others) and made 30% slower, and two trials of the 1-worker
// cell timed out: one measured, one warmup.
func limitFixture() (experiment.Run, []experiment.Cell, []experiment.Trial) {
	run, cells, trials := fixture()
	contended := 0
	for i := range trials {
		tr := &trials[i]
		tr.HasOtherCPU = true
		if tr.Cell == 1 && !tr.Warmup && contended < 3 {
			tr.WallNS = tr.WallNS * 13 / 10
			tr.OtherCPUNS = tr.WallNS // one whole CPU
			contended++
		}
	}
	timedOut := func(cell int, warmup bool) experiment.Trial {
		return experiment.Trial{Step: experiment.Step{Seq: len(trials), Cell: cell, Warmup: warmup}, WallNS: 30e9,
			TimedOut: true, Mismatch: "timed out: cancelled after 30s (timeout 30s) with 12 of 1000 items done", HasOtherCPU: true, OtherCPUNS: 30e9}
	}
	trials = append(trials, timedOut(0, false))
	trials = append(trials, timedOut(0, true))
	return run, cells, trials
}

func TestBuildTimedOut(t *testing.T) {
	run, cells, trials := limitFixture()
	rep := Build(run, cells, trials, DefaultThresholds)
	one := rep.Cells[0]
	if one.TimedOut != 2 || one.N != 7 || one.Warmups != 1 || one.Failed != 0 || one.Median != 10 {
		t.Errorf("1-worker cell: timed out %d, n %d, warmups %d, failed %d, median %v; want 2, 7 (as before), 1, 0, 10",
			one.TimedOut, one.N, one.Warmups, one.Failed, one.Median)
	}
	if !hasWarning(one.Warnings, ErrTimedOut) || !strings.Contains(joinWarnings(one.Warnings), "timed out: 2 trials cancelled at the timeout, in no statistic") {
		t.Errorf("1-worker cell warnings %q lack the timed-out one", joinWarnings(one.Warnings))
	}
	if one.InFit || !strings.Contains(joinWarnings(rep.Fits[0].Warnings), "timed out: 1-worker cell left out: 1 measured trial timed out") {
		t.Errorf("1-worker cell in fit %v, fit warnings %q; want it left out because a measured trial timed out", one.InFit, joinWarnings(rep.Fits[0].Warnings))
	}
	if !hasWarning(rep.Warnings, ErrTimedOut) || !strings.Contains(joinWarnings(rep.Warnings), "timed out: 2 trials in 1 cell cancelled at the experiment's timeout") {
		t.Errorf("run warnings %q lack the timed-out count", joinWarnings(rep.Warnings))
	}
	if !strings.Contains(joinWarnings(rep.Warnings), "FAILED: 1 trial found a wrong answer") { // the fixture's one, no more
		t.Errorf("run warnings %q count a timed-out trial as a wrong answer", joinWarnings(rep.Warnings))
	}

	t.Run("WarmupOnlyStaysInFit", func(t *testing.T) {
		rep := Build(run, cells, trials[:len(trials)-2], DefaultThresholds) // no timeouts
		base := rep.Cells[0].InFit
		withWarmup := append(append([]experiment.Trial{}, trials[:len(trials)-2]...), trials[len(trials)-1])
		rep = Build(run, cells, withWarmup, DefaultThresholds)
		if rep.Cells[0].TimedOut != 1 || rep.Cells[0].InFit != base || !base {
			t.Errorf("a timed-out warmup: timed out %d, in fit %v; want 1 and still in the fit", rep.Cells[0].TimedOut, rep.Cells[0].InFit)
		}
	})
}

func TestBuildContended(t *testing.T) {
	run, cells, trials := limitFixture()
	trials = trials[:len(trials)-2] // no timeouts here
	t.Run("Kept", func(t *testing.T) {
		rep := Build(run, cells, trials, DefaultThresholds)
		two := rep.Cells[1]
		if two.Contended != 3 || two.ExcludedContended != 0 || two.N != 7 {
			t.Errorf("2-worker cell: contended %d, excluded %d, n %d; want 3, 0, 7", two.Contended, two.ExcludedContended, two.N)
		}
		if want := "contended: 3 of 7 trials ran while other processes kept more than 0.2 CPUs busy (the cell's median: 0.00 CPUs), kept"; !strings.Contains(joinWarnings(two.Warnings), want) {
			t.Errorf("2-worker cell warnings %q, want %q", joinWarnings(two.Warnings), want)
		}
		if rep.Cells[0].Contended != 0 || hasWarning(rep.Cells[0].Warnings, ErrContended) || rep.Cells[0].OtherCPU != 0 {
			t.Errorf("1-worker cell: contended %d, other CPU %v, warnings %q; want none", rep.Cells[0].Contended, rep.Cells[0].OtherCPU, joinWarnings(rep.Cells[0].Warnings))
		}
		if want := "contended: 3 of 21 measured trials, in 1 cell, ran while other processes kept more than 0.2 CPUs busy: they are kept; exp report --exclude-contended leaves them out"; !strings.Contains(joinWarnings(rep.Warnings), want) {
			t.Errorf("run warnings %q, want %q", joinWarnings(rep.Warnings), want)
		}
	})
	t.Run("Excluded", func(t *testing.T) {
		th := DefaultThresholds
		th.ExcludeContended = true
		rep := Build(run, cells, trials, th)
		two := rep.Cells[1]
		if two.Contended != 3 || two.ExcludedContended != 3 || two.N != 4 {
			t.Errorf("2-worker cell: contended %d, excluded %d, n %d; want 3, 3, 4", two.Contended, two.ExcludedContended, two.N)
		}
		// The slowed trials are gone: the median is the clean cell's, 6 s.
		if math.Abs(two.Median-6) > 1e-9 {
			t.Errorf("2-worker median %v, want 6 without the contended trials", two.Median)
		}
		if want := "contended: 3 of 7 trials ran while other processes kept more than 0.2 CPUs busy (the cell's median: 0.00 CPUs), left out"; !strings.Contains(joinWarnings(two.Warnings), want) {
			t.Errorf("2-worker cell warnings %q, want %q", joinWarnings(two.Warnings), want)
		}
		if want := "contended: left out 3 contended of 21 measured trials, in 1 cell"; !strings.Contains(joinWarnings(rep.Warnings), want) {
			t.Errorf("run warnings %q, want %q", joinWarnings(rep.Warnings), want)
		}
		var b bytes.Buffer
		if err := WriteTable(&b, rep); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "CONTENDED") || !strings.Contains(b.String(), " 3 out ") {
			t.Errorf("table lacks the CONTENDED column with 3 out:\n%s", b.String())
		}
		// benchfmt writes the statistics' trials: the contended ones are out.
		b.Reset()
		if err := WriteBenchfmt(&b, rep); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(b.String(), "workers=2 "); n != 4 {
			t.Errorf("benchfmt has %d 2-worker lines, want 4", n)
		}
	})
	t.Run("Compare", func(t *testing.T) {
		th := DefaultThresholds
		th.ExcludeContended = true
		s := Side{Run: run, Cells: cells, Trials: trials}
		c := Compare(s, s, CompareOptions{Thresholds: th, Threshold: DefaultThreshold, Alpha: DefaultAlpha})
		for _, d := range c.Cells {
			if d.Workers == 2 && (d.NA != 4 || d.NB != 4) {
				t.Errorf("compare 2-worker cell: %d and %d trials, want 4 each without the contended ones", d.NA, d.NB)
			}
		}
	})
	t.Run("NotMeasured", func(t *testing.T) {
		run, cells, trials := fixture() // no trial measured other processes
		rep := Build(run, cells, trials, DefaultThresholds)
		if c := rep.Cells[1]; !math.IsNaN(c.OtherCPU) || contended(c) != "-" {
			t.Errorf("other CPU %v, column %q; want NaN and -", c.OtherCPU, contended(c))
		}
		if errors.Is(errors.Join(rep.Warnings...), ErrContended) {
			t.Errorf("run warnings %q, want none about contention", joinWarnings(rep.Warnings))
		}
	})
}
