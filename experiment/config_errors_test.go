package experiment

import (
	"errors"
	"strings"
	"testing"
)

// parseErr parses in as exp.yaml and returns its *ConfigError, failing if
// Parse succeeded or returned anything else.
// allowedTopKeys is how an unknown-field error lists the keys allowed.
var allowedTopKeys = strings.Join(topKeys, ", ")

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
		{"ErrTopLevelList", "- name: x\n- workers: [1]\n", "exp.yaml:1:1: the file is a list (must be a mapping of keys to values)"},
		{"ErrTopLevelScalar", "hello\n", "exp.yaml:1:1: the file is a string (must be a mapping of keys to values)"},
		{"ErrAnchoredFile", "&top\nname: x\n", "exp.yaml:1:1: anchors, aliases, tags and merge keys are not supported (write the value out)"},

		// Keys.
		{"ErrUnknownField", minimal + "bogus: 1\n", "exp.yaml:4:1: bogus: unknown field (allowed: " + allowedTopKeys + ")"},
		{"ErrUnknownFieldCase", minimal + "Repeats: 3\n", "exp.yaml:4:1: Repeats: unknown field (allowed: " + allowedTopKeys + ")"},
		{"ErrUnknownFieldInRange", "name: x\nranges: [{start: 1, count: 5, end: 3}]\nworkers: [1]\n", "exp.yaml:2:31: ranges[0].end: unknown field (allowed: start, count)"},
		{"ErrUnknownFieldInSecondRange", "name: x\nranges:\n  - {start: 1, count: 5}\n  - start: 9\n    cnt: 5\nworkers: [1]\n", "exp.yaml:5:5: ranges[1].cnt: unknown field (allowed: start, count)"},
		{"ErrMergeKey", "<<: {name: x}\n", "exp.yaml:1:1: \"<<\": unknown field (allowed: " + allowedTopKeys + ")"},
		{"ErrMissingName", "ranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:1: name: is required"},
		{"ErrMissingRanges", "name: x\nworkers: [1]\n", "exp.yaml:1:1: ranges: is required"},
		{"ErrMissingWorkers", "name: x\nranges: [{start: 1, count: 5}]\n", "exp.yaml:1:1: workers: is required"},
		{"ErrMissingCount", "name: x\nranges: [{start: 1}]\nworkers: [1]\n", "exp.yaml:2:10: ranges[0].count: is required (a range is {start: N, count: N})"},
		{"ErrMissingStart", "name: x\nranges:\n  - count: 4\nworkers: [1]\n", "exp.yaml:3:10: ranges[0].start: is required (a range is {start: N, count: N})"},

		// Strings.
		{"ErrNameInteger", "name: 3\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:7: name: is an integer (must be a non-empty string)"},
		{"ErrNameEmpty", "name:\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:6: name: is empty (must be a non-empty string)"},
		{"ErrNameList", "name: [a]\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", "exp.yaml:1:7: name: is a list (must be a non-empty string)"},
		{"ErrDatabaseBool", minimal + "database: false\n", "exp.yaml:4:11: database: is a boolean (must be a non-empty string)"},
		{"ErrUnknownKernel", minimal + "kernel: sieve\n", `exp.yaml:4:9: kernel: unknown kernel "sieve" (allowed: command, primes, primes-fast, synthetic)`},

		// Integers.
		{"ErrQuotedInt", minimal + "repeats: \"3\"\n", `exp.yaml:4:10: repeats: got a string "3" (must be an integer from 1 to 1048576)`},
		{"ErrSingleQuotedInt", minimal + "repeats: '3'\n", `exp.yaml:4:10: repeats: got a string "3" (must be an integer from 1 to 1048576)`},
		{"ErrFloat", minimal + "repeats: 1.5\n", `exp.yaml:4:10: repeats: got a float "1.5" (must be an integer from 1 to 1048576)`},
		{"ErrWholeFloat", minimal + "seed: 1.0\n", `exp.yaml:4:7: seed: got a float "1.0" (must be an integer from 0 to 9223372036854775807)`},
		{"ErrExponent", minimal + "chunk: 1e3\n", `exp.yaml:4:8: chunk: got a string "1e3" (must be an integer from 1 to 9223372036854775807)`}, // go-yaml reads 1e3 as a string
		{"ErrExponentFloat", minimal + "chunk: 1.0e3\n", `exp.yaml:4:8: chunk: got a float "1.0e3" (must be an integer from 1 to 9223372036854775807)`},
		{"ErrInfinity", minimal + "seed: .inf\n", `exp.yaml:4:7: seed: got a float ".inf" (must be an integer from 0 to 9223372036854775807)`},
		{"ErrNaN", minimal + "seed: .nan\n", `exp.yaml:4:7: seed: got a float ".nan" (must be an integer from 0 to 9223372036854775807)`},
		{"ErrBool", minimal + "warmup: true\n", `exp.yaml:4:9: warmup: got a boolean "true" (must be an integer from 0 to 1048576)`},
		{"ErrNull", minimal + "warmup: null\n", "exp.yaml:4:9: warmup: has no value (must be an integer from 0 to 1048576)"},
		{"ErrTilde", minimal + "warmup: ~\n", "exp.yaml:4:9: warmup: has no value (must be an integer from 0 to 1048576)"},
		{"ErrNoValue", minimal + "repeats:\n", "exp.yaml:4:10: repeats: has no value (must be an integer from 1 to 1048576)"},
		{"ErrNegative", minimal + "seed: -1\n", "exp.yaml:4:7: seed: -1 is out of range (must be an integer from 0 to 9223372036854775807)"},
		{"ErrWarmupNegative", minimal + "warmup: -1\n", "exp.yaml:4:9: warmup: -1 is out of range (must be an integer from 0 to 1048576)"},
		{"ErrOverflowUint64", minimal + "seed: 18446744073709551616\n", "exp.yaml:4:7: seed: 18446744073709551616 overflows uint64 (must be an integer from 0 to 9223372036854775807)"},
		{"ErrOverflowHuge", "name: x\nranges: [{start: 123456789012345678901234567890, count: 5}]\nworkers: [1]\n", "exp.yaml:2:18: ranges[0].start: 123456789012345678901234567890 overflows uint64 (must be an integer from 0 to 9223372036854775807)"},
		{"ErrMaxUint64", minimal + "seed: 18446744073709551615\n", "exp.yaml:4:7: seed: 18446744073709551615 is out of range (must be an integer from 0 to 9223372036854775807)"},
		{"ErrSeedPastInt64", minimal + "seed: 9223372036854775808\n", "exp.yaml:4:7: seed: 9223372036854775808 is out of range (must be an integer from 0 to 9223372036854775807)"},
		{"ErrRepeatsZero", minimal + "repeats: 0\n", "exp.yaml:4:10: repeats: 0 is out of range (must be an integer from 1 to 1048576)"},
		{"ErrRepeatsTooMany", minimal + "repeats: 1048577\n", "exp.yaml:4:10: repeats: 1048577 is out of range (must be an integer from 1 to 1048576)"},
		{"ErrWarmupTooMany", minimal + "warmup: 1048577\n", "exp.yaml:4:9: warmup: 1048577 is out of range (must be an integer from 0 to 1048576)"},
		// Integers in spellings that YAML 1.1 and 1.2 read differently.
		{"ErrHex", minimal + "seed: 0xFF\n", "exp.yaml:4:7: seed: 0xFF is not in decimal digits (must be an integer from 0 to 9223372036854775807, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrOctal", "name: x\nranges: [{start: 0o17, count: 5}]\nworkers: [1]\n", "exp.yaml:2:18: ranges[0].start: 0o17 is not in decimal digits (must be an integer from 0 to 9223372036854775807, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrBinary", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [0b101]\n", "exp.yaml:3:11: workers[0]: 0b101 is not in decimal digits (must be an integer from 1 to 65536, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrUnderscores", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1_000]\n", "exp.yaml:3:11: workers[0]: 1_000 is not in decimal digits (must be an integer from 1 to 65536, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrLeadingZero", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [010]\n", "exp.yaml:3:11: workers[0]: 010 is not in decimal digits (must be an integer from 1 to 65536, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrLeadingZeroNotOctal", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [08]\n", "exp.yaml:3:11: workers[0]: 08 is not in decimal digits (must be an integer from 1 to 65536, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrPlusSign", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [+5]\n", "exp.yaml:3:11: workers[0]: +5 is not in decimal digits (must be an integer from 1 to 65536, written in decimal digits only: YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)"},
		{"ErrChunkZero", minimal + "chunk: 0\n", "exp.yaml:4:8: chunk: 0 is out of range (must be an integer from 1 to 9223372036854775807)"},
		{"ErrChunkList", minimal + "chunk: [8]\n", "exp.yaml:4:8: chunk: is a list (must be an integer from 1 to 9223372036854775807)"},

		// Ranges.
		{"ErrRangesEmpty", "name: x\nranges: []\nworkers: [1]\n", "exp.yaml:2:9: ranges: is empty (must be a non-empty list)"},
		{"ErrRangesMapping", "name: x\nranges: {start: 1, count: 5}\nworkers: [1]\n", "exp.yaml:2:9: ranges: is a mapping (must be a list)"},
		{"ErrRangeInteger", "name: x\nranges: [3]\nworkers: [1]\n", "exp.yaml:2:10: ranges[0]: is an integer (must be a mapping of keys to values)"},
		{"ErrCountZero", "name: x\nranges: [{start: 1, count: 0}]\nworkers: [1]\n", "exp.yaml:2:28: ranges[0].count: 0 is out of range (must be an integer from 1 to 9223372036854775807)"},
		{"ErrStartPastMaxValue", "name: x\nranges: [{start: 9223372036854775808, count: 1}]\nworkers: [1]\n", "exp.yaml:2:18: ranges[0].start: 9223372036854775808 is out of range (must be an integer from 0 to 9223372036854775807)"},
		{"ErrEndPastMaxValue", "name: x\nranges: [{start: 9223372036854775807, count: 2}]\nworkers: [1]\n", "exp.yaml:2:46: ranges[0].count: the range ends past 9223372036854775807 (start+count-1 must be <= 2^63-1, SQLite's INTEGER limit)"},
		{"ErrEndPastMaxValueFromZero", "name: x\nranges: [{start: 2, count: 9223372036854775807}]\nworkers: [1]\n", "exp.yaml:2:28: ranges[0].count: the range ends past 9223372036854775807 (start+count-1 must be <= 2^63-1, SQLite's INTEGER limit)"},
		{"ErrDuplicateRange", "name: x\nranges: [{start: 1, count: 2}, {count: 2, start: 1}]\nworkers: [1]\n", "exp.yaml:2:32: ranges[1]: duplicate of ranges[0] (each range once)"},

		// Workers and schedules.
		{"ErrWorkersEmpty", "name: x\nranges: [{start: 1, count: 5}]\nworkers: []\n", "exp.yaml:3:10: workers: is empty (must be a non-empty list)"},
		{"ErrWorkersScalar", "name: x\nranges: [{start: 1, count: 5}]\nworkers: 3\n", "exp.yaml:3:10: workers: is an integer (must be a list)"},
		{"ErrWorkersNoValue", "name: x\nranges: [{start: 1, count: 5}]\nworkers:\n", "exp.yaml:3:10: workers: has no value (must be a non-empty list)"},
		{"ErrWorkersZero", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1, 0]\n", "exp.yaml:3:14: workers[1]: 0 is out of range (must be an integer from 1 to 65536)"},
		{"ErrWorkersTooMany", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [65537]\n", "exp.yaml:3:11: workers[0]: 65537 is out of range (must be an integer from 1 to 65536)"},
		{"ErrWorkersQuoted", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [\"2\"]\n", `exp.yaml:3:11: workers[0]: got a string "2" (must be an integer from 1 to 65536)`},
		{"ErrDuplicateWorkers", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1, 2, 2]\n", "exp.yaml:3:17: workers[2]: duplicate worker count 2, also workers[1] (each count once)"},
		{"ErrSchedulesEmpty", minimal + "schedules: []\n", "exp.yaml:4:12: schedules: is empty (must be a non-empty list)"},
		{"ErrUnknownSchedule", minimal + "schedules: [chunked, dynamic]\n", `exp.yaml:4:22: schedules[1]: unknown schedule "dynamic" (allowed: per-item, chunked, static)`},
		{"ErrScheduleInteger", minimal + "schedules: [1]\n", "exp.yaml:4:13: schedules[0]: is an integer (must be a non-empty string)"},
		{"ErrDuplicateSchedule", minimal + "schedules: [static, per-item, static]\n", `exp.yaml:4:31: schedules[2]: duplicate schedule "static", also schedules[0] (each schedule once)`},

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
// Duplicate keys are checked by exp's decoder, which names the whole
// field; see TestParseDuplicateKeys.
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
			func(got string) bool { return strings.Contains(got, "workers[0]: 010 is not in decimal digits") },
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

func TestParseDuplicateKeys(t *testing.T) {
	t.Parallel()
	check := func(in, want string) {
		t.Helper()
		_, err := Parse("exp.yaml", []byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %s", in, err, want)
		}
	}
	check("name: x\nname: y\nranges: [{start: 1, count: 5}]\nworkers: [1]\n",
		"exp.yaml:2:1: name: duplicate key (first at line 1, column 1)")
	check("name: x\nranges: [{start: 1, start: 2, count: 5}]\nworkers: [1]\n",
		"exp.yaml:2:21: ranges[0].start: duplicate key (first at line 2, column 11)")
}

func TestParseErrTooManyTrials(t *testing.T) {
	t.Parallel()
	in := "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nrepeats: 1048576\n"
	_, err := Parse("exp.yaml", []byte(in))
	want := "exp.yaml:4:10: repeats: the matrix has 10485770 trials, ranges x schedules x workers x (warmup+repeats) (at most 10000000 are allowed)"
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v, want %s", err, want)
	}
}

func TestParseTextRules(t *testing.T) {
	t.Parallel()
	ok := func(in string) {
		t.Helper()
		if _, err := Parse("exp.yaml", []byte(in)); err != nil {
			t.Errorf("Parse(%q) = %v, want success", in, err)
		}
	}
	bad := func(in, want string) {
		t.Helper()
		_, err := Parse("exp.yaml", []byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %s", in, err, want)
		}
	}
	ok("\ufeff" + minimal)                         // a byte order mark is not YAML text
	ok("%YAML 1.2\n---\n" + minimal)               // a directive is not a second document
	ok(strings.Replace(minimal, "x", "Tëst ✓", 1)) // printable unicode is fine
	bad(strings.Replace(minimal, "name: x", `name: "a\nb"`, 1),
		"exp.yaml:1:7: name: holds control characters or invalid UTF-8 (must be one line of printable text)")
	bad(strings.Replace(minimal, "name: x", `name: "red\e[31m"`, 1),
		"exp.yaml:1:7: name: holds control characters or invalid UTF-8 (must be one line of printable text)")
}
