package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// minimal is the smallest valid experiment file; bad inputs below append to
// it, so their errors are on line 4 or later.
const minimal = "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1]\n"

// parseErr parses in as exp.yaml and returns its *ConfigError, failing if
// Parse succeeded or returned anything else.
func parseErr(tb testing.TB, in string) *ConfigError {
	tb.Helper()
	c, err := Parse("exp.yaml", []byte(in))
	if err == nil {
		tb.Fatalf("Parse(%q) = %+v, want an error", in, c)
	}
	if c != nil {
		tb.Errorf("Parse(%q) returned a config with its error", in)
	}
	if !errors.Is(err, ErrConfig) {
		tb.Errorf("Parse(%q): errors.Is(%v, ErrConfig) = false", in, err)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		tb.Fatalf("Parse(%q) = %T %v, want a *ConfigError", in, err, err)
	}
	if ce.File != "exp.yaml" {
		tb.Errorf("Parse(%q): File = %q, want exp.yaml", in, ce.File)
	}
	if strings.Contains(err.Error(), "\n") {
		tb.Errorf("Parse(%q): error is not one line: %q", in, err)
	}
	return ce
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // the whole error line
	}{
		// The file as a whole.
		{"ErrEmptyFile", "", "exp.yaml:1:1: the file is empty (an experiment needs at least name, ranges and workers)"},
		{"ErrOnlyComments", "# nothing here\n", "exp.yaml:1:1: the file is empty (an experiment needs at least name, ranges and workers)"},
		{"ErrOnlyDocumentMarker", "---\n", "exp.yaml:1:1: the file is empty (an experiment needs at least name, ranges and workers)"},
		{"ErrTwoDocuments", minimal + "---\nname: y\n", "exp.yaml:5:5: the file holds 2 YAML documents; exp reads exactly one"},
		{"ErrTopLevelList", "- name: x\n- workers: [1]\n", "exp.yaml:1:1: the file must be a mapping of keys to values, got a list"},
		{"ErrTopLevelScalar", "hello\n", "exp.yaml:1:1: the file must be a mapping of keys to values, got a string"},
		{"ErrAnchoredFile", "&top\nname: x\n", "exp.yaml:1:1: anchors, aliases, tags and merge keys are not supported (write the value out)"},

		// Keys.
		{"ErrUnknownField", minimal + "bogus: 1\n", "exp.yaml:4:1: bogus: unknown field (allowed: name, database, seed, repeats, warmup, kernel, ranges, workers, schedules, chunk)"},
		{"ErrUnknownFieldCase", minimal + "Repeats: 3\n", "exp.yaml:4:1: Repeats: unknown field (allowed: name, database, seed, repeats, warmup, kernel, ranges, workers, schedules, chunk)"},
		{"ErrUnknownFieldInRange", "name: x\nranges: [{start: 1, count: 5, end: 3}]\nworkers: [1]\n", "exp.yaml:2:31: ranges[0].end: unknown field (allowed: start, count)"},
		{"ErrUnknownFieldInSecondRange", "name: x\nranges:\n  - {start: 1, count: 5}\n  - start: 9\n    cnt: 5\nworkers: [1]\n", "exp.yaml:5:5: ranges[1].cnt: unknown field (allowed: start, count)"},
		{"ErrMergeKey", "<<: {name: x}\n", "exp.yaml:1:1: \"<<\": unknown field (allowed: name, database, seed, repeats, warmup, kernel, ranges, workers, schedules, chunk)"},
		{"ErrMissingName", "ranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:1: name: is required"},
		{"ErrMissingRanges", "name: x\nworkers: [1]\n", "exp.yaml:1:1: ranges: is required"},
		{"ErrMissingWorkers", "name: x\nranges: [{start: 1, count: 5}]\n", "exp.yaml:1:1: workers: is required"},
		{"ErrMissingCount", "name: x\nranges: [{start: 1}]\nworkers: [1]\n", "exp.yaml:2:10: ranges[0].count: is required (a range is {start: N, count: N})"},
		{"ErrMissingStart", "name: x\nranges:\n  - count: 4\nworkers: [1]\n", "exp.yaml:3:10: ranges[0].start: is required (a range is {start: N, count: N})"},

		// Strings.
		{"ErrNameInteger", "name: 3\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:7: name: must be a non-empty string, got an integer"},
		{"ErrNameEmpty", "name:\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:6: name: must be a non-empty string, got empty"},
		{"ErrNameList", "name: [a]\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:7: name: must be a non-empty string, got a list"},
		{"ErrDatabaseBool", minimal + "database: false\n", "exp.yaml:4:11: database: must be a non-empty string, got a boolean"},
		{"ErrUnknownKernel", minimal + "kernel: sieve\n", `exp.yaml:4:9: kernel: unknown kernel "sieve" (allowed: primes)`},

		// Integers.
		{"ErrQuotedInt", minimal + "repeats: \"3\"\n", `exp.yaml:4:10: repeats: must be an integer from 1 to 1048576, got a string "3"`},
		{"ErrSingleQuotedInt", minimal + "repeats: '3'\n", `exp.yaml:4:10: repeats: must be an integer from 1 to 1048576, got a string "3"`},
		{"ErrFloat", minimal + "repeats: 1.5\n", `exp.yaml:4:10: repeats: must be an integer from 1 to 1048576, got a float "1.5"`},
		{"ErrWholeFloat", minimal + "seed: 1.0\n", `exp.yaml:4:7: seed: must be an integer from 0 to 9223372036854775807, got a float "1.0"`},
		{"ErrExponent", minimal + "chunk: 1e3\n", `exp.yaml:4:8: chunk: must be an integer from 1 to 9223372036854775807, got a string "1e3"`}, // go-yaml reads 1e3 as a string
		{"ErrExponentFloat", minimal + "chunk: 1.0e3\n", `exp.yaml:4:8: chunk: must be an integer from 1 to 9223372036854775807, got a float "1.0e3"`},
		{"ErrInfinity", minimal + "seed: .inf\n", `exp.yaml:4:7: seed: must be an integer from 0 to 9223372036854775807, got a float ".inf"`},
		{"ErrNaN", minimal + "seed: .nan\n", `exp.yaml:4:7: seed: must be an integer from 0 to 9223372036854775807, got a float ".nan"`},
		{"ErrBool", minimal + "warmup: true\n", `exp.yaml:4:9: warmup: must be an integer from 0 to 1048576, got a boolean "true"`},
		{"ErrNull", minimal + "warmup: null\n", "exp.yaml:4:9: warmup: has no value (must be an integer from 0 to 1048576)"},
		{"ErrTilde", minimal + "warmup: ~\n", "exp.yaml:4:9: warmup: has no value (must be an integer from 0 to 1048576)"},
		{"ErrNoValue", minimal + "repeats:\n", "exp.yaml:4:10: repeats: has no value (must be an integer from 1 to 1048576)"},
		{"ErrNegative", minimal + "seed: -1\n", "exp.yaml:4:7: seed: must be an integer from 0 to 9223372036854775807, got -1"},
		{"ErrWarmupNegative", minimal + "warmup: -1\n", "exp.yaml:4:9: warmup: must be an integer from 0 to 1048576, got -1"},
		{"ErrOverflowUint64", minimal + "seed: 18446744073709551616\n", "exp.yaml:4:7: seed: 18446744073709551616 overflows uint64 (must be an integer from 0 to 9223372036854775807)"},
		{"ErrOverflowHuge", "name: x\nranges: [{start: 123456789012345678901234567890, count: 5}]\nworkers: [1]\n", "exp.yaml:2:18: ranges[0].start: 123456789012345678901234567890 overflows uint64 (must be an integer from 0 to 9223372036854775807)"},
		{"ErrMaxUint64", minimal + "seed: 18446744073709551615\n", "exp.yaml:4:7: seed: must be an integer from 0 to 9223372036854775807, got 18446744073709551615"},
		{"ErrSeedPastInt64", minimal + "seed: 9223372036854775808\n", "exp.yaml:4:7: seed: must be an integer from 0 to 9223372036854775807, got 9223372036854775808"},
		{"ErrRepeatsZero", minimal + "repeats: 0\n", "exp.yaml:4:10: repeats: must be an integer from 1 to 1048576, got 0"},
		{"ErrRepeatsTooMany", minimal + "repeats: 1048577\n", "exp.yaml:4:10: repeats: must be an integer from 1 to 1048576, got 1048577"},
		{"ErrWarmupTooMany", minimal + "warmup: 0x100001\n", "exp.yaml:4:9: warmup: must be an integer from 0 to 1048576, got 0x100001"},
		{"ErrChunkZero", minimal + "chunk: 0\n", "exp.yaml:4:8: chunk: must be an integer from 1 to 9223372036854775807, got 0"},
		{"ErrChunkList", minimal + "chunk: [8]\n", "exp.yaml:4:8: chunk: must be an integer from 1 to 9223372036854775807, got a list \"[\""},

		// Ranges.
		{"ErrRangesEmpty", "name: x\nranges: []\nworkers: [1]\n", "exp.yaml:2:9: ranges: must not be empty"},
		{"ErrRangesMapping", "name: x\nranges: {start: 1, count: 5}\nworkers: [1]\n", "exp.yaml:2:9: ranges: must be a list, got a mapping"},
		{"ErrRangeInteger", "name: x\nranges: [3]\nworkers: [1]\n", "exp.yaml:2:10: ranges[0]: this must be a mapping of keys to values, got an integer"},
		{"ErrCountZero", "name: x\nranges: [{start: 1, count: 0}]\nworkers: [1]\n", "exp.yaml:2:28: ranges[0].count: must be an integer from 1 to 9223372036854775807, got 0"},
		{"ErrStartPastMaxValue", "name: x\nranges: [{start: 9223372036854775808, count: 1}]\nworkers: [1]\n", "exp.yaml:2:18: ranges[0].start: must be an integer from 0 to 9223372036854775807, got 9223372036854775808"},
		{"ErrEndPastMaxValue", "name: x\nranges: [{start: 9223372036854775807, count: 2}]\nworkers: [1]\n", "exp.yaml:2:46: ranges[0].count: range ends past the largest supported number 9223372036854775807 (2^63-1, SQLite's INTEGER limit): start+count-1 must be <= it"},
		{"ErrEndPastMaxValueFromZero", "name: x\nranges: [{start: 2, count: 9223372036854775807}]\nworkers: [1]\n", "exp.yaml:2:28: ranges[0].count: range ends past the largest supported number 9223372036854775807 (2^63-1, SQLite's INTEGER limit): start+count-1 must be <= it"},
		{"ErrDuplicateRange", "name: x\nranges: [{start: 1, count: 2}, {count: 2, start: 1}]\nworkers: [1]\n", "exp.yaml:2:32: ranges[1]: duplicate of ranges[0]"},

		// Workers and schedules.
		{"ErrWorkersEmpty", "name: x\nranges: [{start: 1, count: 5}]\nworkers: []\n", "exp.yaml:3:10: workers: must not be empty"},
		{"ErrWorkersScalar", "name: x\nranges: [{start: 1, count: 5}]\nworkers: 3\n", "exp.yaml:3:10: workers: must be a list, got an integer"},
		{"ErrWorkersNoValue", "name: x\nranges: [{start: 1, count: 5}]\nworkers:\n", "exp.yaml:3:10: workers: must be a list, got empty"},
		{"ErrWorkersZero", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1, 0]\n", "exp.yaml:3:14: workers[1]: must be an integer from 1 to 65536, got 0"},
		{"ErrWorkersTooMany", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [65537]\n", "exp.yaml:3:11: workers[0]: must be an integer from 1 to 65536, got 65537"},
		{"ErrWorkersQuoted", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [\"2\"]\n", `exp.yaml:3:11: workers[0]: must be an integer from 1 to 65536, got a string "2"`},
		{"ErrDuplicateWorkers", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1, 2, 0x2]\n", "exp.yaml:3:17: workers[2]: duplicate worker count 2 (also workers[1])"},
		{"ErrSchedulesEmpty", minimal + "schedules: []\n", "exp.yaml:4:12: schedules: must not be empty"},
		{"ErrUnknownSchedule", minimal + "schedules: [chunked, dynamic]\n", `exp.yaml:4:22: schedules[1]: unknown schedule "dynamic" (allowed: per-item, chunked, static)`},
		{"ErrScheduleInteger", minimal + "schedules: [1]\n", "exp.yaml:4:13: schedules[0]: must be a non-empty string, got an integer"},
		{"ErrDuplicateSchedule", minimal + "schedules: [static, per-item, static]\n", `exp.yaml:4:31: schedules[2]: duplicate schedule "static" (also schedules[0])`},

		// YAML features exp refuses.
		{"ErrAnchor", "name: &n x\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:7: name: anchors, aliases, tags and merge keys are not supported (write the value out)"},
		{"ErrAlias", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1]\nwarmup: &w 1\nrepeats: *w\n", "exp.yaml:5:10: repeats: anchors, aliases, tags and merge keys are not supported (write the value out)"},
		{"ErrAliasOnly", "name: x\nranges: [{start: &s 1, count: 5}]\nworkers: [*s]\n", "exp.yaml:2:18: ranges[0].start: anchors, aliases, tags and merge keys are not supported (write the value out)"},
		{"ErrAnchoredRange", "name: x\nranges: [&r {start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:2:10: ranges[0]: anchors, aliases, tags and merge keys are not supported (write the value out)"},
		{"ErrTag", "name: !!str x\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:7: name: anchors, aliases, tags and merge keys are not supported (write the value out)"},
		{"ErrIntTag", minimal + "repeats: !!int \"3\"\n", "exp.yaml:4:10: repeats: anchors, aliases, tags and merge keys are not supported (write the value out)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := parseErr(t, tt.in).Error(); got != tt.want {
				t.Errorf("Parse(%q)\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseSyntaxErrors checks errors reported by the YAML parser itself. Their
// wording is go-yaml's, so only the position and prefix are pinned.
func TestParseSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string // substring of Msg
	}{
		{"ErrUnclosedList", "name: [\n", 1, 7, "syntax error: "},
		{"ErrTab", "name: x\n\tranges: 1\n", 2, 1, "syntax error: "},
		{"ErrDuplicateKey", "name: x\nname: y\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", 2, 1, `"name" already defined`},
		{"ErrDuplicateKeyInRange", "name: x\nranges: [{start: 1, start: 2, count: 5}]\nworkers: [1]\n", 2, 21, `"start" already defined`},
		{"ErrFlowKey", "[a]: 1\n", 1, 4, "syntax error: "},
		{"ErrUnclosedQuote", "name: \"x\nworkers: [1]\n", 1, 7, "syntax error: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := parseErr(t, tt.in)
			if e.Line != tt.line || e.Col != tt.col || e.Field != "" || !strings.Contains(e.Msg, tt.msg) || !strings.HasPrefix(e.Msg, "syntax error: ") {
				t.Errorf("Parse(%q) = %+v, want line %d col %d, no field, msg containing %q", tt.in, *e, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// TestParseEdgeCases covers inputs an earlier decoder got wrong (found by
// review and by FuzzParse); bug names the old behaviour.
func TestParseEdgeCases(t *testing.T) {
	t.Parallel()
	is := func(want string) func(string) bool { return func(got string) bool { return got == want } }
	tests := []struct {
		name  string
		in    string
		fixed func(got string) bool // got is the error text, "" if Parse succeeded
		bug   string
	}{
		{
			"ErrThreeDocumentsCounted", minimal + "---\nname: y\n---\nname: z\n",
			is("exp.yaml:5:5: the file holds 3 YAML documents; exp reads exactly one"),
			"config.go:93 reports i+1 (documents seen so far) instead of the number of documents in the file",
		},
		{
			"ErrInvalidOctalIsNotOverflow", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [08]\n",
			func(got string) bool { return got != "" && !strings.Contains(got, "overflows") },
			`yamlnode.go:117 calls any digit string that go-yaml left as a string an overflow ("08 overflows uint64")`,
		},
		{
			"BlockScalarName", "name: |\n  x\nranges: [{start: 1, count: 5}]\nworkers: [1]\n",
			func(got string) bool { return got == "" || !strings.Contains(got, "non-empty string, got a string") },
			`yamlnode.go:91 accepts only *ast.StringNode, so a block scalar fails with "must be a non-empty string, got a string"`,
		},
		{
			"ErrLeadingZeroInteger", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [010]\n",
			func(got string) bool { return strings.Contains(got, "workers[0]: 010 has a leading zero") },
			"010 was read as octal 8 (YAML 1.1) where YAML 1.2 reads decimal 10",
		},
		{
			"ErrFieldOnOneLine", "\"a\\nb\": 1\n",
			func(got string) bool { return got != "" && !strings.ContainsAny(got, "\n\r") },
			"yamlnode.go:73-76 puts the raw key into Field, so a quoted key holding a line break splits the error over two lines",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("exp.yaml", []byte(tt.in))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if !tt.fixed(got) {
				t.Errorf("regression of: %s\n got: %q", tt.bug, got)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Config // File and Source are checked separately
	}{
		{
			"DefaultsApplied", minimal,
			Config{Name: "x", Repeats: 10, Warmup: 1, Kernel: "primes", Ranges: []Range{{1, 5}},
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
				Kernel: "primes", Ranges: []Range{{10_000_000_000_000, 1000}, {0, 100}}, Workers: []int{1, 2, 4},
				Schedules: []Schedule{Static, PerItem, Chunked}, Chunk: 64},
		},
		{
			"KeyOrderFree", "workers: [2]\nchunk: 1\nranges: [{count: 7, start: 3}]\nseed: 42\nname: z\n",
			Config{Name: "z", Seed: 42, HasSeed: true, Repeats: 10, Warmup: 1, Kernel: "primes",
				Ranges: []Range{{3, 7}}, Workers: []int{2}, Schedules: []Schedule{Chunked}, Chunk: 1},
		},
		{
			"HexAndUnderscores", "name: x\nranges: [{start: 0x10_0000, count: 1_000}]\nworkers: [0x10, 1_6_0]\nseed: 0xFF\n",
			Config{Name: "x", Seed: 255, HasSeed: true, Repeats: 10, Warmup: 1, Kernel: "primes",
				Ranges: []Range{{1 << 20, 1000}}, Workers: []int{16, 160}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"OtherIntegerSpellings", "name: x\nranges: [{start: 0o17, count: +5}]\nworkers: [0b11]\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Kernel: "primes",
				Ranges: []Range{{15, 5}}, Workers: []int{3}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"Limits", "name: x\nranges: [{start: 9223372036854775807, count: 1}, {start: 0, count: 9223372036854775807}]\n" +
				"workers: [65536]\nseed: 9223372036854775807\nrepeats: 1048576\nwarmup: 1048576\nchunk: 9223372036854775807\n",
			Config{Name: "x", Seed: 1<<63 - 1, HasSeed: true, Repeats: MaxRepeats, Warmup: MaxRepeats, Kernel: "primes",
				Ranges: []Range{{MaxValue, 1}, {0, MaxValue}}, Workers: []int{MaxWorkers}, Schedules: []Schedule{Chunked}, Chunk: 1<<63 - 1},
		},
		{
			"QuotedKeysAndNames", "\"name\": '42'\n'ranges': [{\"start\": 1, count: 5}]\nworkers: [1]\n",
			Config{Name: "42", Repeats: 10, Warmup: 1, Kernel: "primes", Ranges: []Range{{1, 5}},
				Workers: []int{1}, Schedules: []Schedule{Chunked}, Chunk: 8},
		},
		{
			"ExplicitDocumentMarkers", "---\n" + minimal + "...\n",
			Config{Name: "x", Repeats: 10, Warmup: 1, Kernel: "primes", Ranges: []Range{{1, 5}},
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
	c, err := Load(path)
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
	if c.Name == "" || len(c.Ranges) == 0 || len(c.Workers) == 0 || len(c.Schedules) == 0 || Kernels[c.Kernel] == nil {
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
		c, err := Load(path)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if c.File != path || c.Name != "x" {
			t.Errorf("Load = %+v", c)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		path := filepath.Join(dir, "missing.yaml")
		c, err := Load(path)
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
		_, err := Load(dir)
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
		_, err := Load(path)
		if want := path + ":4:10: repeats: must be an integer from 1 to 1048576, got 0"; err == nil || err.Error() != want {
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
		{"WithPositionAndField", ConfigError{"a.yaml", 3, 7, "ranges[0].count", "bad"}, "a.yaml:3:7: ranges[0].count: bad"},
		{"WithPositionNoField", ConfigError{"a.yaml", 1, 1, "", "bad"}, "a.yaml:1:1: bad"},
		{"NoPosition", ConfigError{"a.yaml", 0, 0, "", "cannot read"}, "a.yaml: cannot read"},
		{"NoPositionWithField", ConfigError{"a.yaml", 0, 0, "name", "bad"}, "a.yaml: name: bad"},
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
		"name: x\nranges: [{start: 9223372036854775807, count: 1}]\nworkers: [65536]\nseed: 0x7fffffffffffffff\n",
		"name: &a x\nworkers: *a\n",
		"- 1\n",
		"a: 1\n---\nb: 2\n",
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
	if Kernels[c.Kernel] == nil {
		tb.Errorf("Kernel %q is not registered", c.Kernel)
	}
	if len(c.Ranges) == 0 || len(c.Workers) == 0 || len(c.Schedules) == 0 {
		tb.Errorf("empty list in %+v", c)
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
