package experiment

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// CheckMode is what kernel command checks of each trial.
type CheckMode string

// The check modes of kernel command.
const (
	// CheckStdout: every trial of the same input must exit 0 and print
	// byte-identical stdout, whatever its worker count; the input's first
	// trial that exits 0 is the reference (SourceFirstTrial).
	CheckStdout CheckMode = "stdout"
	// CheckExit: every trial must exit 0; its output is not compared.
	CheckExit CheckMode = "exit"
	// CheckNone checks nothing: every trial that ends in time is stored as
	// ok, and the report says that its answers were not checked.
	CheckNone CheckMode = "none"
)

// CheckModes lists the check modes in documentation order.
var CheckModes = []CheckMode{CheckStdout, CheckExit, CheckNone}

// DefaultCheck is the check of kernel command when the file sets none.
var DefaultCheck = CheckStdout

// The placeholders kernel command substitutes in its argv and env values.
const (
	PlaceholderWorkers = "{workers}" // the cell's worker count, in decimal
	PlaceholderInput   = "{input}"   // the cell's input path, as written in inputs
)

// EnvWorkers is the environment variable exp always sets in a command's
// environment to the cell's worker count.
const EnvWorkers = "EXP_WORKERS"

// Command is kernel command: a program run once per trial, without a
// shell, as a child process that exp times from start to exit. It
// implements Kernel only so that the registry and the Runner can treat it
// like the others: its work is a whole process (RunTrial), not numbers.
type Command struct {
	Argv   []string  // program and arguments as written, placeholders unsubstituted; at least one
	Inputs []string  // the inputs as written, substituted for {input}; nil without the key
	Check  CheckMode // what is checked of each trial
	Env    []EnvVar  // extra environment, in file order; values may hold placeholders
	// Workdir is the directory the command runs in as written ("" when the
	// file sets none); Dir is it resolved against the experiment file's
	// directory, the directory that inputs are relative to.
	Workdir string
	Dir     string
}

// EnvVar is one variable of Command.Env.
type EnvVar struct {
	Name  string // variable name
	Value string // value as written, placeholders unsubstituted
}

// newCommand is the Kernels constructor: c's Command settings, or nil.
func newCommand(c *Config) Kernel {
	if c.Command == nil {
		return nil
	}
	return c.Command
}

// Name returns "command".
func (*Command) Name() string { return "command" }

// Hit reports false: a command's work is one process per trial (RunTrial),
// never a number at a time.
func (*Command) Hit(uint64) bool { return false }

// expandRE finds the placeholders, and a shell's ${workers} or ${input},
// which Expand leaves alone as the validation does (placeholderRE).
var expandRE = regexp.MustCompile(`\$?\{(?:workers|input)\}`)

// Expand substitutes {workers} and {input} in s; a shell's ${workers} and
// ${input} are left as they are.
func Expand(s string, workers int, input string) string {
	return expandRE.ReplaceAllStringFunc(s, func(m string) string {
		switch m {
		case PlaceholderWorkers:
			return strconv.Itoa(workers)
		case PlaceholderInput:
			return input
		}
		return m // ${...}
	})
}

// ArgvFor returns the argv of the cell's trials, placeholders substituted.
func (m *Command) ArgvFor(c Cell) []string {
	out := make([]string, len(m.Argv))
	for i, a := range m.Argv {
		out[i] = Expand(a, c.Workers, c.Input)
	}
	return out
}

// EnvFor returns the variables the cell's trials add to exp's environment:
// Env with placeholders substituted, then EXP_WORKERS.
func (m *Command) EnvFor(c Cell) []string {
	out := make([]string, 0, len(m.Env)+1)
	for _, e := range m.Env {
		out = append(out, e.Name+"="+Expand(e.Value, c.Workers, c.Input))
	}
	return append(out, fmt.Sprintf("%s=%d", EnvWorkers, c.Workers))
}

// String renders the argv for people, as a shell would need it quoted:
// xz -T{workers} -c {input}.
func (m *Command) String() string { return ShellJoin(m.Argv) }

// ShellJoin joins argv with spaces, quoting the arguments a POSIX shell
// would split or expand, so that the line can be pasted into one; an
// argument with control characters is quoted as bash's $'...' (a newline
// as \n), so that the line stays one line.
func ShellJoin(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		switch {
		case strings.ContainsFunc(a, unicode.IsControl):
			q := strconv.Quote(a) // Go's escapes are a subset of $'...''s
			out[i] = "$'" + strings.ReplaceAll(strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`), "'", `\'`) + "'"
		case a == "" || strings.ContainsFunc(a, func(r rune) bool { return !safeShellRune(r) }):
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		default:
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}

func safeShellRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%{}", r)
}

// placeholderRE finds what looks like a placeholder: {name}, not preceded
// by $ (a shell's ${VAR} is left alone).
var placeholderRE = regexp.MustCompile(`(^|[^$]){([A-Za-z_][A-Za-z0-9_]*)}`)

// badPlaceholder returns the first placeholder in s that exp does not
// substitute ({input} without inputs counts), or "".
func badPlaceholder(s string, inputs bool) string {
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		switch p := "{" + m[2] + "}"; {
		case p == PlaceholderWorkers, p == PlaceholderInput && inputs:
		default:
			return p
		}
	}
	return ""
}

// RunTrial is implemented in command_run.go; Command satisfies
// TrialKernel.
var _ TrialKernel = (*Command)(nil)

// TrialKernel is implemented by kernels that do and measure a whole trial
// themselves rather than a range of numbers through Execute: kernel
// command runs a process.
type TrialKernel interface {
	Kernel
	// RunTrial does the work of cell c once, cut short at timeout (0: no
	// limit) or when ctx is done; see Command.RunTrial.
	RunTrial(ctx context.Context, c Cell, timeout time.Duration) (ProcessResult, error)
}

// resolveDir returns workdir resolved against the directory of file.
func resolveDir(file, workdir string) string {
	if workdir == "" {
		workdir = "."
	}
	if filepath.IsAbs(workdir) {
		return filepath.Clean(workdir)
	}
	return filepath.Join(filepath.Dir(file), workdir)
}

func checkModeList() string {
	s := make([]string, len(CheckModes))
	for i, m := range CheckModes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}
