package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// ShowFormats lists the formats exp show accepts.
var ShowFormats = []Format{FormatTable, FormatJSON}

// RunCounts is how much of a run a database holds. It has the fields of
// the store's counts, so that main converts one to the other.
type RunCounts struct {
	Cells    int `json:"cells"`     // cells of the run's matrix (range x schedule x workers)
	Measured int `json:"measured"`  // measured trials stored
	Warmup   int `json:"warmup"`    // warmup trials stored
	Failed   int `json:"failed"`    // trials with a wrong answer, warmups included
	TimedOut int `json:"timed_out"` // trials cancelled at the experiment's timeout, warmups included; not in Failed
}

// RunRecord is what exp show prints about one run.
type RunRecord struct {
	Run           experiment.Run   // the run shown
	Counts        RunCounts        // its cells and stored trials
	Original      *experiment.Run  // the run Run.Reproduces names; nil if none or not in this database (Run.Reproduces keeps its UUID)
	Reproductions []experiment.Run // runs in this database that reproduce Run, oldest first
	// Invocations are the exp processes that executed Run, oldest first:
	// the one that started it, then one per exp run --resume; none for a
	// file from before they were recorded.
	Invocations []experiment.Invocation
}

// WriteShow writes rec in format f: FormatTable, aligned "key: value"
// lines ending with the experiment file verbatim, indented; or FormatJSON,
// the run's RunJSON with the keys config_yaml, duration_s, counts, original,
// reproductions and invocations added. Other formats are an error.
func WriteShow(w io.Writer, f Format, rec RunRecord) error {
	var err error
	switch f {
	case FormatTable:
		err = writeShowTable(w, rec)
	case FormatJSON:
		err = writeShowJSON(w, rec)
	default:
		return fmt.Errorf("show: unknown format %q (allowed: table, json)", f)
	}
	if err != nil {
		return fmt.Errorf("write show: %w", err)
	}
	return nil
}

// notFinished stands for the end and duration of a run with no end recorded.
const notFinished = "not finished"

// duration is how long run r took, finished - started; ok is false if it
// has not finished.
func duration(r experiment.Run) (d time.Duration, ok bool) {
	if r.FinishedAt.IsZero() {
		return 0, false
	}
	return r.FinishedAt.Sub(r.StartedAt), true
}

// whyNotFinished says why a run has no end: running, with its last
// heartbeat; abandoned, with how to finish it; or unknown.
func whyNotFinished(r experiment.Run) string {
	switch {
	case r.Status == experiment.StatusAbandoned && !r.HeartbeatAt.IsZero():
		return fmt.Sprintf("abandoned: no heartbeat since %s; exp run --resume %d finishes it", showTime(r.HeartbeatAt), r.ID)
	case r.Status == experiment.StatusAbandoned:
		return fmt.Sprintf("abandoned: the exp running it was killed; exp run --resume %d finishes it", r.ID)
	case r.Status == experiment.StatusRunning && !r.HeartbeatAt.IsZero():
		return "running: last heartbeat " + showTime(r.HeartbeatAt)
	}
	return "still running, or the exp running it was killed"
}

// invocationLine describes one exp process that executed the run; current
// says it is the one executing it now.
func invocationLine(inv experiment.Invocation, current bool) string {
	end := "no end recorded: its exp was killed"
	switch {
	case !inv.FinishedAt.IsZero():
		end = "ended " + showTime(inv.FinishedAt)
	case current:
		end = "running"
	}
	return fmt.Sprintf("%-6s %s on %s, %s, %s", inv.Kind, showTime(inv.StartedAt), orUnknown(inv.Hostname), plural(inv.Trials, "trial"), end)
}

// showTime formats a stored time: UTC, RFC 3339 with the stored fraction.
func showTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// runRef names another run: its UUID, id and status.
func runRef(r experiment.Run) string {
	return fmt.Sprintf("%s (run %d, %s)", r.UUID, r.ID, r.Status)
}

