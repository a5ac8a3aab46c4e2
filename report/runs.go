package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// RunsFormats lists the formats exp runs accepts: a list of runs has no
// cells to render as benchmarks, so it has fewer than Formats.
var RunsFormats = []Format{FormatTable, FormatCSV, FormatJSON, FormatMarkdown}

// RunsHeader is the column list of exp runs.
var RunsHeader = []string{"id", "uuid", "name", "status", "started_at", "trials", "host"}

func runRow(r experiment.Run) []string {
	return []string{strconv.FormatInt(r.ID, 10), r.UUID, r.Name, string(r.Status),
		r.StartedAt.Format(time.RFC3339), strconv.Itoa(r.Trials), r.Host.Hostname}
}

// WriteRuns lists runs in the given format, one of RunsFormats; any other
// format is an error. The table cuts a name longer than MaxNameWidth
// terminal columns; the other formats give it whole.
func WriteRuns(w io.Writer, format Format, runs []experiment.Run) error {
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		if err := cw.Write(RunsHeader); err != nil {
			return fmt.Errorf("write runs csv: %w", err)
		}
		for _, r := range runs {
			if err := cw.Write(runRow(r)); err != nil {
				return fmt.Errorf("write runs csv: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write runs csv: %w", err)
		}
		return nil
	case FormatJSON:
		out := make([]RunJSON, len(runs))
		for i, r := range runs {
			out[i] = NewRunJSON(r)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write runs json: %w", err)
		}
		return nil
	case FormatTable, FormatMarkdown:
		g := grid{header: []string{"ID", "UUID", "NAME", "STATUS", "STARTED_AT", "TRIALS", "HOST"}}
		for _, r := range runs {
			row := runRow(r)
			if format == FormatTable {
				// One long name must not push every row's columns right.
				row[2] = truncateWidth(row[2], MaxNameWidth)
			}
			g.rows = append(g.rows, row)
		}
		write := g.writeAligned
		if format == FormatMarkdown {
			write = g.writeMarkdown
		}
		if err := write(w); err != nil {
			return fmt.Errorf("write runs: %w", err)
		}
		return nil
	}
	return fmt.Errorf("unknown format %q", format)
}
