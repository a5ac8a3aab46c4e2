package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// minimal is the smallest valid experiment file; bad inputs below append to
// it, so their errors are on line 4 or later.
const minimal = "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1]\n"

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Config // File and Source are checked separately
	}{
		{
			"DefaultsApplied", minimal,
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "primes", Ranges: []Range{{1, 5}},
				Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"AllKeysSet", `# every key, block style
name: "all keys"     # quoted
database: results/all.db
seed: 0
repeats: 3
warmup: 0
kernel: primes
ranges:
  - start: 10000000000000
    count: 1000
  - {start: 0, count: 100}
workers:
  - 1
  - 2
  - 4
schedules: [static, per-item, chunked]
chunk: 64
`,
			Config{Name: "all keys", Database: "results/all.db", Seed: 0, HasSeed: true, Repeats: 3, Warmup: 0,
				Scaling: "strong", Kernel: "primes", Ranges: []Range{{10_000_000_000_000, 1000}, {0, 100}}, Workers: []int{1, 2, 4},
				Schedules: []Schedule{Static, PerItem, Chunked}, Chunk: 64},
		},
		{
			"KeyOrderFree", "workers: [2]\nchunk: 1\nranges: [{count: 7, start: 3}]\nseed: 42\nname: z\n",
			Config{Name: "z", Seed: 42, HasSeed: true, Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "primes",
				Ranges: []Range{{3, 7}}, Workers: []int{2}, Schedules: []Schedule{Chunked}, Chunk: 1},
		},
		{
			"NegativeZero", minimal + "seed: -0\n",
			Config{Name: "x", Seed: 0, HasSeed: true, Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "primes",
				Ranges: []Range{{1, 5}}, Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"Limits", "name: x\nranges: [{start: 9223372036854775807, count: 1}, {start: 0, count: 9223372036854775807}]\n" +
				"workers: [65536]\nseed: 9223372036854775807\nrepeats: 1048576\nwarmup: 1048576\nchunk: 9223372036854775807\n",
			Config{Name: "x", Seed: 1<<63 - 1, HasSeed: true, Repeats: MaxRepeats, Warmup: MaxRepeats, Scaling: "strong", Kernel: "primes",
				Ranges: []Range{{MaxValue, 1}, {0, MaxValue}}, Workers: []int{MaxWorkers}, Schedules: []Schedule{Chunked}, Chunk: 1<<63 - 1},
		},
		{
			"QuotedKeysAndNames", "\"name\": '42'\n'ranges': [{\"start\": 1, count: 5}]\nworkers: [1]\n",
			Config{Name: "42", Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "primes", Ranges: []Range{{1, 5}},
				Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"ExplicitDocumentMarkers", "---\n" + minimal + "...\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Scaling: "strong", Kernel: "primes", Ranges: []Range{{1, 5}},
				Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.in)
			c, err := Parse("exp.yaml", data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.File != "exp.yaml" || string(c.Source) != tt.in {
				t.Errorf("File, Source = %q, %q; want exp.yaml and the input", c.File, c.Source)
			}
			got := *c
			got.File, got.Source = "", nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
			// Source is a copy, and the defaults are not shared.
			if len(data) > 0 {
				data[0] ^= 0xff
				if string(c.Source) != tt.in {
					t.Error("Config.Source aliases the input slice")
				}
			}
			c.Schedules[0] = "mutated"
			if DefaultSchedules[0] != Chunked {
				t.Fatal("Config.Schedules aliases DefaultSchedules")
			}
		})
	}
}

