package experiment

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateBad = flag.Bool("update", false, "rewrite testdata/bad/*.want from what Load says")

// TestBadFiles loads every experiment file in testdata/bad: each must be
// refused with a *ConfigError whose one line is the .want file beside it
// (the message for the file as named on the command line in that
// directory; e2e's TestBadExperimentFiles runs the binary on the same
// files). Update with go test ./experiment -run TestBadFiles -update.
func TestBadFiles(t *testing.T) {
	t.Parallel()
	const dir = "testdata/bad"
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) < 40 {
		t.Fatalf("testdata/bad holds %d files (%v), want at least 40", len(paths), err)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			t.Parallel()
			c, err := Load(t.Context(), path)
			var ce *ConfigError
			if c != nil || !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("Load = %v, %T %v; want a *ConfigError", c, err, err)
			}
			got, ok := strings.CutPrefix(err.Error(), dir+"/")
			if !ok || strings.ContainsAny(got, "\n\r") || !strings.HasPrefix(got, name) {
				t.Fatalf("error %q is not one line naming %s", err, name)
			}
			wantFile := strings.TrimSuffix(path, ".yaml") + ".want"
			if *updateBad {
				if err := os.WriteFile(wantFile, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (go test ./experiment -run TestBadFiles -update writes it)", err)
			}
			if got != strings.TrimSuffix(string(want), "\n") {
				t.Errorf("Load(%s)\n got: %s\nwant: %s", name, got, want)
			}
		})
	}
}
