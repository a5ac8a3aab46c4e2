package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/store"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "exp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "exp.db")) // created and migrated
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("schema version", v)
	// Output: schema version 10
}

func ExampleOpenExisting() {
	dir, err := os.MkdirTemp("", "exp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	_, err = store.OpenExisting(context.Background(), filepath.Join(dir, "missing.db"))
	fmt.Println(errors.Is(err, store.ErrNoDatabase))
	// Output: true
}

// ExampleDB_CreateRun records a run as exp run does: create the run, commit
// each trial as it finishes, then mark the run done.
func ExampleDB_CreateRun() {
	dir, err := os.MkdirTemp("", "exp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "exp.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	cfg, err := experiment.Parse("demo.yaml", []byte("name: demo\nrepeats: 2\nwarmup: 0\nranges: [{start: 1, count: 10}]\nworkers: [1, 2]\n"))
	if err != nil {
		log.Fatal(err)
	}
	plan := experiment.NewPlan(cfg, 1)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	run, err := experiment.NewRun(plan, host.Host{OS: "linux", NumCPU: 2}, now)
	if err != nil {
		log.Fatal(err)
	}
	rec, err := db.CreateRun(ctx, &run, plan, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, st := range plan.Steps {
		t := experiment.Trial{Step: st, StartedAt: now, WallNS: 1000, Digest: experiment.DigestOf([]uint64{2, 3, 5, 7}), OK: true}
		if err := rec.AddTrial(ctx, t); err != nil {
			log.Fatal(err)
		}
	}
	if err := rec.Finish(experiment.StatusDone, ""); err != nil {
		log.Fatal(err)
	}

	latest, err := db.FindRun(ctx, "latest")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("run %d %q: %s, %d trials\n", latest.ID, latest.Name, latest.Status, latest.Trials)
	// Output: run 1 "demo": done, 4 trials
}
