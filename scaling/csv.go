package scaling

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// CSVError is a problem in a CSV file of measurements, with its position.
// Error renders it as one line, FILE:ROW: column "NAME": MSG, leaving out
// the row and the column when the error is about neither, for example
//
//	data.csv:7: column "throughput": "abc" is not a number (must be a positive number)
type CSVError struct {
	File   string // path of the CSV file as given by the user
	Row    int    // 1-based line in the file (the header is line 1); 0 when the error is about no row
	Column string // name of the offending column; empty when the error is about no column
	Msg    string // what is wrong (what is allowed)
	Err    error  // underlying error, such as a failed read or a *csv.ParseError; may be nil
}

// Error implements error.
func (e *CSVError) Error() string {
	pos := e.File
	if e.Row > 0 {
		pos = fmt.Sprintf("%s:%d", e.File, e.Row)
	}
	if e.Column == "" {
		return pos + ": " + e.Msg
	}
	return fmt.Sprintf("%s: column %q: %s", pos, e.Column, e.Msg)
}

// Unwrap lets errors.Is match ErrBadCSV and the underlying error, if any.
func (e *CSVError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrBadCSV}
	}
	return []error{ErrBadCSV, e.Err}
}

// What each column must hold, as the errors say it.
const (
	allowedX = "must be a positive processor count"
	allowedY = "must be a positive number"
)

// ReadCSV reads measurements for exp fit from a CSV file with a header
// row: the processor count (or load) from column xCol and the measurement
// from column yCol, one pair per row, in file order. file names the input
// in errors. Several rows may share a processor count; other columns are
// ignored. Header names and cells are trimmed of spaces, and a leading
// UTF-8 byte order mark is ignored; names are matched exactly. Numbers are
// read by strconv.ParseFloat (so 1e3 and 1_000 are accepted).
//
// Every error is a *CSVError, which unwraps to ErrBadCSV: an empty file, a
// header without xCol or yCol (the error lists the columns there are) or
// with either twice, no data rows, a malformed or ragged row (as
// encoding/csv reports it, with its line), and a cell that is empty, not a
// number, NaN or infinite, negative or zero. ReadCSV
// does not check how many distinct processor counts there are; see
// CheckLoads.
func ReadCSV(r io.Reader, file, xCol, yCol string) (x, y []float64, err error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, &CSVError{File: file, Msg: "the file is empty (must have a header row naming the columns, then one row per measurement)"}
	}
	if err != nil {
		return nil, nil, readError(file, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	xi, err := columnIndex(file, header, xCol)
	if err != nil {
		return nil, nil, err
	}
	yi, err := columnIndex(file, header, yCol)
	if err != nil {
		return nil, nil, err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := cr.FieldPos(0)
			return nil, nil, &CSVError{File: file, Row: line, Err: err,
				Msg: fmt.Sprintf("the row has %s and the header %d (must have one cell per column)", cells(len(rec)), len(header))}
		}
		if err != nil {
			return nil, nil, readError(file, err)
		}
		xv, err := cell(cr, file, rec, xi, xCol, true)
		if err != nil {
			return nil, nil, err
		}
		yv, err := cell(cr, file, rec, yi, yCol, false)
		if err != nil {
			return nil, nil, err
		}
		x, y = append(x, xv), append(y, yv)
	}
	if len(x) == 0 {
		return nil, nil, &CSVError{File: file, Msg: "no measurements below the header (must have one row per measurement)"}
	}
	return x, y, nil
}

// cells is "1 cell" or "n cells".
func cells(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return fmt.Sprintf("%d cells", n)
}

// columnIndex finds name in header, which must hold it exactly once.
func columnIndex(file string, header []string, name string) (int, error) {
	i := slices.Index(header, name)
	if i < 0 {
		quoted := make([]string, len(header))
		for j, h := range header {
			quoted[j] = strconv.Quote(h)
		}
		return 0, &CSVError{File: file, Row: 1, Column: name,
			Msg: fmt.Sprintf("not in the header (the columns are %s)", strings.Join(quoted, ", "))}
	}
	if j := slices.Index(header[i+1:], name); j >= 0 {
		return 0, &CSVError{File: file, Row: 1, Column: name,
			Msg: fmt.Sprintf("appears twice in the header, as columns %d and %d (each name once)", i+1, i+j+2)}
	}
	return i, nil
}

// cell parses the number in rec[i], the column name, at its line in the
// file: a positive count when isX, a positive number otherwise.
func cell(cr *csv.Reader, file string, rec []string, i int, name string, isX bool) (float64, error) {
	line, _ := cr.FieldPos(i)
	allowed := allowedY
	if isX {
		allowed = allowedX
	}
	bad := func(format string, args ...any) error {
		return &CSVError{File: file, Row: line, Column: name, Msg: fmt.Sprintf(format, args...) + " (" + allowed + ")"}
	}
	s := strings.TrimSpace(rec[i])
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case s == "":
		return 0, bad("the cell is empty")
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, bad("%q is not a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, bad("%q is not finite", s)
	case isX && !(v > 0):
		return 0, bad("%q is not positive", s)
	case v < 0:
		return 0, bad("%q is negative", s)
	case v == 0:
		// A zero time or throughput has no inverse, and every fit uses both.
		return 0, bad("%q is zero", s)
	case !isX && math.IsInf(1/v, 0):
		return 0, bad("%q is too small to invert", s)
	}
	return v, nil
}

// readError turns an error from encoding/csv into a CSVError at the line
// where the row begins.
func readError(file string, err error) *CSVError {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &CSVError{File: file, Msg: fmt.Sprintf("cannot read the file: %v", err), Err: err}
	}
	at := fmt.Sprintf("at byte %d", pe.Column)
	if pe.Line != pe.StartLine {
		at = fmt.Sprintf("at line %d, byte %d", pe.Line, pe.Column)
	}
	return &CSVError{File: file, Row: pe.StartLine, Err: err,
		Msg: fmt.Sprintf("%v, %s (quote a cell that holds a comma, a quote or a line break, and double the quotes inside it)", pe.Err, at)}
}

// CheckLoads returns a *CSVError naming column xCol of file when x holds
// fewer than need distinct values (processor counts): a fit of a model
// with need parameters cannot be tested on fewer.
func CheckLoads(x []float64, need int, file, xCol string) error {
	distinct := slices.Clone(x)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	if len(distinct) >= need {
		return nil
	}
	what := fmt.Sprintf("%d distinct values", len(distinct))
	switch len(distinct) {
	case 0:
	case 1:
		what = fmt.Sprintf("1 distinct value, %g", distinct[0])
	default:
		vs := make([]string, len(distinct))
		for i, v := range distinct {
			vs[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		what += ", " + strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
	}
	return &CSVError{File: file, Column: xCol, Msg: fmt.Sprintf("%s (must have at least %d distinct processor counts)", what, need)}
}
