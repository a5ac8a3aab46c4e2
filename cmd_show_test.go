package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// showFields reads exp show's table into key -> value, up to the config;
// a value continued on further lines is joined with "\n".
func showFields(t *testing.T, out string) map[string]string {
	t.Helper()
	head, _, ok := strings.Cut(out, "config yaml:\n")
	if !ok {
		t.Fatalf("no config yaml section:\n%s", out)
	}
	fields := map[string]string{}
	last := ""
	for _, l := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
		if strings.HasPrefix(l, " ") && last != "" {
			fields[last] += "\n" + strings.TrimSpace(l)
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line %q is not key: value", l)
		}
		last, fields[k] = k, strings.TrimSpace(v)
	}
	return fields
}

// TestShowEndToEnd runs the real binary on a real database: four runs,
// the second a reproduction of the first, the third failed and the fourth
// interrupted. The failure and the interruption are written with SQL, as a
// broken kernel or Ctrl-C would leave them (TestWrongAnswerFailsRun and
// TestInterrupt make them for real).
func TestShowEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	for range 4 {
		if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	path := filepath.Join(dir, "exp.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	uuids := map[int]string{}
	for id := 1; id <= 4; id++ {
		var u string
		if err := db.QueryRow(`SELECT uuid FROM runs WHERE id = ?`, id).Scan(&u); err != nil {
			t.Fatal(err)
		}
		uuids[id] = u
	}
	const (
		failure   = "trial 4: found 11 hits but the oracle reference has 12"
		interrupt = "interrupted after 7 of 18 trials"
		elsewhere = "01890a5d-ac96-774b-bcce-0000000000ff" // a run in another file
	)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE runs SET reproduces = ? WHERE id = 2`, []any{uuids[1]}},
		{`UPDATE runs SET status = 'failed', error = ? WHERE id = 3`, []any{failure}},
		{`UPDATE trials SET ok = 0, mismatch = ? WHERE run_id = 3 AND seq IN (4, 5)`, []any{failure}},
		{`UPDATE runs SET status = 'interrupted', error = ?, reproduces = ? WHERE id = 4`, []any{interrupt, elsewhere}},
		{`DELETE FROM trials WHERE run_id = 4 AND seq >= 7`, nil},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	var warmups4 int
	if err := db.QueryRow(`SELECT count(*) FROM trials WHERE run_id = 4 AND warmup = 1`).Scan(&warmups4); err != nil {
		t.Fatal(err)
	}
	db.Close()

	show := func(args ...string) map[string]string {
		t.Helper()
		r := exp(t, dir, nil, append([]string{"show"}, args...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("show %v: exit %d\n%s", args, r.code, r.stderr)
		}
		if _, yaml, _ := strings.Cut(r.stdout, "config yaml:\n"); yaml != "    "+strings.ReplaceAll(strings.TrimSuffix(smallYAML, "\n"), "\n", "\n    ")+"\n" {
			t.Errorf("show %v: config not verbatim:\n%s", args, yaml)
		}
		return showFields(t, r.stdout)
	}
	check := func(name string, got map[string]string, want map[string]string) {
		t.Helper()
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s = %q, want %q", name, k, got[k], w)
			}
		}
	}

	t.Run("Done", func(t *testing.T) {
		f := show("1")
		check("run 1", f, map[string]string{
			"run": "1", "uuid": uuids[1], "name": "small", "status": "done", "config": filepath.Join(dir, "e.yaml"), "seed": "7",
			"cells": "6", "trials": "18: 12 measured, 6 warmup; 0 of them failed",
			"reproduces": "none", "reproduced by": uuids[2] + " (run 2, done)",
		})
		if _, ok := f["message"]; ok {
			t.Errorf("a done run has a message: %q", f["message"])
		}
		for _, k := range []string{"started", "finished", "duration", "config sha256", "hostname", "cpu model", "num cpu",
			"gomaxprocs", "cgroup limit", "governor", "kernel release", "os/arch", "exp version", "vcs revision", "go version"} {
			if f[k] == "" || f[k] == "not finished" {
				t.Errorf("run 1: %s = %q", k, f[k])
			}
		}
	})
	t.Run("Reproduction", func(t *testing.T) {
		check("run 2", show("2"), map[string]string{"reproduces": uuids[1] + " (run 1, done)", "reproduced by": "none"})
	})
	t.Run("Failed", func(t *testing.T) {
		check("run 3", show("3"), map[string]string{
			"status": "failed", "message": failure, "trials": "18: 12 measured, 6 warmup; 2 of them failed",
		})
	})
	t.Run("InterruptedIsLatest", func(t *testing.T) {
		want := map[string]string{
			"run": "4", "status": "interrupted", "message": interrupt,
			"trials":     "7: " + strconv.Itoa(7-warmups4) + " measured, " + strconv.Itoa(warmups4) + " warmup; 0 of them failed",
			"reproduces": elsewhere + " (not in this database)",
		}
		check("show", show(), want)
		check("show latest", show("latest"), want)
	})
	t.Run("UUIDPrefix", func(t *testing.T) {
		check("prefix", show(uuids[3][:13]), map[string]string{"run": "3", "uuid": uuids[3]})
	})
	t.Run("JSON", func(t *testing.T) {
		r := exp(t, dir, nil, "show", "2", "--format", "json")
		var doc struct {
			ID            int64             `json:"id"`
			Reproduces    string            `json:"reproduces"`
			ConfigYAML    string            `json:"config_yaml"`
			DurationS     *float64          `json:"duration_s"`
			Counts        map[string]int    `json:"counts"`
			Original      *struct{ ID int } `json:"original"`
			Reproductions []any             `json:"reproductions"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
			t.Fatalf("show --format json: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
		}
		if doc.ID != 2 || doc.Reproduces != uuids[1] || doc.ConfigYAML != smallYAML || doc.DurationS == nil || *doc.DurationS <= 0 ||
			doc.Counts["measured"] != 12 || doc.Original == nil || doc.Original.ID != 1 || doc.Reproductions == nil {
			t.Errorf("show 2 --format json = %+v", doc)
		}
	})
	t.Run("Running", func(t *testing.T) {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		// Running, with a heartbeat just now: its exp is alive.
		_, err = db.Exec(`UPDATE runs SET status = 'running', finished_at = NULL, error = NULL,
			heartbeat_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z' WHERE id = 1`)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		f := show("1")
		check("running run", f, map[string]string{"status": "running", "duration": "not finished"})
		if !strings.HasPrefix(f["finished"], "not finished") {
			t.Errorf("finished = %q, want not finished", f["finished"])
		}
	})

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"MissingRun", []string{"show", "42"}, "run not found: no run has id 42"},
		{"MissingUUID", []string{"show", "ffffffff-"}, "run not found"},
		{"TwoRuns", []string{"show", "1", "2"}, "show takes one run"},
		{"EmptyRun", []string{"show", ""}, "RUN is empty"},
		{"BadFormat", []string{"show", "--format", "csv"}, "--format must be one of table, json"},
		{"MissingDatabase", []string{"show", "--db", "missing.db"}, "missing.db: no database"},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			r := exp(t, dir, nil, tc.args...)
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || r.stdout != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line containing %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
			}
		})
	}
}
