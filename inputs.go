package main

import (
	"fmt"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// warnInputs says on stderr which of kernel command's inputs differ, by
// size or SHA-256, between what run read (its stored cells) and now, what
// another run read or the files as they are (what names now). It does
// nothing for runs of in-process kernels.
func warnInputs(c *cli.Context, db *store.DB, run experiment.Run, now []experiment.InputFile, what string) error {
	if run.Command == nil || len(now) == 0 {
		return nil
	}
	cells, err := db.Cells(c.Context, run.ID)
	if err != nil {
		return err
	}
	for _, w := range inputChanges(cells, now) {
		fmt.Fprintf(c.App.ErrWriter, "warning: %v: run %d read %s; %s %s\n", experiment.ErrInputChanged, run.ID, w[0], what, w[1])
	}
	return nil
}

// inputChanges pairs each input of cells whose content differs from now's
// input of the same index, described as "PATH (N bytes, sha256 X)".
func inputChanges(cells []store.StoredCell, now []experiment.InputFile) [][2]string {
	var out [][2]string
	seen := map[int]bool{}
	for _, c := range cells {
		in := c.InputFile
		if in == nil || seen[c.RangeIndex] || c.RangeIndex >= len(now) {
			continue
		}
		seen[c.RangeIndex] = true
		if n := now[c.RangeIndex]; n.SHA256 != in.SHA256 || n.Size != in.Size {
			out = append(out, [2]string{inputText(*in), inputText(n)})
		}
	}
	return out
}

func inputText(in experiment.InputFile) string {
	return fmt.Sprintf("%s (%d bytes, sha256 %.12s)", in.Path, in.Size, in.SHA256)
}

// warnInputsBetween says on stderr which inputs of kernel command run a
// (in dbA) read with another content than run b (in dbB).
func warnInputsBetween(c *cli.Context, dbA *store.DB, a experiment.Run, dbB *store.DB, b experiment.Run) error {
	if a.Command == nil || b.Command == nil {
		return nil
	}
	cells, err := dbB.Cells(c.Context, b.ID)
	if err != nil {
		return err
	}
	var files []experiment.InputFile
	for _, cl := range cells {
		if cl.InputFile != nil && cl.RangeIndex == len(files) {
			files = append(files, *cl.InputFile)
		}
	}
	return warnInputs(c, dbA, a, files, fmt.Sprintf("run %d read", b.ID))
}

// sameInputs reads kernel command's inputs for a resumed run (so they are
// hashed again, in every process) and refuses, as bad input, a run whose
// inputs changed since its cells were stored: its trials would measure two
// versions of the data, and check: stdout would call the new one wrong.
func sameInputs(r experiment.Run, plan *experiment.Plan, cells []store.StoredCell) error {
	if err := plan.ReadInputs(); err != nil {
		return err
	}
	if ch := inputChanges(cells, plan.Inputs); len(ch) > 0 {
		return usagef("%v: run %d read %s; the file is now %s: resuming would measure two versions of the data; put the input back, or start a new run",
			experiment.ErrInputChanged, r.ID, ch[0][0], ch[0][1])
	}
	return nil
}
