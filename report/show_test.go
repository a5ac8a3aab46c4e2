package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// showFixtures are the records of the golden files: a failed run that
// reproduces a run in the same database and is reproduced twice, and a run
// still running whose original is in another file.
func showFixtures() map[string]RunRecord {
	run, _, _ := fixture()
	run.Status, run.Error = experiment.StatusFailed, "1 of 24 trials found a wrong answer"
	run.FinishedAt = run.StartedAt.Add(72*time.Second + 345678*time.Microsecond)
	run.ConfigPath, run.Trials = "experiments.yaml", 24
	run.ConfigYAML = "name: fixture\nseed: 42\n\nranges:\n  - {start: 10000000000000, count: 1000}\nworkers: [1, 2, 4]\n"
	run.ConfigSHA256 = "0f8a3e4b0c7d2e1f9a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f"
	run.Host.ExpVersion, run.Host.VCSRevision, run.Host.VCSModified = "v0.3.0", "48aa839", true
	run.Host.CgroupCPULimit, run.Host.CPUGovernor, run.Host.KernelRelease = 1.5, "performance", "6.1.0-18-amd64"
	original := run
	original.ID, original.UUID, original.Status, original.Error = 3, "01890a5d-ac96-774b-bcce-b302099a8003", experiment.StatusDone, ""
	run.Reproduces = original.UUID
	again := run
	again.ID, again.UUID, again.Reproduces, again.Status, again.Error = 9, "01890a5d-ac96-774b-bcce-b302099a8009", run.UUID, experiment.StatusDone, ""
	interrupted := again
	interrupted.ID, interrupted.UUID, interrupted.Status, interrupted.Error = 12, "01890a5d-ac96-774b-bcce-b302099a8012", experiment.StatusInterrupted, "interrupted after 5 of 24 trials"

	// The failed run was interrupted after 10 trials, then resumed.
	run.Invocations, run.HeartbeatAt = 2, run.FinishedAt
	invocations := []experiment.Invocation{
		{Kind: experiment.InvocationStart, StartedAt: run.StartedAt, FinishedAt: run.StartedAt.Add(20 * time.Second), Hostname: "box", Trials: 10},
		{Kind: experiment.InvocationResume, StartedAt: run.StartedAt.Add(50 * time.Second), FinishedAt: run.FinishedAt, Hostname: "box", Trials: 14},
	}

	running, _, _ := fixture()
	running.Reproduces = "01890a5d-ac96-774b-bcce-0000000000ff"
	running.Status, running.Scaling, running.CPUBound = experiment.StatusRunning, experiment.ScalingWeak, false
	running.Kernel, running.ConfigYAML = "synthetic", "name: fixture\nkernel: synthetic" // no final newline
	running.ConfigPath, running.Trials = "synthetic.yaml", 7
	running.Invocations, running.HeartbeatAt = 1, running.StartedAt.Add(4*time.Second)
	started := []experiment.Invocation{{Kind: experiment.InvocationStart, StartedAt: running.StartedAt, Hostname: "box", Trials: 7}}

	// Killed after 7 trials, then resumed and killed again after 2.
	abandoned := running
	abandoned.Status, abandoned.Invocations, abandoned.Trials = experiment.StatusAbandoned, 2, 9
	abandoned.HeartbeatAt = running.StartedAt.Add(time.Minute)
	resumed := append(slices.Clone(started), experiment.Invocation{Kind: experiment.InvocationResume, StartedAt: running.StartedAt.Add(50 * time.Second), Hostname: "box", Trials: 2})
	return map[string]RunRecord{
		"show": {Run: run, Counts: RunCounts{Cells: 3, Measured: 21, Warmup: 3, Failed: 1}, Original: &original,
			Reproductions: []experiment.Run{again, interrupted}, Invocations: invocations},
		"show-running":   {Run: running, Counts: RunCounts{Cells: 3, Measured: 4, Warmup: 3}, Invocations: started},
		"show-abandoned": {Run: abandoned, Counts: RunCounts{Cells: 3, Measured: 6, Warmup: 3}, Invocations: resumed},
	}
}

