// Package experiment is exp's domain: the experiment file (Config), the
// matrix it expands to (Plan), the kernels that do the work, the schedules
// that split a range among workers, and the Runner that times trials.
//
// The package computes and measures; it never opens a database or renders a
// report. Results leave the Runner through a callback, so the store and the
// report stay independent of each other and of how trials are produced.
package experiment
