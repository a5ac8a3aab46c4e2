package store

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// commandVersion is the migration that added kernel command's columns to
// runs, cells and trials (0007_command).
const commandVersion = 7

// commandColumns are the values of runs' command_argv, command_env,
// command_workdir and command_check for m: JSON for the argv and the
// env (an object in file order), all NULL for an in-process kernel.
func commandColumns(m *experiment.Command) (argv, env, workdir, check sql.NullString, err error) {
	if m == nil {
		return
	}
	a, err := jsonText(m.Argv)
	if err != nil {
		return argv, env, workdir, check, fmt.Errorf("command argv: %w", err)
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range m.Env {
		k, _ := jsonText(e.Name)
		v, _ := jsonText(e.Value)
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + ":" + v)
	}
	b.WriteByte('}')
	wd := m.Workdir
	if wd == "" {
		wd = "."
	}
	return nullString(a), nullString(b.String()), nullString(wd), nullString(string(m.Check)), nil
}

// jsonText encodes v as JSON without escaping <, > and &, so that the
// stored argv reads as written.
func jsonText(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// scanCommand rebuilds a run's Command from its columns; nil when argv is NULL.
func scanCommand(argv, env, workdir, check sql.NullString) (*experiment.Command, error) {
	if !argv.Valid {
		return nil, nil
	}
	m := &experiment.Command{Workdir: workdir.String, Check: experiment.CheckMode(check.String)}
	if err := json.Unmarshal([]byte(argv.String), &m.Argv); err != nil {
		return nil, fmt.Errorf("command_argv: %w", err)
	}
	if env.Valid {
		dec := json.NewDecoder(bytes.NewReader([]byte(env.String)))
		if _, err := dec.Token(); err != nil { // {
			return nil, fmt.Errorf("command_env: %w", err)
		}
		for dec.More() {
			var e experiment.EnvVar
			tk, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("command_env: %w", err)
			}
			e.Name, _ = tk.(string)
			if err := dec.Decode(&e.Value); err != nil {
				return nil, fmt.Errorf("command_env %s: %w", e.Name, err)
			}
			m.Env = append(m.Env, e)
		}
	}
	return m, nil
}

// cellInput is a cell's input, size and hash as stored: NULL without inputs.
func cellInput(c experiment.Cell, inputs []experiment.InputFile) (path sql.NullString, size sql.NullInt64, sum sql.NullString) {
	if c.Input == "" {
		return
	}
	path = nullString(c.Input)
	if c.RangeIndex < len(inputs) {
		in := inputs[c.RangeIndex]
		size, sum = sql.NullInt64{Int64: in.Size, Valid: true}, nullString(in.SHA256)
	}
	return
}

// processColumns are a trial's exit_status, max_rss_kb and stderr_tail:
// NULL for an in-process kernel, and stderr_tail NULL when it is empty.
func processColumns(p *experiment.ProcessResult) (exit, rss sql.NullInt64, tail sql.NullString) {
	if p == nil {
		return
	}
	return sql.NullInt64{Int64: int64(p.ExitStatus), Valid: true}, sql.NullInt64{Int64: p.MaxRSSKB, Valid: true}, nullString(p.StderrTail)
}
