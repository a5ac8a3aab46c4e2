package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// mergeFormats are the formats of exp merge's summary.
var mergeFormats = []report.Format{report.FormatTable, report.FormatJSON}

// cmdMerge copies the runs of the input files into OUT (store.Merge) and
// says, per input, how many runs it added and how many OUT already held.
func cmdMerge(c *cli.Context) error {
	if c.NArg() < 2 {
		return usagef("merge needs OUT.db and at least one IN.db, got %q (try: exp merge all.db a.db b.db)", c.Args().Slice())
	}
	format, err := report.ParseFormat(c.String("format"), mergeFormats)
	if err != nil {
		return usageError{err}
	}
	out, inputs := c.Args().First(), c.Args().Tail()
	progress := func(i int, in string) {
		if !c.Bool("quiet") {
			fmt.Fprintf(c.App.ErrWriter, "merge: reading %s (%d of %d)\n", in, i+1, len(inputs))
		}
	}
	results, err := store.Merge(c.Context, out, inputs, progress)
	if err != nil {
		return err
	}
	if format == report.FormatJSON {
		return writeMergeJSON(c.App.Writer, results)
	}
	return writeMergeSummary(c.App.Writer, out, results)
}

// mergeJSON is one input's entry in exp merge --format json.
type mergeJSON struct {
	Input   string   `json:"input"`
	Added   []string `json:"added"`   // UUIDs of the runs copied into OUT
	Present []string `json:"present"` // UUIDs of the runs OUT already held
	Running []string `json:"running"` // UUIDs of the runs left out: still running
}

// writeMergeJSON writes the results as a JSON array, one object per input.
func writeMergeJSON(w io.Writer, results []store.MergeResult) error {
	out := make([]mergeJSON, len(results))
	for i, r := range results {
		out[i] = mergeJSON(r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write merge json: %w", err)
	}
	return nil
}

// writeMergeSummary writes a line per input and a total line:
// "a.db: 2 runs added, 1 already present", with ", 1 still running (left
// out; merge again once it ends)" when an input has runs in progress.
func writeMergeSummary(w io.Writer, out string, results []store.MergeResult) error {
	added, present, running := 0, 0, 0
	stillRunning := func(n int) string {
		if n == 0 {
			return ""
		}
		return fmt.Sprintf(", %d still running (left out; merge again once it ends)", n)
	}
	for _, r := range results {
		added, present, running = added+len(r.Added), present+len(r.Present), running+len(r.Running)
		if _, err := fmt.Fprintf(w, "%s: %s added, %d already present%s\n", r.Input, runCount(len(r.Added)), len(r.Present),
			stillRunning(len(r.Running))); err != nil {
			return fmt.Errorf("write merge summary: %w", err)
		}
	}
	if _, err := fmt.Fprintf(w, "total: %s added to %s, %d already present%s\n", runCount(added), out, present, stillRunning(running)); err != nil {
		return fmt.Errorf("write merge summary: %w", err)
	}
	return nil
}

// runCount is "1 run" or "n runs".
func runCount(n int) string {
	if n == 1 {
		return "1 run"
	}
	return fmt.Sprintf("%d runs", n)
}
