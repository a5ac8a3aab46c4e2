package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/urfave/cli/v2"
)

// cmdKernel is exp kernel primes: one execution of the primes kernel in
// this process, printing its answer on one line, so that exp itself can
// be kernel command's program and in-process and per-process costs be
// compared. The answer does not depend on --workers or --schedule.
func cmdKernel(c *cli.Context) error {
	if c.NArg() != 1 || c.Args().First() != "primes" {
		return usagef("kernel takes one kernel name, primes (try: exp kernel primes --start 10000000000000 --count 1000 --workers 2)")
	}
	start, count, workers, chunk := c.Uint64("start"), c.Uint64("count"), c.Int("workers"), c.Int("chunk")
	switch {
	case count < 1 || count-1 > experiment.MaxValue-start:
		return usagef("--count must be >= 1 with start+count-1 <= 2^63-1, got start %d count %d", start, count)
	case workers < 1 || workers > experiment.MaxWorkers:
		return usagef("--workers must be from 1 to %d, got %d", experiment.MaxWorkers, workers)
	case chunk < 1:
		return usagef("--chunk must be >= 1, got %d", chunk)
	}
	s := experiment.Schedule(c.String("schedule"))
	if !slices.Contains(experiment.Schedules, s) {
		return usagef("--schedule must be one of %v, got %q", experiment.Schedules, s)
	}
	t0 := time.Now()
	out, err := experiment.Execute(c.Context, experiment.Primes{}, experiment.Range{Start: start, Count: count}, workers, s, uint64(chunk))
	if err != nil {
		return fmt.Errorf("kernel primes: %w", err)
	}
	took := time.Since(t0)
	d := experiment.DigestOf(out.Hits)
	fmt.Fprintf(c.App.Writer, "primes %d checksum %s\n", d.Hits, d.Checksum)
	if c.Bool("time") {
		fmt.Fprintf(c.App.ErrWriter, "kernel primes [%d, +%d) %s, %d workers: %s\n", start, count, s, workers, took)
	}
	return nil
}