func TestWriteShowGolden(t *testing.T) {
	for name, rec := range showFixtures() {
		for _, f := range ShowFormats {
			t.Run(name+"."+string(f), func(t *testing.T) {
				var b bytes.Buffer
				if err := WriteShow(&b, f, rec); err != nil {
					t.Fatal(err)
				}
				golden(t, name+"."+string(f), b.Bytes())
			})
		}
	}
}

// TestWriteShowJSON checks what scripts read: the run's keys at the top,
// the link both ways, null where nothing is known, and lists never null.
func TestWriteShowJSON(t *testing.T) {
	fx := showFixtures()
	decode := func(rec RunRecord) map[string]any {
		t.Helper()
		var b bytes.Buffer
		if err := WriteShow(&b, FormatJSON, rec); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	linked := decode(fx["show"])
	for k, want := range map[string]any{
		"uuid":        fx["show"].Run.UUID,
		"reproduces":  fx["show"].Original.UUID,
		"config_yaml": fx["show"].Run.ConfigYAML,
		"duration_s":  72.345678,
	} {
		if linked[k] != want {
			t.Errorf("%s = %v, want %v", k, linked[k], want)
		}
	}
	if o, _ := linked["original"].(map[string]any); o == nil || o["id"] != float64(3) {
		t.Errorf("original = %v, want run 3", linked["original"])
	}
	if rs, _ := linked["reproductions"].([]any); len(rs) != 2 {
		t.Errorf("reproductions = %v, want 2 runs", linked["reproductions"])
	}
	if c, _ := linked["counts"].(map[string]any); c["cells"] != float64(3) || c["measured"] != float64(21) || c["warmup"] != float64(3) || c["failed"] != float64(1) {
		t.Errorf("counts = %v", linked["counts"])
	}

	running := decode(fx["show-running"])
	if running["duration_s"] != nil || running["finished_at"] != nil || running["original"] != nil {
		t.Errorf("running run: duration_s %v, finished_at %v, original %v; want null", running["duration_s"], running["finished_at"], running["original"])
	}
	if running["reproduces"] != fx["show-running"].Run.Reproduces {
		t.Errorf("reproduces = %v, want the UUID even though the run is not in this database", running["reproduces"])
	}
	if rs, ok := running["reproductions"].([]any); !ok || len(rs) != 0 {
		t.Errorf("reproductions = %#v, want []", running["reproductions"])
	}
}

// TestWriteShowTable checks the lines people look for, and that the
// experiment file comes last, verbatim and indented.
func TestWriteShowTable(t *testing.T) {
	rec := showFixtures()["show"]
	rec.Original, rec.Reproductions = nil, nil
	var b bytes.Buffer
	if err := WriteShow(&b, FormatTable, rec); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"\nreproduces:     01890a5d-ac96-774b-bcce-b302099a8003 (not in this database)\n",
		"\nreproduced by:  none\n",
		"\nmessage:        1 of 24 trials found a wrong answer\n",
		"\nduration:       1m12.346s\n",
		"\ntrials:         24: 21 measured, 3 warmup; 1 of them failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	_, yaml, ok := strings.Cut(out, "config yaml:\n")
	if !ok || yaml != "    name: fixture\n    seed: 42\n\n    ranges:\n      - {start: 10000000000000, count: 1000}\n    workers: [1, 2, 4]\n" {
		t.Errorf("config yaml section = %q", yaml)
	}
}

func TestWriteShowFormats(t *testing.T) {
	rec := showFixtures()["show"]
	for _, f := range []Format{FormatCSV, FormatMarkdown, "xml"} {
		if err := WriteShow(&bytes.Buffer{}, f, rec); err == nil || !strings.Contains(err.Error(), "allowed: table, json") {
			t.Errorf("WriteShow(%s) = %v, want an error naming the formats", f, err)
		}
	}
}
