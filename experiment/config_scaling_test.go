package experiment

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// synth is the start of a synthetic experiment file whose synthetic mapping
// is on line 3; the error tests below put their bad value there.
const synth = "name: x\nkernel: synthetic\n"

// synthWith returns a synthetic file with the given synthetic mapping on line 3.
func synthWith(mapping string) string { return synth + "synthetic: " + mapping + "\nworkers: [1]\n" }

// TestParseScalingAndSynthetic decodes the scaling, kernel synthetic and
// synthetic keys.
func TestParseScalingAndSynthetic(t *testing.T) {
	t.Parallel()
	sleep := &Synthetic{Serial: 10 * time.Millisecond, Parallel: 90 * time.Millisecond, Mode: ModeSleep}
	tests := []struct {
		name string
		in   string
		want Config // File and Source are not compared
	}{
		{
			"ScalingWeak", minimal + "scaling: weak\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "weak", Kernel: "primes", Ranges: []Range{{1, 5}},
				Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"ScalingStrongExplicit", minimal + "scaling: strong\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "primes", Ranges: []Range{{1, 5}},
				Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			// 2^62 numbers from 0, doubled, end exactly at 2^63-1.
			"WeakEndsAtMaxValue", "name: x\nranges: [{start: 0, count: 4611686018427387904}]\nworkers: [1, 2]\nscaling: weak\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "weak", Kernel: "primes", Ranges: []Range{{0, 1 << 62}},
				Workers: []int{1, 2}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			// The single range is the parallel part in microseconds, and
			// the schedules default to static.
			"Synthetic", syntheticMinimal,
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "synthetic", Synthetic: sleep,
				Ranges: []Range{{0, 90_000}}, Workers: []int{1, 2}, Schedules: []Schedule{Static}, Chunk: 8},
		},
		{
			"SyntheticBlockStyleSpinWeak", "name: x\nkernel: synthetic\nscaling: weak\nsynthetic:\n  serial: 0\n  parallel: \"1.5s\"\n  mode: spin\nworkers: [4]\nschedules: [static]\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "weak", Kernel: "synthetic",
				Synthetic: &Synthetic{Serial: 0, Parallel: 1500 * time.Millisecond, Mode: ModeSpin},
				Ranges:    []Range{{0, 1_500_000}}, Workers: []int{4}, Schedules: []Schedule{Static}, Chunk: 8},
		},
		{
			"SyntheticOtherUnits", synthWith("{serial: 1h2m3.000004s, parallel: 7us, mode: sleep}"),
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "synthetic",
				Synthetic: &Synthetic{Serial: time.Hour + 2*time.Minute + 3*time.Second + 4*time.Microsecond, Parallel: 7 * time.Microsecond, Mode: ModeSleep},
				Ranges:    []Range{{0, 7}}, Workers: []int{1}, Schedules: []Schedule{Static}, Chunk: 8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse("exp.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := *c
			got.File, got.Source = "", nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
			c.Schedules[0] = "mutated"
			if DefaultSyntheticSchedules[0] != Static {
				t.Fatal("Config.Schedules aliases DefaultSyntheticSchedules")
			}
		})
	}
}

