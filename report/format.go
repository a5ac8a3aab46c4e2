package report

import (
	"fmt"
	"io"
	"strings"
)

// Format is an output format of exp report, exp runs, exp show and exp export.
type Format string

// The output formats.
const (
	FormatTable    Format = "table"
	FormatCSV      Format = "csv"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
	FormatBenchfmt Format = "benchfmt" // the Go benchmark format, for benchstat (WriteBenchfmt)
	FormatJSONL    Format = "jsonl"    // JSON Lines: one JSON object per line (exp export)
	FormatText     Format = "text"     // prose for people (exp suggest)
	FormatYAML     Format = "yaml"     // a fragment of an experiment file (exp suggest)
)

// Formats lists the formats exp report accepts.
var Formats = []Format{FormatTable, FormatCSV, FormatJSON, FormatMarkdown, FormatBenchfmt}

// ParseFormat checks a --format value against allowed.
func ParseFormat(s string, allowed []Format) (Format, error) {
	names := make([]string, len(allowed))
	for i, f := range allowed {
		if string(f) == s {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", fmt.Errorf("--format must be one of %s, got %q", strings.Join(names, ", "), s)
}

// Write renders r in format f, one of Formats; any other is an error.
func Write(w io.Writer, f Format, r *Report) error {
	switch f {
	case FormatTable:
		return WriteTable(w, r)
	case FormatCSV:
		return WriteCSV(w, r)
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatMarkdown:
		return WriteMarkdown(w, r)
	case FormatBenchfmt:
		return WriteBenchfmt(w, r)
	}
	return fmt.Errorf("unknown format %q", f)
}
