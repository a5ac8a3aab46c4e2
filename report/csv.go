package report

import (
	"encoding/csv"
	"fmt"
	"io"
)

// WriteCSV writes one RFC 4180 row per cell (CRLF line ends), with the
// header CSVHeader. Missing values are empty fields.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader()); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	row := make([]string, len(cellColumns))
	for i := range r.Cells {
		for j, col := range cellColumns {
			row[j] = text(col.value(&r.Cells[i]))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
