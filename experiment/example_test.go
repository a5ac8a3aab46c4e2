package experiment_test

import (
	"context"
	"fmt"

	"github.com/exp-tool/exp/experiment"
)

func ExampleIsPrime() {
	var primes []uint64
	for x := uint64(0); x < 30; x++ {
		if experiment.IsPrime(x) {
			primes = append(primes, x)
		}
	}
	fmt.Println(primes)
	fmt.Println(experiment.IsPrime(10_000_000_000_037)) // the first prime past 10^13
	// Output:
	// [2 3 5 7 11 13 17 19 23 29]
	// true
}

func ExampleISqrt() {
	fmt.Println(experiment.ISqrt(99), experiment.ISqrt(100), experiment.ISqrt(1<<64-1))
	// Output: 9 10 4294967295
}

func ExampleParse() {
	c, err := experiment.Parse("exp.yaml", []byte(`
name: demo
ranges:
  - {start: 10000000000000, count: 1000}
workers: [1, 2, 4]
schedules: [static, chunked]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Ranges, c.Workers, c.Schedules)
	fmt.Println("repeats", c.Repeats, "warmup", c.Warmup, "kernel", c.Kernel, "chunk", c.Chunk, "seeded", c.HasSeed)
	// Output:
	// demo [[10000000000000, +1000)] [1 2 4] [static chunked]
	// repeats 10 warmup 1 kernel primes chunk 8 seeded false
}

func ExampleParse_error() {
	_, err := experiment.Parse("exp.yaml", []byte("name: demo\nranges: [{start: 0, count: 100}]\nworkers: [1, 2.5]\n"))
	fmt.Println(err)
	// Output:
	// exp.yaml:3:14: workers[1]: got a float "2.5" (must be an integer from 1 to 65536)
}

func ExampleExecute() {
	r := experiment.Range{Start: 0, Count: 100}
	out, err := experiment.Execute(context.Background(), experiment.Primes{}, r, 4, experiment.Static, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for w, st := range out.Workers {
		fmt.Printf("worker %d tested %d numbers, found %d primes\n", w, st.Items, st.Hits)
	}
	fmt.Println(experiment.DigestOf(out.Hits).Hits, "primes below 100")
	// Output:
	// worker 0 tested 25 numbers, found 9 primes
	// worker 1 tested 25 numbers, found 6 primes
	// worker 2 tested 25 numbers, found 6 primes
	// worker 3 tested 25 numbers, found 4 primes
	// 25 primes below 100
}

func ExampleNewPlan() {
	c, err := experiment.Parse("exp.yaml", []byte(`
name: demo
ranges: [{start: 0, count: 100}]
workers: [1, 2]
schedules: [per-item, static]
repeats: 3
warmup: 1
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := experiment.NewPlan(c, 42)
	fmt.Println(len(p.Cells), "cells,", len(p.Steps), "trials")
	for _, cell := range p.Cells {
		fmt.Println(cell.Index, cell.Range, cell.Schedule, cell.Workers)
	}
	// Output:
	// 4 cells, 16 trials
	// 0 [0, +100) per-item 1
	// 1 [0, +100) per-item 2
	// 2 [0, +100) static 1
	// 3 [0, +100) static 2
}

func ExampleRunner_Run() {
	c, err := experiment.Parse("exp.yaml", []byte("name: demo\nranges: [{start: 0, count: 1000}]\nworkers: [2]\nrepeats: 2\nwarmup: 1\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	p := experiment.NewPlan(c, 1)
	k := c.NewKernel()
	refs, err := experiment.ReferencesProgress(ctx, k, p.Ranges(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rn := &experiment.Runner{Kernel: k, References: refs}
	sum, err := rn.Run(ctx, p, p.Steps, func(t experiment.Trial) error {
		fmt.Println("trial", t.Seq, "warmup", t.Warmup, "hits", t.Hits, "ok", t.OK)
		return nil
	})
	fmt.Printf("%+v %v\n", sum, err)
	// Output:
	// trial 0 warmup true hits 168 ok true
	// trial 1 warmup false hits 168 ok true
	// trial 2 warmup false hits 168 ok true
	// {Trials:3 Failed:0 TimedOut:0 Skipped:0 Stopped:0 ConcludeFailed:0 QuietWaitNS:0} <nil>
}
