package experiment

import (
	"context"
	"fmt"
	"time"

	"github.com/exp-tool/exp/host"
)

// processTrial runs and times one step of a kernel that runs a whole
// trial itself (kernel command): UserNS and SysNS are the child's CPU
// times from wait4's rusage, and Digest is of its stdout, Hits its lines
// and Checksum its SHA-256. A trial past p.Config.Timeout is returned with
// TimedOut set and no error; one cut short because ctx is done returns
// ErrInterrupted, and one that could not start an error wrapping ErrStart.
func (rn *Runner) processTrial(ctx context.Context, k TrialKernel, p *Plan, st Step, now func() time.Time,
	load func() (float64, bool), sysCPU func() (int64, bool)) (Trial, error) {
	t := Trial{Step: st}
	t.Load1, t.HasLoad = load()
	busy0, ok0 := sysCPU()
	u0, s0 := host.CPUTimes()
	t.StartedAt = now().UTC()
	res, err := k.RunTrial(ctx, p.Cells[st.Cell], p.Config.Timeout)
	if err != nil {
		return t, fmt.Errorf("trial %d: %w", st.Seq, err)
	}
	u1, s1 := host.CPUTimes()
	busy1, ok1 := sysCPU()
	t.WallNS, t.UserNS, t.SysNS = res.WallNS, res.UserNS, res.SysNS
	if ok0 && ok1 {
		// exp's own CPU and the child's are both this trial's.
		t.OtherCPUNS, t.HasOtherCPU = host.OtherCPU(busy0, busy1, u0+s0, u1+s1+res.UserNS+res.SysNS), true
	}
	t.Digest = Digest{Hits: res.StdoutLines, Checksum: res.StdoutSHA}
	t.Process = &res
	if res.TimedOut {
		t.TimedOut = true
		t.Mismatch = fmt.Sprintf("timed out: killed after %s (timeout %s)", time.Duration(res.WallNS).Round(time.Millisecond), ShortDuration(p.Config.Timeout))
	}
	return t, nil
}

// checkProcess sets t.OK and t.Mismatch for a command's trial that ended
// in time, by check: none accepts it; exit wants exit status 0; stdout
// also wants the stdout of the first trial of the tested range r (its
// input) that exited 0, which becomes the reference (refs is updated).
func checkProcess(t *Trial, check CheckMode, r Range, refs map[Range]Reference) {
	t.OK, t.Mismatch = true, ""
	if check == CheckNone {
		return
	}
	if st := t.Process.ExitStatus; st != 0 {
		t.OK, t.Mismatch = false, fmt.Sprintf("exit status %d", st)
		if line := lastLine(t.Process.StderrTail); line != "" {
			t.Mismatch += ": " + line
		}
		return
	}
	if check != CheckStdout {
		return
	}
	ref := refs[r]
	if ref.Source == "" {
		refs[r] = Reference{Digest: t.Digest, Source: SourceFirstTrial}
		return
	}
	if t.Checksum != ref.Checksum {
		t.OK, t.Mismatch = false, fmt.Sprintf("stdout differs from the input's first trial: %d lines (sha256 %.12s) but the %s reference has %d lines (sha256 %.12s)",
			t.Hits, t.Checksum, ref.Source, ref.Hits, ref.Checksum)
	}
}
