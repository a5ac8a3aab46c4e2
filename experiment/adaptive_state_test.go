package experiment

// Test helpers: what a Stopper knows, for the tests to look at.

// Precision returns the precision (RelativeHalfWidth) of the median of the
// sorted values xs from its order-statistic interval at level conf
// (MedianCI); +Inf when xs are too few for that interval.
func Precision(sorted []float64, conf float64) float64 {
	lo, _, ok := MedianCI(len(sorted), conf)
	return precisionAt(sorted, lo, ok)
}

// CellState is what a Stopper knows of one cell.
type CellState struct {
	N         int     // trials that count so far
	Stopped   bool    // whether the cell stopped (precise, or at Max)
	Precise   bool    // whether it stopped because it reached the target
	Precision float64 // the precision at StopConfidence now (Precision); +Inf with too few trials
}

// Cell returns the state of cell i.
func (s *Stopper) Cell(i int) CellState {
	c := s.cells[i]
	return CellState{N: len(c.sorted), Stopped: c.stopRound >= 0, Precise: c.precise, Precision: s.precision(c.sorted)}
}
