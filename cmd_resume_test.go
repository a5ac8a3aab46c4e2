package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/store"
)

// takeoverPrimes is the primes kernel whose first number has another exp
// resume the run, as one would once the running exp's heartbeat stopped.
type takeoverPrimes struct {
	experiment.Primes
	takeover func()
}

func (takeoverPrimes) Name() string { return "takeover-primes" }

func (k takeoverPrimes) Hit(x uint64) bool {
	k.takeover()
	return experiment.IsPrime(x)
}

// TestSupersededRunStops: an exp whose run another exp has resumed stores
// nothing more, leaves the outcome to the other, and says so in one line
// (exit status 1).
func TestSupersededRunStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	var once sync.Once
	var takeoverErr error
	takeover := func() {
		once.Do(func() {
			db, err := store.Open(context.Background(), path)
			if err != nil {
				takeoverErr = err
				return
			}
			defer db.Close()
			db.Now = func() time.Time { return time.Now().Add(time.Hour) } // the first exp's heartbeat is an hour old
			_, takeoverErr = db.ResumeRun(context.Background(), 1, "elsewhere")
		})
	}
	experiment.Kernels["takeover-primes"] = func(*experiment.Config) experiment.Kernel { return takeoverPrimes{takeover: takeover} }
	t.Cleanup(func() { delete(experiment.Kernels, "takeover-primes") })
	cfg := writeFile(t, t.TempDir(), "e.yaml", strings.Replace(smallYAML, "name: small", "name: small\nkernel: takeover-primes", 1))
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"exp", "run", cfg, "--db", path, "-q"}, &stdout, &stderr)
	if takeoverErr != nil {
		t.Fatalf("the other exp could not resume the run: %v", takeoverErr)
	}
	if want := "run 1: the run was resumed by another exp after this exp added 0 trials"; err == nil || exitCode(err) != 1 ||
		!strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") || !errors.Is(err, store.ErrSuperseded) {
		t.Fatalf("run = %v (exit %d), want one line starting %q, exit 1", err, exitCode(err), want)
	}
	db := openDB(t, path)
	for q, want := range map[string]int{
		`SELECT count(*) FROM trials`: 0,
		`SELECT count(*) FROM runs WHERE status = 'running' AND finished_at IS NULL`:                           1,
		`SELECT count(*) FROM run_invocations WHERE kind = 'start' AND finished_at IS NOT NULL AND trials = 0`: 1,
		`SELECT count(*) FROM run_invocations WHERE kind = 'resume' AND hostname = 'elsewhere'`:                1,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
}
