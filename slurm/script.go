// Package slurm runs exp's sharded runs as Slurm job arrays: it writes
// the array script from deploy's template, submits it with sbatch, and
// waits for the array with squeue. It knows nothing of exp's databases:
// exp's command checks and merges the shards' files. It needs Slurm's
// client commands (sbatch, squeue) on $PATH, and never uses sacct, which
// many clusters do not run.
package slurm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"github.com/exp-tool/exp/deploy"
)

// Sentinel errors of the slurm package.
var (
	// ErrNoSlurm is returned when a Slurm command is not on $PATH.
	ErrNoSlurm = errors.New("slurm command not found")
	// ErrSlurm wraps a Slurm command that failed, with its output.
	ErrSlurm = errors.New("slurm command failed")
	// ErrNoJob is returned when no results directory records a job id.
	ErrNoJob = errors.New("no exp slurm job")
)

// ScriptName is the array script's name in the results directory.
const ScriptName = "exp-array.sbatch"

// Job is what the array script runs: one task per shard of File.
type Job struct {
	Name      string // Slurm job name
	File      string // experiment file, absolute path
	Exp       string // exp binary, absolute path (it must be visible on the nodes)
	Dir       string // results directory: shard databases and logs, absolute path
	Shards    int    // N: the matrix is split into shards 0..N-1
	Only      []int  // shards to run; all when empty (a resubmission: --only I)
	Partition string // Slurm partition; "" for the cluster's default
	Exclusive bool   // whether each shard has a node to itself (sbatch --exclusive)
	CPUs      int    // CPUs each task asks for: the file's largest worker count
}

// Array is the job's --array value: 0-(N-1), or the Only shards.
func (j Job) Array() string {
	if len(j.Only) == 0 {
		return fmt.Sprintf("0-%d", j.Shards-1)
	}
	s := make([]string, len(j.Only))
	for i, v := range j.Only {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

// DBPattern is the --db of each task: exp run replaces {shard} by the
// shard index.
func (j Job) DBPattern() string { return filepath.Join(j.Dir, "shard-{shard}.db") }

// ShardDB is the database shard i writes.
func (j Job) ShardDB(i int) string { return filepath.Join(j.Dir, fmt.Sprintf("shard-%d.db", i)) }

// ShardLog is the log (stdout and stderr) of shard i's task.
func (j Job) ShardLog(i int) string { return filepath.Join(j.Dir, fmt.Sprintf("shard-%d.log", i)) }

// ErrDirNotInSbatch is returned by Render for a results directory that an
// #SBATCH line cannot carry.
var ErrDirNotInSbatch = errors.New("the results directory cannot go in an #SBATCH line")

// Render returns the array script of j, from deploy.SlurmArrayTemplate.
// sbatch reads its #SBATCH lines without a shell, so the results directory
// (in --output) must hold no space, quote, backslash or %
// (ErrDirNotInSbatch), and the job name keeps only letters, digits and
// ._- (others become -).
func Render(j Job) (string, error) {
	if strings.ContainsAny(j.Dir, " \t\n\"'%\\") {
		return "", fmt.Errorf("%w: %q holds a space, quote, backslash or %%; run exp slurm submit from a directory without them", ErrDirNotInSbatch, j.Dir)
	}
	j.Name = strings.Map(func(r rune) rune {
		if r == '.' || r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '-'
	}, j.Name)
	t, err := template.New("sbatch").Funcs(template.FuncMap{"q": shellQuote}).Parse(deploy.SlurmArrayTemplate)
	if err != nil {
		return "", fmt.Errorf("sbatch template: %w", err)
	}
	var b strings.Builder
	if err := t.Execute(&b, j); err != nil {
		return "", fmt.Errorf("sbatch template: %w", err)
	}
	return b.String(), nil
}

// WriteScript renders j into Dir/ScriptName (Dir/exp-array-only-….sbatch
// for a resubmission) and returns its path.
func WriteScript(j Job) (string, error) {
	s, err := Render(j)
	if err != nil {
		return "", err
	}
	name := ScriptName
	if len(j.Only) > 0 {
		name = "exp-array-only-" + strings.ReplaceAll(j.Array(), ",", "-") + ".sbatch"
	}
	path := filepath.Join(j.Dir, name)
	if err := os.WriteFile(path, []byte(s), 0o755); err != nil {
		return "", fmt.Errorf("write sbatch script: %w", err)
	}
	return path, nil
}

// shellQuote quotes s for a POSIX shell, unless it needs no quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./{}=:+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
