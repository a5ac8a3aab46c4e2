package scaling

import "errors"

// Sentinel errors. The first group is returned by fits that cannot be made;
// the second is wrapped by the Warnings of fits that were made; the third
// is wrapped by errors about input files.
var (
	// ErrTooFewPoints means the data has too few distinct processor counts
	// for the model: 2 for Amdahl and Gustafson, 3 for the USL, 2 above
	// p = 1 for a Karp–Flatt trend.
	ErrTooFewPoints = errors.New("too few distinct processor counts")
	// ErrBadPoint means a point has a non-positive or non-finite P, a
	// non-finite or negative measurement, or a negative or non-finite SE.
	ErrBadPoint = errors.New("bad point")
	// ErrDegenerateFit means the fitted model is meaningless: a
	// non-positive single-processor time or throughput.
	ErrDegenerateFit = errors.New("degenerate fit")
	// ErrBadConfidence means the confidence level is not in (0, 1).
	ErrBadConfidence = errors.New("confidence level must be in (0, 1)")

	// ErrUntestable warns that the data has no more distinct processor
	// counts than the model has parameters (2 for Amdahl and, above p = 1,
	// 1 for Gustafson; 3 for the USL): the model passes through them
	// exactly, so the fit can extrapolate the law but not test it. It also
	// wraps the warning that a fit has no intervals.
	ErrUntestable = errors.New("too few processor counts: the fit cannot test the model, only extrapolate it")
	// ErrSuperlinear warns that a serial fraction came out negative: the
	// speedup grew faster than the processor count (caches, a smaller
	// working set per worker). The value is reported as measured.
	ErrSuperlinear = errors.New("superlinear speedup: serial fraction below 0")
	// ErrSlowdown warns that a serial fraction came out above 1: adding
	// processors made the program slower.
	ErrSlowdown = errors.New("slowdown: serial fraction above 1")
	// ErrLackOfFit warns that the points scatter about the model by more
	// than their standard errors allow (a heuristic chi-squared test).
	ErrLackOfFit = errors.New("lack of fit")
	// ErrNoConvergence warns that an iterative fit stopped before it
	// converged; its estimates are the best point found.
	ErrNoConvergence = errors.New("fit did not converge")
	// ErrOutOfRange warns that a Karp–Flatt fraction lies outside [0, 1].
	ErrOutOfRange = errors.New("serial fraction outside [0, 1]")

	// ErrBadCSV is wrapped by every *CSVError, so callers can test
	// errors.Is(err, ErrBadCSV) to tell bad input from a failed fit.
	ErrBadCSV = errors.New("invalid CSV file of measurements")
)
