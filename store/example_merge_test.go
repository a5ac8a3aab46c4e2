package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/store"
)

// ExampleMerge gathers the runs of two machines' files into one; merging
// the same files again adds nothing.
func ExampleMerge() {
	dir, err := os.MkdirTemp("", "exp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	cfg, err := experiment.Parse("demo.yaml", []byte("name: demo\nrepeats: 1\nwarmup: 0\nranges: [{start: 1, count: 10}]\nworkers: [1]\n"))
	if err != nil {
		log.Fatal(err)
	}
	plan := experiment.NewPlan(cfg, 1)
	var inputs []string
	for _, machine := range []string{"node-a", "node-b"} {
		path := filepath.Join(dir, machine+".db")
		db, err := store.Open(ctx, path)
		if err != nil {
			log.Fatal(err)
		}
		run, err := experiment.NewRun(plan, host.Host{Hostname: machine, NumCPU: 2}, time.Now())
		if err != nil {
			log.Fatal(err)
		}
		rec, err := db.CreateRun(ctx, &run, plan, nil)
		if err != nil {
			log.Fatal(err)
		}
		if err := rec.Finish(experiment.StatusDone, ""); err != nil {
			log.Fatal(err)
		}
		db.Close()
		inputs = append(inputs, path)
	}

	all := filepath.Join(dir, "all.db")
	for range 2 {
		results, err := store.Merge(ctx, all, inputs, nil)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range results {
			fmt.Printf("%s: %d added, %d already present\n", filepath.Base(r.Input), len(r.Added), len(r.Present))
		}
	}
	// Output:
	// node-a.db: 1 added, 0 already present
	// node-b.db: 1 added, 0 already present
	// node-a.db: 0 added, 1 already present
	// node-b.db: 0 added, 1 already present
}
