package experiment

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
)

// list returns n copies of item joined by sep.
func list(item, sep string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+sep, n), sep)
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	ranges := func(n int) string {
		var b strings.Builder
		b.WriteString("name: x\nworkers: [1]\nranges:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - {start: %d, count: 1}\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name string
		in   string
		want string // the whole error line; "" for success
	}{
		{"DepthAtLimit", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1]\nx: " + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + "\n",
			"exp.yaml:4:1: x: unknown field (allowed: " + allowedTopKeys + ")"},
		{"ErrDepthFlow", strings.Repeat("[", 60_000),
			"exp.yaml:1:65: lists and mappings nest more than 64 deep (at most 64 levels are allowed; an experiment file needs 3)"},
		{"ErrDepthFlowMappings", "name: " + strings.Repeat("{a: ", 70),
			"exp.yaml:1:259: lists and mappings nest more than 64 deep (at most 64 levels are allowed; an experiment file needs 3)"},
		{"ErrDepthDashes", strings.Repeat("- ", 100) + "x\n",
			"exp.yaml:1:129: lists and mappings nest more than 64 deep (at most 64 levels are allowed; an experiment file needs 3)"},
		{"ErrDepthIndented", func() string {
			var b strings.Builder
			for i := range 70 {
				b.WriteString(strings.Repeat(" ", i) + "a:\n")
			}
			return b.String()
		}(), "exp.yaml:65:65: lists and mappings nest more than 64 deep (at most 64 levels are allowed; an experiment file needs 3)"},
		{"BracketsInStringsAndCommentsDoNotNest", "name: \"" + strings.Repeat("[", 100) + "\" # " + strings.Repeat("{", 100) + "\nranges: [{start: 1, count: 5}]\nworkers: [1]\n", ""},
		{"RangesAtLimit", ranges(MaxRanges), ""},
		{"ErrRanges", ranges(MaxRanges + 1), "exp.yaml:10004:3: ranges: more than 10000 ranges (at most 10000 are allowed)"},
		{"ErrRangesFlow", "name: x\nworkers: [1]\nranges: [" + list("{start: 1, count: 1}", ",", MaxRanges+1) + "]\n",
			"exp.yaml:3:210010: ranges: more than 10000 ranges (at most 10000 are allowed)"},
		{"ErrWorkers", "name: x\nranges: [{start: 1, count: 5}]\nworkers: [" + list("1", ", ", MaxWorkerCounts+1) + "]\n",
			"exp.yaml:3:3011: workers: more than 1000 worker counts (at most 1000 are allowed)"},
		{"ErrWorkersBlockCompact", "name: x\nranges: [{start: 1, count: 5}]\nworkers:\n" + strings.Repeat("- 1\n", MaxWorkerCounts+1),
			"exp.yaml:1004:1: workers: more than 1000 worker counts (at most 1000 are allowed)"},
		{"ErrSchedules", minimal + "schedules: [static, chunked, per-item, static]\n",
			"exp.yaml:4:40: schedules: more than 3 schedules (at most 3 are allowed: per-item, chunked, static, each once)"},
		{"ErrOtherList", minimal + "junk: [" + list("1", ",", MaxListLen+1) + "]\n",
			"exp.yaml:4:20008: junk: a list has more than 10000 entries (at most 10000 are allowed)"},
		{"ErrKeys", func() string {
			var b strings.Builder
			for i := range MaxKeys + 1 {
				fmt.Fprintf(&b, "k%d: 1\n", i)
			}
			return b.String()
		}(), "exp.yaml:101:1: a mapping has more than 100 keys (at most 100 are allowed; an experiment file has at most " + strconv.Itoa(len(topKeys)) + ")"},
		{"ErrKeysFlow", "name: {" + list("a: 1", ", ", MaxKeys+1) + "}\n",
			"exp.yaml:1:608: name: a mapping has more than 100 keys (at most 100 are allowed; an experiment file has at most " + strconv.Itoa(len(topKeys)) + ")"},
		{"ErrTokens", "name: x\n# " + strings.Repeat("a ", MaxTokens) + "\n",
			"exp.yaml:2:299991: the file has more than 150000 YAML tokens: keys, values and punctuation (at most 150000 are allowed; an experiment file has a few dozen)"},
		{"ErrSize", "name: x\n" + strings.Repeat("#", MaxFileSize),
			"exp.yaml: the file is 1048584 bytes (at most 1048576 bytes, 1 MiB, are read; an experiment file is a few hundred)"},
		{"ErrLatin1InComment", "name: x # caf\xe9\nranges: [{start: 1, count: 5}]\nworkers: [1]\n",
			"exp.yaml:1:14: invalid UTF-8: byte 0xE9 (an experiment file must be UTF-8 text; re-save it as UTF-8)"},
		{"ErrLatin1InName", "name: caf\xe9\n", "exp.yaml:1:10: invalid UTF-8: byte 0xE9 (an experiment file must be UTF-8 text; re-save it as UTF-8)"},
		{"ErrInvalidUTF8AfterWideText", "name: \"日本\xff\"\n", "exp.yaml:1:10: invalid UTF-8: byte 0xFF (an experiment file must be UTF-8 text; re-save it as UTF-8)"},
		{"ErrInvalidUTF8AfterBOM", "\ufeff\xc3(", "exp.yaml:1:1: invalid UTF-8: byte 0xC3 (an experiment file must be UTF-8 text; re-save it as UTF-8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("exp.yaml", []byte(tt.in))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Parse = %v, want success", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Parse\n got: %v\nwant: %s", err, tt.want)
			case err != nil && !errors.Is(err, ErrConfig):
				t.Errorf("Parse = %T, want a *ConfigError", err)
			}
		})
	}
}

