// Package scaling fits the laws of parallel scaling to measurements:
// Amdahl's law, the Karp–Flatt serial fraction, Gunther's Universal
// Scalability Law and Gustafson's law of scaled speedup, and chooses
// between Amdahl's law and the USL.
//
// A model is a value type whose methods are its equations (Amdahl,
// USL, Gustafson); a fit returns the model together with its uncertainty,
// its goodness of fit and Warnings []error, whose sentinels (ErrSuperlinear,
// ErrLackOfFit, ...) callers test with errors.Is. The package takes
// (processors, measurement) points and nothing else: it knows no database,
// no experiment file and no output format, and it imports no other exp
// package. The one input format it reads, a CSV of measurements for exp
// fit (ReadCSV), comes from an io.Reader: it opens no files. The
// confidence level of every interval is an argument.
package scaling
