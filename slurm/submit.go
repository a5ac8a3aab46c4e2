package slurm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ManifestName is the file in the results directory that records the job.
const ManifestName = "exp-slurm.json"

// Manifest records a submitted job in its results directory, so that exp
// slurm collect finds the shards from the job id alone.
type Manifest struct {
	Job    Job      `json:"job"`
	JobIDs []string `json:"job_ids"` // every array job submitted for it, first the whole array, then each resubmission
}

// ReadManifest reads dir's manifest.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m, fmt.Errorf("read manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("read manifest %s: %w", filepath.Join(dir, ManifestName), err)
	}
	return m, nil
}

// Write writes m into its job's directory.
func (m Manifest) Write() error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(m.Job.Dir, ManifestName), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// FindDir returns the results directory under root (exp-slurm-*/) whose
// manifest records jobID; ErrNoJob if none does.
func FindDir(root, jobID string) (string, error) {
	dirs, _ := filepath.Glob(filepath.Join(root, "exp-slurm-*", ManifestName))
	for _, p := range dirs {
		if m, err := ReadManifest(filepath.Dir(p)); err == nil {
			for _, id := range m.JobIDs {
				if id == jobID {
					return filepath.Dir(p), nil
				}
			}
		}
	}
	return "", fmt.Errorf("%w: no exp-slurm-*/%s under %s records job %s (pass --dir)", ErrNoJob, ManifestName, root, jobID)
}

// Submit runs sbatch --parsable script and returns the job id it prints
// (without a ";cluster" suffix).
func Submit(ctx context.Context, script string) (string, error) {
	out, err := command(ctx, "sbatch", "--parsable", script)
	if err != nil {
		return "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if id == "" {
		return "", fmt.Errorf("%w: sbatch printed no job id", ErrSlurm)
	}
	return id, nil
}

// PollInterval is how often Wait asks squeue about the job.
var PollInterval = 2 * time.Second

// Wait polls squeue -h -j jobID every PollInterval until the job has no
// task pending or running, and calls progress (if not nil) with squeue's
// lines whenever they change. A job squeue no longer knows has ended.
func Wait(ctx context.Context, jobID string, progress func(lines []string)) error {
	last := ""
	for {
		out, err := command(ctx, "squeue", "-h", "-j", jobID, "-o", "%i %T %R")
		if err != nil && !strings.Contains(err.Error(), "Invalid job id") {
			return err
		}
		out = strings.TrimSpace(out)
		if err != nil || out == "" {
			return nil
		}
		if out != last && progress != nil {
			progress(strings.Split(out, "\n"))
		}
		last = out
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for job %s: %w", jobID, ctx.Err())
		case <-time.After(PollInterval):
		}
	}
}

// command runs a Slurm client command and returns its stdout; an error
// wraps ErrNoSlurm or ErrSlurm with its stderr.
func command(ctx context.Context, name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s is not on $PATH (exp slurm needs Slurm's client commands)", ErrNoSlurm, name)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return stdout.String(), fmt.Errorf("%w: %s %s: %v: %s", ErrSlurm, name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return stdout.String(), nil
}
