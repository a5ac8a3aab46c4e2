package report

import (
	"fmt"

	"github.com/exp-tool/exp/experiment"
)

// MaxCommandLabel is the longest a command may be, in characters, where
// the report names it instead of a range; longer ones are cut with "...".
const MaxCommandLabel = 40

// commandLabel names a cell of kernel command for people: its input as
// written, or without inputs the command, shortened to MaxCommandLabel.
func (r *Report) commandLabel(rg experiment.Range) string {
	if in := r.inputs[rg.Start]; in != "" {
		return in
	}
	s := experiment.ShellJoin(r.Run.Command.Argv)
	if n := []rune(s); len(n) > MaxCommandLabel {
		s = string(n[:MaxCommandLabel-3]) + "..."
	}
	return s
}

// commandHeader is the report's line about kernel command: the command
// as written and what was checked.
func commandHeader(r *Report) []string {
	m := r.Run.Command
	if m == nil {
		return nil
	}
	line := fmt.Sprintf("command %s, run without a shell in %s", experiment.ShellJoin(m.Argv), orDash(m.Workdir))
	for _, e := range m.Env {
		line += fmt.Sprintf(", %s=%s", e.Name, e.Value)
	}
	var check string
	switch m.Check {
	case experiment.CheckStdout:
		check = "check stdout: every trial must exit 0 and print the same stdout as its input's first trial"
	case experiment.CheckExit:
		check = "check exit: every trial must exit 0; its output was not compared"
	default:
		check = "check none: answers were NOT checked (a trial is ok if it ended in time, whatever its exit status)"
	}
	return []string{line, check}
}

// commandWarnings are the run-level caveats of kernel command: trials
// that exited non-zero (n of them, the last with status last), which
// check none stored as ok.
func commandWarnings(rep *Report, n, last int) []error {
	m := rep.Run.Command
	if m == nil {
		return nil
	}
	var ws []error
	if m.Check == experiment.CheckNone {
		ws = append(ws, fmt.Errorf("%w: check none: the command's answers were not checked", ErrUnchecked))
	}
	if n > 0 && m.Check == experiment.CheckNone {
		ws = append(ws, fmt.Errorf("%w: %s exited non-zero (last: exit status %d) and, under check none, count as ok", ErrUnchecked, plural(n, "trial"), last))
	}
	return ws
}