func TestParseExperimentsYAML(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "experiments.yaml")
	c, err := Load(t.Context(), path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != path || string(c.Source) != string(data) {
		t.Errorf("File, Source do not match %s", path)
	}
	if c.Name == "" || len(c.Ranges) == 0 || len(c.Workers) == 0 || len(c.Schedules) == 0 || c.NewKernel() == nil {
		t.Errorf("Load(%s) = %+v", path, c)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	t.Run("ReadsFile", func(t *testing.T) {
		path := filepath.Join(dir, "ok.yaml")
		if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(t.Context(), path)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if c.File != path || c.Name != "x" {
			t.Errorf("Load = %+v", c)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		path := filepath.Join(dir, "missing.yaml")
		c, err := Load(t.Context(), path)
		var ce *ConfigError
		if c != nil || !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
			t.Fatalf("Load(missing) = %v, %T %v; want a *ConfigError", c, err, err)
		}
		if ce.File != path || ce.Line != 0 || ce.Field != "" || !strings.HasPrefix(ce.Msg, "cannot read experiment file: ") {
			t.Errorf("Load(missing) = %+v", *ce)
		}
		if want := path + ": cannot read experiment file: "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Error() = %q, want prefix %q", err, want)
		}
	})
	t.Run("ErrDirectory", func(t *testing.T) {
		_, err := Load(t.Context(), dir)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.File != dir {
			t.Fatalf("Load(dir) = %T %v; want a *ConfigError", err, err)
		}
	})
	t.Run("ErrPositionsNameTheFile", func(t *testing.T) {
		path := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(path, []byte(minimal+"repeats: 0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(t.Context(), path)
		if want := path + ":4:10: repeats: 0 is out of range (must be an integer from 1 to 1048576)"; err == nil || err.Error() != want {
			t.Errorf("Load = %v, want %s", err, want)
		}
	})
}

func TestConfigErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    ConfigError
		want string
	}{
		{"WithPositionAndField", ConfigError{"a.yaml", 3, 7, "ranges[0].count", "bad", nil}, "a.yaml:3:7: ranges[0].count: bad"},
		{"WithPositionNoField", ConfigError{"a.yaml", 1, 1, "", "bad", nil}, "a.yaml:1:1: bad"},
		{"NoPosition", ConfigError{"a.yaml", 0, 0, "", "cannot read", nil}, "a.yaml: cannot read"},
		{"NoPositionWithField", ConfigError{"a.yaml", 0, 0, "name", "bad", nil}, "a.yaml: name: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(&tt.e, ErrConfig) || errors.Is(&tt.e, ErrInterrupted) {
				t.Error("ConfigError must match ErrConfig and only it")
			}
		})
	}
}

func TestRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    Range
		last uint64
		str  string
	}{
		{Range{0, 1}, 0, "[0, +1)"},
		{Range{10, 5}, 14, "[10, +5)"},
		{Range{MaxValue, 1}, MaxValue, "[9223372036854775807, +1)"},
		{Range{0, MaxValue}, MaxValue - 1, "[0, +9223372036854775807)"},
	}
	for _, tt := range tests {
		if got := tt.r.Last(); got != tt.last {
			t.Errorf("%+v.Last() = %d, want %d", tt.r, got, tt.last)
		}
		if got := tt.r.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.str)
		}
	}
}

func TestKernelNames(t *testing.T) {
	t.Parallel()
	names := KernelNames()
	if !slices.IsSorted(names) || len(names) != len(Kernels) || !slices.Contains(names, "primes") {
		t.Errorf("KernelNames() = %v", names)
	}
}

// FuzzParse checks that Parse never panics, that every error is a one-line
// *ConfigError naming the file, and that every accepted config satisfies
// the documented invariants.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		minimal,
		"",
		"name: x\nranges: [{start: 18446744073709551616, count: 1}]\nworkers: [1]\n",
		"name: x\nranges: [{start: 9223372036854775807, count: 1}]\nworkers: [65536]\nseed: 9223372036854775807\n",
		"name: x\nranges: [{start: 0x10_0000, count: 1_000}]\nworkers: [0b11, 010, +5]\n",
		"name: &a x\nworkers: *a\n",
		"- 1\n",
		"a: 1\n---\nb: 2\n",
		syntheticMinimal,
		"name: x\nkernel: synthetic\nscaling: weak\nsynthetic: {serial: 0, parallel: 1us, mode: spin}\nworkers: [65536]\n",
		"name: x\nscaling: weak\nranges: [{start: 9223372036854775800, count: 2}]\nworkers: [1, 4]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("error %T %v is not a *ConfigError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yaml") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line starting with the file name: %q", msg)
			}
			if c != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		checkConfig(t, c, data)
	})
}

