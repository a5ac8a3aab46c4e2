package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/host"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewUUIDv7(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		t      time.Time
		prefix string // first 12 hex digits: Unix milliseconds, 48 bits big-endian
	}{
		{"Epoch", time.UnixMilli(0), "000000000000"},
		{"OneMilli", time.UnixMilli(1), "000000000001"},
		{"Y2025", time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC), fmt.Sprintf("%012x", time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC).UnixMilli())},
		{"SubMilliIgnored", time.UnixMilli(1700000000123).Add(999 * time.Microsecond), fmt.Sprintf("%012x", 1700000000123)},
		{"Max48Bits", time.UnixMilli(1<<48 - 1), "ffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := newUUIDv7(tt.t)
			if err != nil {
				t.Fatal(err)
			}
			if len(id) != 36 || !uuidV7.MatchString(id) {
				t.Fatalf("newUUIDv7 = %q, not a version 7, variant 10 UUID", id)
			}
			if got := strings.ReplaceAll(id, "-", "")[:12]; got != tt.prefix {
				t.Errorf("time prefix %s, want %s", got, tt.prefix)
			}
		})
	}
	t.Run("OrderedByTime", func(t *testing.T) {
		base := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
		prev := ""
		for i := range 200 {
			id, err := newUUIDv7(base.Add(time.Duration(i) * time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if id <= prev {
				t.Fatalf("%s (ms %d) sorts before %s", id, i, prev)
			}
			prev = id
		}
	})
	t.Run("UniqueWithinAMillisecond", func(t *testing.T) {
		now := time.Now()
		seen := map[string]bool{}
		for range 1000 {
			id, err := newUUIDv7(now)
			if err != nil {
				t.Fatal(err)
			}
			if seen[id] {
				t.Fatalf("duplicate %s", id)
			}
			seen[id] = true
		}
	})
}

func TestNewRun(t *testing.T) {
	t.Parallel()
	src := minimal + "seed: 3\nrepeats: 4\nwarmup: 2\nchunk: 16\n"
	c, err := Parse("dir/exp.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(c, 99)
	h := host.Host{GoVersion: "go1.26.8", NumCPU: 2}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	r, err := NewRun(p, h, now)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(src))
	abs, _ := filepath.Abs("dir/exp.yaml")
	want := Run{
		UUID: r.UUID, Name: "x", Status: StatusRunning, StartedAt: now.UTC(),
		ConfigPath: abs, ConfigYAML: src, ConfigSHA256: hex.EncodeToString(sum[:]),
		Seed: 99, Kernel: "primes", Scaling: "strong", CPUBound: true, Repeats: 4, Warmup: 2, Chunk: 16, Host: h, Batch: BatchJob{ArrayTaskID: -1},
		ProcessInvocations: 1,
	}
	if r != want {
		t.Errorf("NewRun =\n%+v\nwant\n%+v", r, want)
	}
	if r.StartedAt.Location() != time.UTC {
		t.Errorf("StartedAt %v is not UTC", r.StartedAt)
	}
	if !uuidV7.MatchString(r.UUID) || strings.ReplaceAll(r.UUID, "-", "")[:12] != fmt.Sprintf("%012x", now.UnixMilli()) {
		t.Errorf("UUID %s is not a v7 UUID for %v", r.UUID, now)
	}
	if r2, _ := NewRun(p, h, now); r2.UUID == r.UUID {
		t.Error("two runs got the same UUID")
	}
}

// TestNewRunScalingAndCPUBound: Run.Scaling and Run.CPUBound come from the
// file; a hand-built Config without a scaling is strong.
func TestNewRunScalingAndCPUBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src   string
		wantScaling string
		wantCPU     bool
	}{
		{"PrimesStrong", minimal, "strong", true},
		{"PrimesWeak", minimal + "scaling: weak\n", "weak", true},
		{"SyntheticSleep", syntheticMinimal, "strong", false},
		{"SyntheticSpinWeak", strings.Replace(syntheticMinimal, "sleep", "spin", 1) + "scaling: weak\n", "weak", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("exp.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewRun(NewPlan(c, 1), host.Host{}, time.Now())
			if err != nil || r.Scaling != tc.wantScaling || r.CPUBound != tc.wantCPU || c.CPUBound() != tc.wantCPU {
				t.Errorf("NewRun = Scaling %q, CPUBound %v, %v; want %q, %v", r.Scaling, r.CPUBound, err, tc.wantScaling, tc.wantCPU)
			}
		})
	}
	t.Run("HandBuiltConfigIsStrong", func(t *testing.T) {
		c := &Config{Name: "x", Repeats: 1, Kernel: "primes", Ranges: []Range{{0, 10}}, Workers: []int{1}, Schedules: []Schedule{Static}}
		if r, err := NewRun(NewPlan(c, 1), host.Host{}, time.Now()); err != nil || r.Scaling != ScalingStrong || !r.CPUBound {
			t.Errorf("NewRun = Scaling %q, CPUBound %v, %v; want strong, true", r.Scaling, r.CPUBound, err)
		}
	})
}

func TestConclude(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sum        Summary
		err        error
		wantStatus Status
		wantMsg    string
	}{
		{"Done", Summary{Trials: 6}, nil, StatusDone, ""},
		{"WrongAnswers", Summary{Trials: 6, Failed: 2}, nil, StatusFailed, "2 of 6 trials found a wrong answer"},
		{"Interrupted", Summary{Trials: 3, Failed: 1}, fmt.Errorf("stop: %w", ErrInterrupted), StatusInterrupted, "interrupted after 3 of 6 trials"},
		{"Broken", Summary{Trials: 3}, errors.New("disk full"), StatusFailed, "disk full"},
		{"Stopped", Summary{Trials: 3}, fmt.Errorf("save trial 3: database is locked: %w", ErrStopped), StatusInterrupted,
			"stopped after 3 of 6 trials: save trial 3: database is locked: stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s, m := Conclude(tc.sum, 6, tc.err); s != tc.wantStatus || m != tc.wantMsg {
				t.Errorf("Conclude = %q, %q; want %q, %q", s, m, tc.wantStatus, tc.wantMsg)
			}
		})
	}
}