// TestParseScalingAndSyntheticErrors pins the whole error line of every
// mistake in the scaling, kernel synthetic and synthetic keys.
func TestParseScalingAndSyntheticErrors(t *testing.T) {
	t.Parallel()
	const (
		serialAllowed   = "(must be a duration >= 0 such as 10ms, in whole microseconds; units ns, us, ms, s, m, h)"
		parallelAllowed = "(must be a duration > 0 such as 90ms, in whole microseconds; units ns, us, ms, s, m, h)"
	)
	tests := []struct {
		name string
		in   string
		want string // the whole error line
	}{
		// scaling.
		{"ErrUnknownScaling", minimal + "scaling: medium\n", `exp.yaml:4:10: scaling: unknown scaling "medium" (allowed: strong, weak)`},
		{"ErrScalingInteger", minimal + "scaling: 2\n", "exp.yaml:4:10: scaling: is an integer (must be a non-empty string)"},
		{"ErrScalingEmpty", minimal + "scaling:\n", "exp.yaml:4:10: scaling: is empty (must be a non-empty string)"},
		{"ErrWeakEndPastMaxValue", "name: x\nranges: [{start: 0, count: 4611686018427387905}]\nworkers: [1, 2]\nscaling: weak\n",
			"exp.yaml:2:28: ranges[0].count: with scaling weak the 2-worker cell tests count x 2 numbers, which ends past 9223372036854775807 (start+count*2-1 must be <= 2^63-1, SQLite's INTEGER limit)"},
		{"ErrWeakEndPastMaxValueBlockStyle", "name: x\nranges:\n  - {start: 1, count: 5}\n  - start: 9223372036854775800\n    count: 3\nworkers: [4, 1]\nscaling: weak\n",
			"exp.yaml:5:12: ranges[1].count: with scaling weak the 4-worker cell tests count x 4 numbers, which ends past 9223372036854775807 (start+count*4-1 must be <= 2^63-1, SQLite's INTEGER limit)"},

		// kernel synthetic and the keys it takes or refuses.
		{"ErrSyntheticMissing", synth + "workers: [1]\n", "exp.yaml:2:9: synthetic: is required with kernel synthetic (add synthetic: {serial: 10ms, parallel: 90ms, mode: sleep})"},
		{"ErrSyntheticWithPrimes", minimal + "synthetic: {serial: 10ms, parallel: 90ms, mode: sleep}\n",
			`exp.yaml:4:1: synthetic: is only for kernel synthetic (kernel is "primes"; remove it, or set kernel: synthetic)`},
		{"ErrRangesWithSynthetic", syntheticMinimal + "ranges: [{start: 1, count: 5}]\n",
			"exp.yaml:5:1: ranges: is not used by kernel synthetic (remove it: the work is synthetic.parallel, split in 1us units)"},
		{"ErrChunkedWithSynthetic", syntheticMinimal + "schedules: [static, chunked]\n",
			`exp.yaml:5:21: schedules[1]: schedule "chunked" does not apply to kernel synthetic, where each worker does one even share (allowed: static)`},
		{"ErrPerItemWithSynthetic", syntheticMinimal + "schedules: [per-item]\n",
			`exp.yaml:5:13: schedules[0]: schedule "per-item" does not apply to kernel synthetic, where each worker does one even share (allowed: static)`},
		{"ErrUnknownScheduleWithSynthetic", syntheticMinimal + "schedules: [dynamic]\n",
			`exp.yaml:5:13: schedules[0]: unknown schedule "dynamic" (allowed: per-item, chunked, static)`},

		// The synthetic mapping.
		{"ErrSyntheticEmpty", synth + "synthetic:\nworkers: [1]\n", "exp.yaml:3:11: synthetic: is empty (must be a mapping of keys to values)"},
		{"ErrSyntheticScalar", synthWith("90ms"), "exp.yaml:3:12: synthetic: is a string (must be a mapping of keys to values)"},
		{"ErrSyntheticUnknownField", synthWith("{serial: 10ms, parallel: 90ms, mode: sleep, io: 1}"),
			"exp.yaml:3:56: synthetic.io: unknown field (allowed: serial, parallel, mode, process_jitter)"},
		{"ErrSerialMissing", synthWith("{parallel: 90ms, mode: sleep}"),
			"exp.yaml:3:12: synthetic.serial: is required (synthetic is {serial: DURATION, parallel: DURATION, mode: sleep or spin})"},
		{"ErrParallelMissing", synthWith("{serial: 10ms, mode: sleep}"),
			"exp.yaml:3:12: synthetic.parallel: is required (synthetic is {serial: DURATION, parallel: DURATION, mode: sleep or spin})"},
		{"ErrModeMissing", synthWith("{serial: 10ms, parallel: 90ms}"),
			"exp.yaml:3:12: synthetic.mode: is required (synthetic is {serial: DURATION, parallel: DURATION, mode: sleep or spin})"},
		{"ErrSerialNegative", synthWith("{serial: -10ms, parallel: 90ms, mode: sleep}"), "exp.yaml:3:21: synthetic.serial: -10ms is negative " + serialAllowed},
		{"ErrSerialBadString", synthWith("{serial: 10 ms, parallel: 90ms, mode: sleep}"), `exp.yaml:3:21: synthetic.serial: cannot read "10 ms" as a duration ` + serialAllowed},
		{"ErrSerialUnknownUnit", synthWith("{serial: 10d, parallel: 90ms, mode: sleep}"), `exp.yaml:3:21: synthetic.serial: cannot read "10d" as a duration ` + serialAllowed},
		{"ErrSerialNoUnit", synthWith("{serial: 10, parallel: 90ms, mode: sleep}"), "exp.yaml:3:21: synthetic.serial: 10 has no unit " + serialAllowed},
		{"ErrSerialFloat", synthWith("{serial: 1.5, parallel: 90ms, mode: sleep}"), `exp.yaml:3:21: synthetic.serial: got a float "1.5" ` + serialAllowed},
		{"ErrSerialBool", synthWith("{serial: true, parallel: 90ms, mode: sleep}"), `exp.yaml:3:21: synthetic.serial: got a boolean "true" ` + serialAllowed},
		{"ErrSerialNull", synthWith("{serial: null, parallel: 90ms, mode: sleep}"), "exp.yaml:3:21: synthetic.serial: has no value " + serialAllowed},
		{"ErrSerialSubMicrosecond", synthWith("{serial: 10500ns, parallel: 90ms, mode: sleep}"),
			"exp.yaml:3:21: synthetic.serial: 10500ns is not a whole number of microseconds " + serialAllowed},
		{"ErrParallelZero", synthWith("{serial: 10ms, parallel: 0s, mode: sleep}"), "exp.yaml:3:37: synthetic.parallel: 0s is zero " + parallelAllowed},
		{"ErrParallelBareZero", synthWith("{serial: 10ms, parallel: 0, mode: sleep}"), "exp.yaml:3:37: synthetic.parallel: 0 is zero " + parallelAllowed},
		{"ErrParallelNegative", synthWith("{serial: 10ms, parallel: -1s, mode: sleep}"), "exp.yaml:3:37: synthetic.parallel: -1s is negative " + parallelAllowed},
		{"ErrParallelSubMicrosecond", synthWith("{serial: 10ms, parallel: 1500ns, mode: sleep}"),
			"exp.yaml:3:37: synthetic.parallel: 1500ns is not a whole number of microseconds " + parallelAllowed},
		{"ErrParallelOverflow", synthWith("{serial: 10ms, parallel: 3000000h, mode: sleep}"),
			`exp.yaml:3:37: synthetic.parallel: cannot read "3000000h" as a duration ` + parallelAllowed},
		{"ErrParallelList", synthWith("{serial: 10ms, parallel: [90ms], mode: sleep}"), "exp.yaml:3:37: synthetic.parallel: is a list " + parallelAllowed},
		{"ErrUnknownMode", synthWith("{serial: 10ms, parallel: 90ms, mode: busy}"), `exp.yaml:3:49: synthetic.mode: unknown mode "busy" (allowed: sleep, spin)`},
		{"ErrModeCase", synthWith("{serial: 10ms, parallel: 90ms, mode: Sleep}"), `exp.yaml:3:49: synthetic.mode: unknown mode "Sleep" (allowed: sleep, spin)`},
		{"ErrModeInteger", synthWith("{serial: 10ms, parallel: 90ms, mode: 1}"), "exp.yaml:3:49: synthetic.mode: is an integer (must be a non-empty string)"},
		{"ErrSyntheticAnchor", synthWith("&s {serial: 10ms, parallel: 90ms, mode: sleep}"),
			"exp.yaml:3:12: synthetic: anchors, aliases, tags and merge keys are not supported (write the value out)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ce := parseErr(t, tt.in)
			if got := ce.Error(); got != tt.want {
				t.Errorf("Parse(%q)\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
			if !strings.HasPrefix(tt.want, fmt.Sprintf("exp.yaml:%d:%d: %s: ", ce.Line, ce.Col, ce.Field)) {
				t.Errorf("Line, Col, Field = %d, %d, %q do not match the message", ce.Line, ce.Col, ce.Field)
			}
		})
	}
}