// checkConfig fails unless c satisfies every invariant Parse promises.
func checkConfig(tb testing.TB, c *Config, data []byte) {
	tb.Helper()
	if c.File != "fuzz.yaml" || string(c.Source) != string(data) {
		tb.Errorf("File, Source = %q, %q", c.File, c.Source)
	}
	if c.Name == "" || (c.HasSeed && c.Seed < 0) || (!c.HasSeed && c.Seed != 0) {
		tb.Errorf("Name, Seed, HasSeed = %q, %d, %v", c.Name, c.Seed, c.HasSeed)
	}
	if c.Repeats < 1 || c.Repeats > MaxRepeats || c.Warmup < 0 || c.Warmup > MaxRepeats || c.Chunk < 1 {
		tb.Errorf("Repeats, Warmup, Chunk = %d, %d, %d", c.Repeats, c.Warmup, c.Chunk)
	}
	if c.NewKernel() == nil {
		tb.Errorf("Kernel %q is not registered", c.Kernel)
	}
	if (c.Kernel == "synthetic") != (c.Synthetic != nil) {
		tb.Errorf("Kernel %q with Synthetic %+v", c.Kernel, c.Synthetic)
	}
	if c.Scaling != ScalingStrong && c.Scaling != ScalingWeak {
		tb.Errorf("Scaling = %q", c.Scaling)
	}
	if c.Synthetic != nil {
		s := c.Synthetic
		if s.Serial < 0 || s.Parallel <= 0 || s.Serial%SyntheticUnit != 0 || s.Parallel%SyntheticUnit != 0 ||
			!slices.Contains(SyntheticModes, s.Mode) || !slices.Equal(c.Schedules, []Schedule{Static}) ||
			!slices.Equal(c.Ranges, []Range{{0, uint64(s.Parallel / SyntheticUnit)}}) {
			tb.Errorf("Synthetic = %+v with schedules %v and ranges %v", s, c.Schedules, c.Ranges)
		}
	}
	if c.Scaling == ScalingWeak {
		w := uint64(slices.Max(c.Workers))
		for i, r := range c.Ranges {
			if r.Count*w/w != r.Count || r.Start+r.Count*w-1 > MaxValue {
				tb.Errorf("ranges[%d] = %+v overflows with %d workers under weak scaling", i, r, w)
			}
		}
	}
	if len(c.Ranges) == 0 || len(c.Workers) == 0 || len(c.Schedules) == 0 {
		tb.Errorf("empty list in %+v", c)
	}
	if len(c.Source) > MaxFileSize || len(c.Ranges) > MaxRanges || len(c.Workers) > MaxWorkerCounts || len(c.Schedules) > MaxSchedules {
		tb.Errorf("past the limits: %d bytes, %d ranges, %d worker counts, %d schedules", len(c.Source), len(c.Ranges), len(c.Workers), len(c.Schedules))
	}
	for i, r := range c.Ranges {
		if r.Count < 1 || r.Start > MaxValue || r.Last() > MaxValue || r.Last() < r.Start {
			tb.Errorf("ranges[%d] = %+v out of bounds", i, r)
		}
		if slices.Index(c.Ranges, r) != i {
			tb.Errorf("ranges[%d] = %+v is a duplicate", i, r)
		}
	}
	for i, w := range c.Workers {
		if w < 1 || w > MaxWorkers || slices.Index(c.Workers, w) != i {
			tb.Errorf("workers[%d] = %d", i, w)
		}
	}
	for i, s := range c.Schedules {
		if !slices.Contains(Schedules, s) || slices.Index(c.Schedules, s) != i {
			tb.Errorf("schedules[%d] = %q", i, s)
		}
	}
}

// TestParseExamples loads every file in examples/: each must stay valid, and
// the synthetic ones must keep their documented settings.
func TestParseExamples(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil || len(paths) < 3 {
		t.Fatalf("examples: %v, %v", paths, err)
	}
	for _, path := range paths {
		c, err := Load(t.Context(), path)
		if err != nil {
			t.Errorf("Load(%s): %v", path, err)
			continue
		}
		if !c.HasSeed || c.TrialCount() > 100 {
			t.Errorf("%s: seed fixed %v, %.0f trials; want a fixed seed and a quick run", path, c.HasSeed, c.TrialCount())
		}
		if s := c.Synthetic; s != nil && (s.Serial != 10*time.Millisecond || s.Parallel != 90*time.Millisecond) {
			t.Errorf("%s: %v, want serial 10ms and parallel 90ms (true B = 0.10)", path, s)
		}
	}
}
