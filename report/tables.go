package report

import "slices"

// Table is one of exp report's tables as text, for renderers outside this
// package (exp report --format html): every value is formatted as the text
// table prints it, "-" where it is missing, so that every output shows the
// same numbers.
type Table struct {
	Header []string // column names; the text table adds WARNINGS after them
	Rows   []Row
}

// Row is one row of a Table.
type Row struct {
	Cells    []string // one per column of the Header
	Warnings []error  // the row's caveats, which the text table joins with "; "
}

// grid renders t as the text tables do, with the warnings joined in a last
// column.
func (t Table) grid() grid {
	g := grid{header: append(append([]string(nil), t.Header...), "WARNINGS")}
	for _, row := range t.Rows {
		g.rows = append(g.rows, append(append([]string(nil), row.Cells...), joinWarnings(row.Warnings)))
	}
	return g
}

// CellTable returns the cell table of WriteTable: one row per cell, in
// plan order, with the cell's warnings.
func CellTable(r *Report) Table { return cellTable(r) }

// FitTable returns the fit table of WriteTable: one row per range and
// schedule, in plan order, with Amdahl's law (or Gustafson's for a
// weak-scaling run) and the fit's warnings. When any fit of a
// strong-scaling run has a USL, the columns USL SIGMA, its CI, USL KAPPA,
// its CI and MODEL (amdahl, usl, or "-" where the data cannot choose)
// follow, formatted as ModelLines formats them.
func FitTable(r *Report) Table {
	t := fitTable(r)
	if weak(r.Run) || !hasUSL(r) {
		return t
	}
	ci := ciHeader(r)
	t.Header = append(t.Header, "USL SIGMA", ci, "USL KAPPA", ci, "MODEL")
	four := func(v float64) string { return num(v, 4) }
	for i, f := range r.Fits {
		cols := []string{"-", "-", "-", "-", "-"}
		if f.USLErr == nil {
			u := f.USL
			cols[0], cols[1] = four(u.Sigma), interval(u.SigmaLow, u.SigmaHigh, four)
			cols[2], cols[3] = sci(u.Kappa), interval(u.KappaLow, u.KappaHigh, sci)
		}
		if f.ChoiceErr == nil && f.Choice.Model != "" {
			cols[4] = f.Choice.Model
		}
		t.Rows[i].Cells = append(t.Rows[i].Cells, cols...)
	}
	return t
}

// hasUSL reports whether any fit of r has a USL.
func hasUSL(r *Report) bool {
	for _, f := range r.Fits {
		if f.USLErr == nil {
			return true
		}
	}
	return false
}

// Legend explains the columns of the tables of r in a few sentences, as
// WriteTable prints it between them.
func Legend(r *Report) string {
	l := fitLegend
	if weak(r.Run) {
		l = gustafsonLegend
	}
	if slices.ContainsFunc(r.Cells, func(c CellStats) bool { return c.Invocations > 1 }) {
		l += "\n" + processLegend
	}
	return l
}

const processLegend = "INV counts the processes a cell's trials ran in; BETWEEN SD and WITHIN SD are the standard deviations between\n" +
	"processes and within them, in % of the median (seconds in CSV and JSON); the 95% CI is then a hierarchical bootstrap's."
