package slurm

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./slurm -update rewrites it):\n%s", name, got)
	}
}

func TestRender(t *testing.T) {
	job := Job{Name: "exp-demo", File: "/home/me/my runs/experiments.yaml", Exp: "/opt/exp/bin/exp", Dir: "/scratch/exp-slurm-exp-demo",
		Shards: 4, Exclusive: true, Partition: "debug", CPUs: 8}
	for _, tt := range []struct {
		name string
		job  func(Job) Job
	}{
		{"array.sbatch", func(j Job) Job { return j }},
		{"shared-default-partition.sbatch", func(j Job) Job { j.Exclusive, j.Partition = false, ""; return j }},
		{"only-1-3.sbatch", func(j Job) Job { j.Only = []int{1, 3}; return j }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Render(tt.job(job))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, s)
		})
	}
}

func TestManifestAndFindDir(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "exp-slurm-x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := Manifest{Job: Job{Name: "x", Dir: dir, Shards: 3}, JobIDs: []string{"41", "45"}}
	if err := m.Write(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"41", "45"} {
		if got, err := FindDir(root, id); err != nil || got != dir {
			t.Errorf("FindDir(%s) = %q, %v; want %q", id, got, err, dir)
		}
	}
	if _, err := FindDir(root, "42"); err == nil {
		t.Error("FindDir found a job that was never submitted")
	}
	if got, err := ReadManifest(dir); err != nil || got.Job.Shards != 3 || len(got.JobIDs) != 2 {
		t.Errorf("ReadManifest = %+v, %v", got, err)
	}
}

// TestRenderSbatchLines: sbatch reads #SBATCH lines without a shell, so a
// results directory with a space is refused and the job name is made safe.
func TestRenderSbatchLines(t *testing.T) {
	job := Job{Name: "my demo's \"run\"", File: "/e.yaml", Exp: "/exp", Dir: "/scratch/exp-slurm-demo", Shards: 2, CPUs: 2}
	s, err := Render(job)
	if err != nil || !strings.Contains(s, "#SBATCH --job-name=my-demo-s--run-\n") {
		t.Errorf("job name not made safe (%v):\n%s", err, s)
	}
	job.Dir = "/scratch/my runs/exp-slurm-demo"
	if _, err := Render(job); !errors.Is(err, ErrDirNotInSbatch) {
		t.Errorf("a directory with a space: %v, want ErrDirNotInSbatch", err)
	}
}
