package scaling

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		x, y []float64
	}{
		{"Plain", "workers,throughput\n1,10\n2,19.5\n4,36\n", []float64{1, 2, 4}, []float64{10, 19.5, 36}},
		{"RepeatedLoads", "workers,throughput\n1,10\n1,11\n2,19\n2,20\n", []float64{1, 1, 2, 2}, []float64{10, 11, 19, 20}},
		{"ExtraColumnsAnyOrder", "throughput,host,workers\n10,a,1\n19,b,2\n", []float64{1, 2}, []float64{10, 19}},
		{"SpacesBOMAndCRLF", "\ufeff workers , throughput \r\n 1 , 10 \r\n\r\n2,\" 19 \"\r\n", []float64{1, 2}, []float64{10, 19}},
		{"Exponents", "workers,throughput\n0.5,2e-3\n1e1,1.5e3\n", []float64{0.5, 10}, []float64{0.002, 1500}},
		{"NoTrailingNewline", "workers,throughput\n8,80", []float64{8}, []float64{80}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y, err := ReadCSV(strings.NewReader(tc.in), "data.csv", "workers", "throughput")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(x, tc.x) || !slices.Equal(y, tc.y) {
				t.Errorf("ReadCSV = %v, %v; want %v, %v", x, y, tc.x, tc.y)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	t.Parallel()
	const h = "workers,throughput\n"
	tests := []struct {
		name string
		in   string
		want string // the whole error line
	}{
		{"ErrEmptyFile", "", `data.csv: the file is empty (must have a header row naming the columns, then one row per measurement)`},
		{"ErrBlankFile", "\n\n", `data.csv: the file is empty (must have a header row naming the columns, then one row per measurement)`},
		{"ErrNoRows", h, `data.csv: no measurements below the header (must have one row per measurement)`},
		{"ErrMissingX", "cores,throughput\n1,2\n", `data.csv:1: column "workers": not in the header (the columns are "cores", "throughput")`},
		{"ErrMissingY", "workers,time\n1,2\n", `data.csv:1: column "throughput": not in the header (the columns are "workers", "time")`},
		{"ErrDuplicateColumn", "throughput,workers,throughput\n1,2,3\n", `data.csv:1: column "throughput": appears twice in the header, as columns 1 and 3 (each name once)`},
		{"ErrNotANumber", h + "1,10\n2,20\n4,abc\n", `data.csv:4: column "throughput": "abc" is not a number (must be a positive number)`},
		{"ErrNotANumberX", h + "two,10\n", `data.csv:2: column "workers": "two" is not a number (must be a positive processor count)`},
		{"ErrEmptyCell", h + "1, \n", `data.csv:2: column "throughput": the cell is empty (must be a positive number)`},
		{"ErrEmptyCellX", h + ",3\n", `data.csv:2: column "workers": the cell is empty (must be a positive processor count)`},
		{"ErrNaN", h + "1,NaN\n", `data.csv:2: column "throughput": "NaN" is not finite (must be a positive number)`},
		{"ErrInf", h + "+Inf,1\n", `data.csv:2: column "workers": "+Inf" is not finite (must be a positive processor count)`},
		{"ErrOverflow", h + "1,1e999\n", `data.csv:2: column "throughput": "1e999" is not finite (must be a positive number)`},
		{"ErrNegative", h + "1,-3\n", `data.csv:2: column "throughput": "-3" is negative (must be a positive number)`},
		{"ErrZero", h + "1,0\n", `data.csv:2: column "throughput": "0" is zero (must be a positive number)`},
		{"ErrTiny", h + "1,1e-320\n", `data.csv:2: column "throughput": "1e-320" is too small to invert (must be a positive number)`},
		{"ErrZeroX", h + "0,3\n", `data.csv:2: column "workers": "0" is not positive (must be a positive processor count)`},
		{"ErrNegativeX", h + "-2,3\n", `data.csv:2: column "workers": "-2" is not positive (must be a positive processor count)`},
		{"ErrLineAfterBlank", h + "1,2\n\n\n2,x\n", `data.csv:5: column "throughput": "x" is not a number (must be a positive number)`},
		{"ErrLineAfterQuotedBreak", "note,workers,throughput\n\"a\nb\",1,x\n", `data.csv:3: column "throughput": "x" is not a number (must be a positive number)`},
		{"ErrTooManyCells", h + "1,2\n2,3,4\n", `data.csv:3: the row has 3 cells and the header 2 (must have one cell per column)`},
		{"ErrTooFewCells", h + "1,2\n3\n", `data.csv:3: the row has 1 cell and the header 2 (must have one cell per column)`},
		{"ErrBareQuote", h + "1,2\"3\n", `data.csv:2: bare " in non-quoted-field, at byte 4 (quote a cell that holds a comma, a quote or a line break, and double the quotes inside it)`},
		{"ErrUnterminatedQuote", h + "1,\"2\n3\n", `data.csv:2: extraneous or missing " in quoted-field, at line 3, byte 3 (quote a cell that holds a comma, a quote or a line break, and double the quotes inside it)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadCSV(strings.NewReader(tc.in), "data.csv", "workers", "throughput")
			checkCSVError(t, err)
			if err.Error() != tc.want {
				t.Errorf("ReadCSV(%q) =\n  %s\nwant\n  %s", tc.in, err, tc.want)
			}
		})
	}
	t.Run("ErrRead", func(t *testing.T) {
		boom := errors.New("boom")
		_, _, err := ReadCSV(iotest.ErrReader(boom), "data.csv", "workers", "throughput")
		checkCSVError(t, err)
		if want := "data.csv: cannot read the file: boom"; err.Error() != want || !errors.Is(err, boom) {
			t.Errorf("ReadCSV = %v, want %s wrapping boom", err, want)
		}
	})
}

// checkCSVError fails tb unless err is a one-line *CSVError wrapping
// ErrBadCSV.
func checkCSVError(tb testing.TB, err error) {
	tb.Helper()
	var ce *CSVError
	if !errors.As(err, &ce) {
		tb.Fatalf("err = %T %v, want a *CSVError", err, err)
	}
	if !errors.Is(err, ErrBadCSV) {
		tb.Errorf("errors.Is(%v, ErrBadCSV) = false", err)
	}
	if ce.File != "data.csv" || strings.ContainsAny(err.Error(), "\n\r") {
		tb.Errorf("File = %q, error %q: want data.csv and one line", ce.File, err)
	}
}

func TestCheckLoads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		x    []float64
		need int
		want string // "" for no error
	}{
		{"Enough", []float64{1, 2, 4, 4}, 3, ""},
		{"None", nil, 2, `data.csv: column "workers": 0 distinct values (must have at least 2 distinct processor counts)`},
		{"One", []float64{4, 4, 4}, 2, `data.csv: column "workers": 1 distinct value, 4 (must have at least 2 distinct processor counts)`},
		{"Two", []float64{2, 1, 2, 1}, 3, `data.csv: column "workers": 2 distinct values, 1 and 2 (must have at least 3 distinct processor counts)`},
		{"Three", []float64{8, 0.5, 2}, 4, `data.csv: column "workers": 3 distinct values, 0.5, 2 and 8 (must have at least 4 distinct processor counts)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckLoads(tc.x, tc.need, "data.csv", "workers")
			if tc.want == "" {
				if err != nil {
					t.Errorf("CheckLoads = %v, want nil", err)
				}
				return
			}
			checkCSVError(t, err)
			if err.Error() != tc.want {
				t.Errorf("CheckLoads =\n  %s\nwant\n  %s", err, tc.want)
			}
		})
	}
}

// FuzzReadCSV checks that ReadCSV never panics, that every error is a
// one-line *CSVError wrapping ErrBadCSV, and that what it accepts is valid.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"workers,throughput\n1,10\n2,19\n",
		"\ufeffworkers , throughput\r\n1,10\r\n",
		"throughput,workers\n\"1\",\"2\"\n",
		"workers,throughput\n1,\"2\n3\n",
		"workers,throughput\n1,2,3\n",
		"workers,throughput,workers\n1,2,3\n",
		"workers,throughput\n0,1\n-1,NaN\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		x, y, err := ReadCSV(strings.NewReader(in), "data.csv", "workers", "throughput")
		if err != nil {
			checkCSVError(t, err)
			return
		}
		if len(x) == 0 || len(x) != len(y) {
			t.Fatalf("ReadCSV(%q) = %d x, %d y", in, len(x), len(y))
		}
		for i := range x {
			if !(x[i] > 0 && y[i] >= 0) || (Point{P: x[i], Y: y[i]}).check(i) != nil {
				t.Fatalf("ReadCSV(%q) accepted x = %g, y = %g", in, x[i], y[i])
			}
		}
	})
}

func BenchmarkReadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("workers,throughput,host\n")
	for i := range 1000 {
		sb.WriteString(strings.Repeat("1", 1+i%3) + ",123.456,node07\n")
	}
	in := sb.String()
	for b.Loop() {
		if _, _, err := ReadCSV(strings.NewReader(in), "data.csv", "workers", "throughput"); err != nil {
			b.Fatal(err)
		}
	}
}
