package main

import (
	"io"

	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// cmdExport writes the raw trials of every run, or of --run, one row per
// trial, to --output or standard output: exp export [--run RUN]
// [--format csv|json|jsonl] [--output FILE].
func cmdExport(c *cli.Context) error {
	format, db, err := readSetup(c, report.ExportFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	var runID int64 // every run
	if c.IsSet("run") {
		r, err := db.FindRun(c.Context, c.String("run"))
		if err != nil {
			return err
		}
		runID = r.ID
	}
	return writeOutput(c.String("output"), db.Path(), c.App.Writer, func(w io.Writer) error {
		ew, err := report.NewExportWriter(w, format)
		if err != nil {
			return err
		}
		err = db.ExportTrials(c.Context, runID, ew.Begin, func(r *store.ExportRow) error {
			return ew.Write((*report.ExportRow)(r))
		})
		if err != nil {
			return err
		}
		return ew.Close()
	})
}