// TestLoadSize checks that a file past MaxFileSize is refused by its size,
// without reading it, and that a pipe is cut off after MaxFileSize+1 bytes.
func TestLoadSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil { // sparse: 50 MB that take no disk
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(t.Context(), big)
	if want := big + ": the file is 52428800 bytes (at most 1048576 bytes, 1 MiB, are read; an experiment file is a few hundred)"; err == nil || err.Error() != want {
		t.Errorf("Load(50 MB) = %v, want %s", err, want)
	}

	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		block := []byte(strings.Repeat("#", 64<<10) + "\n")
		for range 40 { // 2.6 MB, more than the reader takes
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	}()
	_, err = Load(t.Context(), fifo)
	if want := fifo + ": the file is more than 1048576 bytes (at most 1048576 bytes, 1 MiB, are read; an experiment file is a few hundred)"; err == nil || err.Error() != want {
		t.Errorf("Load(pipe) = %v, want %s", err, want)
	}
}

// TestLoadCancelled opens a named pipe that no one writes to: Load must
// return as soon as its context is cancelled, with ErrInterrupted.
func TestLoadCancelled(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "stuck.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	c, err := Load(ctx, fifo)
	if c != nil || !errors.Is(err, ErrInterrupted) || errors.Is(err, ErrConfig) {
		t.Fatalf("Load = %v, %v; want ErrInterrupted", c, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Load took %v after the context ended", took)
	}
	if want := fifo + ": interrupted while reading the experiment file"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load = %q, want prefix %q", err, want)
	}
	// Unblock the reader left behind, so the test leaves no goroutine stuck.
	if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
}

// FuzzShape checks the limits against go-yaml itself: prescan's estimate
// of the tokens is never below what the tokenizer makes, and the depth
// checkShape measures is never below that of the tree the parser builds.
func FuzzShape(f *testing.F) {
	for _, s := range []string{
		minimal,
		"a: [[[{b: [1]}]]]\n",
		"- - - - x\n",
		"a:\n b:\n  c:\n   - [1, {d: 2}]\n",
		"name: \"]]]\" # ]]]\nx: [[[ 'it''s ]' ]]]\n",
		"[[[ a'b, 'c]]]' ]]]\n",
		"key: |\n  ]]]]\n  [[[\nother: [1]\n",
		"ranges:\n- {start: 1, count: 2}\n- {start: 3, count: 4}\nworkers: [1]\n",
		"? a\n: b\n",
		"{a: b: 'c, 'd]]]'}\n",
		"&a [*a, !t [1], %x]\n",
		"---\n[1]\n...\n---\n{a: 1}\n",
		// Found by fuzzing: a block scalar or a tagged scalar as a key, a
		// second : in a flow entry, "---" inside brackets.
		"\r\n>+\n  {!t\n: \n  ? a:b",
		"{\n    'a': 'a': \n}",
		"[a: !t\n? b\n  - a\n <<: b ]\t",
		"[a:   \n    *a : 1\"]",
		"[---\n!t : !t 'a': ab]",
		"{\n\t,b: \"a\": %YAML 1.2\n}\r",
		"...\n...\n\n  - !t\n!!str 'a': ...\n\"a\": \n- \n a :1",
		// An anchor's name is a token of its own.
		"- &a !t\n&a x: ...\nx:  !t #\r\n-",
		"- &a\n&a   1*a : a\r\"a\": \n- :- - ",
		"\n- \r&a \"a\": \n  - ...\n<<: \n- \"a\": ",
		"-\t&a\nb&a x: ...\na :\n- ",
		"-\n& ! 0: 0\n0:\n-",      // CI's fuzzing: two properties before a key
		"-\n&0 0: 0\r0:\n-",       // an anchor named by a number
		"-\r& \"\"0: 00\n0:\n 0:", // an anchor named by a quoted string after a space
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		if prescan("fuzz.yaml", data) != nil {
			return
		}
		tokens := lexer.Tokenize(string(data))
		if n := estimateTokens(data); len(tokens) > n {
			t.Fatalf("the tokenizer made %d tokens, prescan's bound is %d", len(tokens), n)
		}
		s := &shape{file: "fuzz.yaml"}
		if s.walk(tokens) != nil {
			return
		}
		file, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
		if err != nil {
			return
		}
		for _, doc := range file.Docs {
			if d := astDepth(doc.Body); d > s.depth {
				t.Fatalf("the parser built a tree %d deep where checkShape measured %d", d, s.depth)
			}
		}
	})
}

// estimateTokens is prescan's bound on the tokens of data.
func estimateTokens(data []byte) int {
	n, inRun := 1, false
	for _, r := range string(data) {
		var more int
		more, inRun = tokenStep(r, inRun)
		n += more
	}
	return n
}

// astDepth is how deep lists and mappings nest in the tree under n.
func astDepth(n ast.Node) int {
	switch v := n.(type) {
	case *ast.SequenceNode:
		d := 0
		for _, item := range v.Values {
			d = max(d, astDepth(item))
		}
		return d + 1
	case *ast.MappingNode:
		d := 0
		for _, kv := range v.Values {
			d = max(d, astDepth(kv.Key), astDepth(kv.Value))
		}
		return d + 1
	case *ast.MappingValueNode:
		return max(astDepth(v.Key), astDepth(v.Value)) + 1
	case *ast.MappingKeyNode:
		return astDepth(v.Value)
	case *ast.AnchorNode:
		return astDepth(v.Value)
	case *ast.TagNode:
		return astDepth(v.Value)
	case *ast.CommentGroupNode, nil:
		return 0
	}
	return 0
}
