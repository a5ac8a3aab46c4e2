package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// exportWorkersKey is the JSON key of a trial's per-worker list. It is
// not "workers", which is already the cell's worker count, as in CSV.
const exportWorkersKey = "per_worker"

// ErrExportOrder is returned by an ExportWriter used out of order: Write
// before Begin, or anything after Close.
var ErrExportOrder = errors.New("export writer used out of order")

// ExportWriter writes exp export's rows one at a time, so that an export
// of any size takes the memory of one row. Call Begin once, Write for
// each trial, then Close, which ends the document and flushes.
//
// FormatCSV is RFC 4180 with CRLF line ends and the header ExportHeader;
// missing values are empty fields, booleans 0 or 1 as in the database.
// FormatJSON is one document, an array of one object per trial (one per
// line); FormatJSONL is one object per line, with no array. In both,
// missing values are null, booleans true or false, and the per-worker
// data a list under "per_worker" ("workers" is the cell's worker count).
type ExportWriter struct {
	format     Format
	w          *bufio.Writer
	csv        *csv.Writer
	maxWorkers int
	state      int // 0 before Begin, 1 writing, 2 closed
	rows       int64
	record     []string
	line       []byte
	str        bytes.Buffer
	enc        *json.Encoder // of strings into str, without HTML escapes
}

// NewExportWriter returns a writer of format f, one of ExportFormats, to
// w; any other format is an error.
func NewExportWriter(w io.Writer, f Format) (*ExportWriter, error) {
	e := &ExportWriter{format: f, w: bufio.NewWriter(w)}
	switch f {
	case FormatCSV:
		e.csv = csv.NewWriter(e.w)
		e.csv.UseCRLF = true
	case FormatJSON, FormatJSONL:
		e.enc = json.NewEncoder(&e.str)
		e.enc.SetEscapeHTML(false)
	default:
		return nil, fmt.Errorf("exp export: unknown format %q", f)
	}
	return e, nil
}

// Begin starts the output: the CSV header, with a busy_ns column for each
// of maxWorkers workers (the most any exported trial's cell has), or the
// opening bracket of the JSON array.
func (e *ExportWriter) Begin(maxWorkers int) error {
	if e.state != 0 {
		return fmt.Errorf("begin export: %w", ErrExportOrder)
	}
	e.state, e.maxWorkers = 1, maxWorkers
	switch e.format {
	case FormatCSV:
		if err := e.csv.Write(ExportHeader(maxWorkers)); err != nil {
			return fmt.Errorf("write export csv: %w", err)
		}
	case FormatJSON:
		if _, err := e.w.WriteString("[\n"); err != nil {
			return fmt.Errorf("write export json: %w", err)
		}
	}
	return nil
}

// Write writes one trial. In CSV, a trial with more workers than Begin was
// told of is an error: the header has no column for them.
func (e *ExportWriter) Write(r *ExportRow) error {
	if e.state != 1 {
		return fmt.Errorf("write export row: %w", ErrExportOrder)
	}
	if e.format == FormatCSV {
		return e.writeCSV(r)
	}
	return e.writeJSON(r)
}

func (e *ExportWriter) writeCSV(r *ExportRow) error {
	ws := r.Trial.Workers
	if len(ws) > e.maxWorkers {
		return fmt.Errorf("write export csv: run %d trial %d has %d workers, more than the %d columns of the header",
			r.RunID, r.Trial.Seq, len(ws), e.maxWorkers)
	}
	e.record = e.record[:0]
	for _, c := range exportColumns {
		f, err := csvField(c.value(r))
		if err != nil {
			return fmt.Errorf("write export csv: %s: %w", c.name, err)
		}
		e.record = append(e.record, f)
	}
	for i := range e.maxWorkers {
		f := ""
		if i < len(ws) {
			f = strconv.FormatInt(ws[i].BusyNS, 10)
		}
		e.record = append(e.record, f)
	}
	if err := e.csv.Write(e.record); err != nil {
		return fmt.Errorf("write export csv: %w", err)
	}
	e.rows++
	return nil
}

func (e *ExportWriter) writeJSON(r *ExportRow) error {
	b := e.line[:0]
	if e.format == FormatJSON && e.rows > 0 {
		b = append(b, ",\n"...)
	}
	b = append(b, '{')
	var err error
	for i, c := range exportColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, c.name...)
		b = append(b, `":`...)
		if b, err = e.appendJSON(b, c.value(r)); err != nil {
			return fmt.Errorf("write export json: %s: %w", c.name, err)
		}
	}
	b = append(b, `,"`+exportWorkersKey+`":[`...)
	for i, w := range r.Trial.Workers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"worker":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"busy_ns":`...)
		b = strconv.AppendInt(b, w.BusyNS, 10)
		b = append(b, `,"items":`...)
		b = strconv.AppendUint(b, w.Items, 10)
		b = append(b, `,"primes":`...)
		b = strconv.AppendUint(b, w.Hits, 10)
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	if e.format == FormatJSONL {
		b = append(b, '\n')
	}
	e.line = b
	if _, err := e.w.Write(b); err != nil {
		return fmt.Errorf("write export json: %w", err)
	}
	e.rows++
	return nil
}

// Close ends the output (the JSON array's closing bracket) and flushes it.
// It does not close the underlying writer.
func (e *ExportWriter) Close() error {
	if e.state != 1 {
		return fmt.Errorf("close export: %w", ErrExportOrder)
	}
	e.state = 2
	switch e.format {
	case FormatCSV:
		e.csv.Flush()
		if err := e.csv.Error(); err != nil {
			return fmt.Errorf("write export csv: %w", err)
		}
	case FormatJSON:
		end := "]\n"
		if e.rows > 0 {
			end = "\n]\n"
		}
		if _, err := e.w.WriteString(end); err != nil {
			return fmt.Errorf("write export json: %w", err)
		}
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}

// csvField renders a column's value for CSV: a missing value is an empty
// field, a boolean 0 or 1, a float in the fewest digits that read back
// exactly.
func csvField(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case string:
		return x, nil
	}
	return "", fmt.Errorf("value of type %T", v)
}

// appendJSON appends a column's value to b as JSON: a missing value (or a
// NaN) is null, a string escaped as encoding/json escapes it.
func (e *ExportWriter) appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...), nil
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case string:
		e.str.Reset()
		if err := e.enc.Encode(x); err != nil {
			return b, err
		}
		return append(b, bytes.TrimSuffix(e.str.Bytes(), []byte("\n"))...), nil
	}
	return b, fmt.Errorf("value of type %T", v)
}
