package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	"github.com/goccy/go-yaml/ast"
)

// hookKeys are the top-level keys of the hooks, in documentation order.
var hookKeys = []string{"setup", "prepare", "conclude", "cleanup"}

// Hooks are programs run around the trials, each an argv run without a
// shell, like kernel command's (as hyperfine's --setup, --prepare,
// --conclude and --cleanup). Their time is never part of a trial's. An
// empty argv means no such hook.
type Hooks struct {
	Setup    []string // run once before the first trial (and again by exp run --resume); no placeholders
	Prepare  []string // run before each trial, untimed; {workers} and {input} are the trial's cell's
	Conclude []string // run after each trial, untimed; placeholders as Prepare's
	Cleanup  []string // run once at the end, also after an interrupted or failed run; no placeholders
	// Dir is the directory the hooks run in: kernel command's Dir, else
	// the experiment file's directory.
	Dir string
}

// SkippedTrial is a planned trial that was not run because its prepare
// hook failed: it is in no statistic, and the run goes on.
type SkippedTrial struct {
	Step                 // which planned trial it was
	PrepareStatus int    // the prepare hook's exit status, 1 to 255 (128+N for signal N)
	Reason        string // why, for people: "prepare failed (exit 3): last stderr line"
}

// HookResult is what one run of a hook did.
type HookResult struct {
	ExitStatus int    // 0 to 255, or 128+N when signal N killed it
	StderrTail string // the end of its stderr when it failed (as ProcessResult's); "" otherwise
}

// Failed returns a one-line account of a failed hook, such as
// "prepare failed (exit 3): no cache"; "" if it exited 0.
func (r HookResult) Failed(name string) string {
	if r.ExitStatus == 0 {
		return ""
	}
	s := fmt.Sprintf("%s failed (exit %d)", name, r.ExitStatus)
	if line := lastLine(r.StderrTail); line != "" {
		s += ": " + line
	}
	return s
}

// RunHook runs argv once in dir with exp's environment and extra env, no
// stdin, in a process group of its own; stdout is discarded, stderr's
// tail kept if it fails. When ctx is done it kills the group and returns
// ErrInterrupted (stopped). It returns an error wrapping ErrStart if the
// program could not be started.
func RunHook(ctx context.Context, argv []string, dir string, env []string) (HookResult, error) {
	var res HookResult
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	setProcessGroup(cmd)
	errR, errW, err := os.Pipe()
	if err != nil {
		return res, fmt.Errorf("stderr pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = nil, errW
	tail := &tailBuffer{}
	var reader sync.WaitGroup
	reader.Go(func() { io.Copy(tail, errR); errR.Close() })
	err = cmd.Start()
	errW.Close()
	if err != nil {
		reader.Wait()
		return res, fmt.Errorf("%w %s in %s: %w", ErrStart, ShellJoin(argv), dir, err)
	}
	pgid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		killGroup(pgid)
		cmd.Process.Kill()
		<-done
		killGroup(pgid)
		reader.Wait()
		return res, stopped(ctx)
	}
	killGroup(pgid)
	reader.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("wait for %s: %w", argv[0], err)
	}
	res.ExitStatus = exitStatus(cmd.ProcessState)
	if res.ExitStatus != 0 {
		res.StderrTail = tail.String()
	}
	return res, nil
}

// RunForCell runs argv (Prepare or Conclude) for cell c: placeholders
// substituted, EXP_WORKERS set, in h.Dir.
func (h *Hooks) RunForCell(ctx context.Context, argv []string, c Cell) (HookResult, error) {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = Expand(a, c.Workers, c.Input)
	}
	return RunHook(ctx, out, h.Dir, []string{fmt.Sprintf("%s=%d", EnvWorkers, c.Workers)})
}

// Any reports whether h has at least one hook.
func (h *Hooks) Any() bool {
	return h != nil && (len(h.Setup) > 0 || len(h.Prepare) > 0 || len(h.Conclude) > 0 || len(h.Cleanup) > 0)
}

// decodeHook decodes one of hookKeys into c.Hooks.
func (c *Config) decodeHook(d *decoder, key string, n ast.Node) error {
	if c.Hooks == nil {
		c.Hooks = &Hooks{}
	}
	argv, err := d.argv(n, key)
	if err != nil {
		return err
	}
	switch key {
	case "setup":
		c.Hooks.Setup = argv
	case "prepare":
		c.Hooks.Prepare = argv
	case "conclude":
		c.Hooks.Conclude = argv
	case "cleanup":
		c.Hooks.Cleanup = argv
	}
	return nil
}

// checkHooks checks the hooks' placeholders: none in setup and cleanup,
// which run outside any cell; {workers}, and {input} with inputs, in
// prepare and conclude. It sets Hooks.Dir.
func (c *Config) checkHooks(d *decoder, kv map[string]*ast.MappingValueNode) error {
	if c.Hooks == nil {
		return nil
	}
	inputs := c.Command != nil && c.Command.Inputs != nil
	for _, key := range hookKeys {
		at := kv[key]
		if at == nil {
			continue
		}
		perCell := key == "prepare" || key == "conclude"
		for i, item := range at.Value.(*ast.SequenceNode).Values {
			s := item.GetToken().Value
			if sn, ok := item.(*ast.StringNode); ok {
				s = sn.Value
			}
			if !perCell {
				if m := placeholderRE.FindStringSubmatch(s); m != nil {
					return d.errAt(item, index(key, i), "uses {%s}, but %s runs once, outside any cell (placeholders are for prepare and conclude)", m[2], key)
				}
				continue
			}
			if p := badPlaceholder(s, inputs); p != "" {
				return d.errAt(item, index(key, i), "%s", placeholderMsg(p, inputs))
			}
		}
	}
	c.Hooks.Dir = resolveDir(c.File, "")
	if c.Command != nil && c.Kernel == "command" {
		c.Hooks.Dir = c.Command.Dir
	}
	return nil
}