// orUnknown is s, or "unknown" when the run recorded nothing.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func writeShowTable(w io.Writer, rec RunRecord) error {
	r, h, c := rec.Run, rec.Run.Host, rec.Counts
	type line struct {
		key    string
		values []string // one or more; the second and later go on lines of their own
	}
	var lines []line
	add := func(key string, values ...string) { lines = append(lines, line{key, values}) }

	add("run", strconv.FormatInt(r.ID, 10))
	add("uuid", r.UUID)
	add("name", r.Name)
	add("status", string(r.Status))
	if r.Error != "" {
		add("message", r.Error)
	}
	add("started", showTime(r.StartedAt))
	if d, ok := duration(r); ok {
		add("finished", showTime(r.FinishedAt))
		add("duration", d.Round(time.Millisecond).String())
	} else {
		add("finished", notFinished+" ("+whyNotFinished(r)+")")
		add("duration", notFinished)
	}
	if len(rec.Invocations) > 0 {
		var invs []string
		for i, inv := range rec.Invocations {
			invs = append(invs, invocationLine(inv, i == len(rec.Invocations)-1 && r.Status == experiment.StatusRunning))
		}
		add("invocations", invs...)
	}
	add("config", r.ConfigPath)
	add("config sha256", r.ConfigSHA256)
	add("seed", strconv.FormatInt(r.Seed, 10))
	bound := "CPU-bound"
	if !r.CPUBound {
		bound = "not CPU-bound"
	}
	add("kernel", fmt.Sprintf("%s (%s scaling, %s)", r.Kernel, r.Scaling, bound))
	repeats := fmt.Sprintf("%d repeats", r.Repeats)
	if a := r.Adaptive(); a != nil {
		repeats = "repeats " + a.String()
	}
	if r.ProcessInvocations > 1 {
		add("per cell", fmt.Sprintf("%s + %d warmup in each of %d processes, chunk %d", repeats, r.Warmup, r.ProcessInvocations, r.Chunk))
	} else {
		add("per cell", fmt.Sprintf("%s + %d warmup, chunk %d", repeats, r.Warmup, r.Chunk))
	}
	if sh := r.Shard; sh.Sharded() {
		add("shard", fmt.Sprintf("%d of %d (exp run --shard %s)", sh.Index, sh.Count, sh))
	}
	if b := r.Batch; b.JobID != "" {
		job := "job " + b.JobID
		if b.ArrayJobID != "" {
			job += fmt.Sprintf(", array job %s task %d", b.ArrayJobID, b.ArrayTaskID)
		}
		add("slurm", job+", node "+orUnknown(b.Node))
	}

	add("hostname", orUnknown(h.Hostname))
	add("cpu model", orUnknown(h.CPUModel))
	add("num cpu", strconv.Itoa(h.NumCPU))
	add("gomaxprocs", strconv.Itoa(h.GOMAXPROCS))
	cgroup := "none"
	if h.CgroupCPULimit > 0 {
		cgroup = strconv.FormatFloat(h.CgroupCPULimit, 'f', -1, 64) + " CPUs"
	}
	add("cgroup limit", cgroup)
	add("governor", orUnknown(h.CPUGovernor))
	add("kernel release", orUnknown(h.KernelRelease))
	add("os/arch", h.OS+"/"+h.Arch)
	add("exp version", orUnknown(h.ExpVersion))
	rev := orUnknown(h.VCSRevision)
	if h.VCSModified {
		rev += " (modified)"
	}
	add("vcs revision", rev)
	add("go version", orUnknown(h.GoVersion))

	add("cells", strconv.Itoa(c.Cells))
	trials := fmt.Sprintf("%d: %d measured, %d warmup; %d of them failed", c.Measured+c.Warmup, c.Measured, c.Warmup, c.Failed)
	if c.TimedOut > 0 {
		trials += fmt.Sprintf(", %d timed out", c.TimedOut)
	}
	add("trials", trials)
	switch {
	case r.Reproduces == "":
		add("reproduces", "none")
	case rec.Original != nil:
		add("reproduces", runRef(*rec.Original))
	default:
		add("reproduces", r.Reproduces+" (not in this database)")
	}
	by := []string{"none"}
	if len(rec.Reproductions) > 0 {
		by = by[:0]
		for _, rr := range rec.Reproductions {
			by = append(by, runRef(rr))
		}
	}
	add("reproduced by", by...)

	width := 0
	for _, l := range lines {
		width = max(width, len(l.key)+len(": "))
	}
	var b strings.Builder
	for _, l := range lines {
		for i, v := range l.values {
			key := ""
			if i == 0 {
				key = l.key + ":"
			}
			b.WriteString(strings.TrimRight(fmt.Sprintf("%-*s%s", width, key, v), " ") + "\n")
		}
	}
	b.WriteString("config yaml:\n")
	for l := range strings.Lines(r.ConfigYAML) {
		if l = strings.TrimSuffix(l, "\n"); l != "" {
			b.WriteString("    " + l)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// showJSON is exp show's JSON document: the run's keys, then the ones
// only show has.
type showJSON struct {
	RunJSON
	ConfigYAML    string           `json:"config_yaml"`   // the experiment file, verbatim
	DurationS     *float64         `json:"duration_s"`    // finished_at - started_at, seconds; null if not finished
	Counts        RunCounts        `json:"counts"`        // cells and stored trials
	Original      *RunJSON         `json:"original"`      // the run reproduced, if in this database; else null
	Reproductions []RunJSON        `json:"reproductions"` // runs reproducing this one, oldest first; never null
	Invocations   []invocationJSON `json:"invocations"`   // exp processes that executed the run, oldest first; never null
	Shard         *shardShowJSON   `json:"shard"`         // the part of the matrix the run ran (exp run --shard); null for the whole matrix
	Slurm         *slurmShowJSON   `json:"slurm"`         // the Slurm job that started the run; null outside Slurm
}

// shardShowJSON is the shard of a run in exp show's JSON.
type shardShowJSON struct {
	Index int `json:"index"` // from 0
	Count int `json:"count"` // shards of the job
}

// slurmShowJSON is the Slurm job of a run in exp show's JSON.
type slurmShowJSON struct {
	JobID       string `json:"job_id"`
	ArrayJobID  string `json:"array_job_id"`  // "" outside an array
	ArrayTaskID int    `json:"array_task_id"` // -1 outside an array
	Node        string `json:"node"`
}

// invocationJSON is one exp process that executed a run.
type invocationJSON struct {
	Kind       string  `json:"kind"`        // start or resume
	StartedAt  string  `json:"started_at"`  // RFC 3339 UTC
	FinishedAt *string `json:"finished_at"` // null while running, or if its exp was killed
	Hostname   string  `json:"hostname"`    // machine it ran on
	Trials     int     `json:"trials"`      // trials it added
}

func writeShowJSON(w io.Writer, rec RunRecord) error {
	doc := showJSON{RunJSON: NewRunJSON(rec.Run), ConfigYAML: rec.Run.ConfigYAML, Counts: rec.Counts, Reproductions: []RunJSON{},
		Invocations: []invocationJSON{}}
	for _, inv := range rec.Invocations {
		j := invocationJSON{Kind: string(inv.Kind), StartedAt: inv.StartedAt.Format(time.RFC3339Nano), Hostname: inv.Hostname, Trials: inv.Trials}
		if !inv.FinishedAt.IsZero() {
			f := inv.FinishedAt.Format(time.RFC3339Nano)
			j.FinishedAt = &f
		}
		doc.Invocations = append(doc.Invocations, j)
	}
	if d, ok := duration(rec.Run); ok {
		s := d.Seconds()
		doc.DurationS = &s
	}
	if sh := rec.Run.Shard; sh.Sharded() {
		doc.Shard = &shardShowJSON{sh.Index, sh.Count}
	}
	if b := rec.Run.Batch; b.JobID != "" {
		doc.Slurm = &slurmShowJSON{b.JobID, b.ArrayJobID, b.ArrayTaskID, b.Node}
	}
	if rec.Original != nil {
		o := NewRunJSON(*rec.Original)
		doc.Original = &o
	}
	for _, r := range rec.Reproductions {
		doc.Reproductions = append(doc.Reproductions, NewRunJSON(r))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
