package report

import (
	"strconv"

	"github.com/exp-tool/exp/experiment"
)

// ExportFormats lists the formats exp export accepts.
var ExportFormats = []Format{FormatCSV, FormatJSON, FormatJSONL}

// ExportRow is one trial with its cell and run, as exp export writes it.
// It has the fields of the store's export rows, so that main converts one
// to the other.
type ExportRow struct {
	RunID    int64  // the run's database id
	RunUUID  string // the run's UUIDv7
	RunName  string // the experiment's name
	Hostname string // host that started the run
	Kernel   string // the run's kernel: primes, primes-fast, synthetic or command
	Scaling  string // strong or weak
	// Cell is the trial's cell: Index its position in the run's matrix,
	// Range the range it tests (under weak scaling, count x workers).
	Cell experiment.Cell
	// Trial is the trial, its Workers in worker order. An empty Mismatch
	// is written as missing (NULL), as the store keeps it; so are Load1,
	// OtherCPUNS, QuietWaitNS and ConcludeStatus when their Has flag is
	// unset.
	Trial experiment.Trial
	// Input is the cell's input file under kernel command, as written; ""
	// (written as missing) for other kernels and for commands without inputs.
	Input string
	// ExitStatus and MaxRSSKB are a command trial's exit status and peak
	// RSS in KiB, written as missing when their Has flag is unset (an
	// in-process kernel).
	ExitStatus, MaxRSSKB     int64
	HasExitStatus, HasMaxRSS bool
}

// exportColumn is one per-trial field of exp export, in CSV and JSON alike.
type exportColumn struct {
	name string
	// value is an int, int64, uint64, float64, bool, string, or nil for a
	// missing value (NULL in the database).
	value func(r *ExportRow) any
}

// exportColumns are the per-trial fields, in CSV column and JSON key
// order; the per-worker data follow them (busy_ns_0, ... in CSV, a
// list under exportWorkersKey in JSON). docs/export.md documents each.
var exportColumns = []exportColumn{
	{"run_id", func(r *ExportRow) any { return r.RunID }},
	{"run_uuid", func(r *ExportRow) any { return r.RunUUID }},
	{"run_name", func(r *ExportRow) any { return r.RunName }},
	{"hostname", func(r *ExportRow) any { return r.Hostname }},
	{"kernel", func(r *ExportRow) any { return r.Kernel }},
	{"scaling", func(r *ExportRow) any { return r.Scaling }},
	{"cell_idx", func(r *ExportRow) any { return r.Cell.Index }},
	{"range_idx", func(r *ExportRow) any { return r.Cell.RangeIndex }},
	{"range_start", func(r *ExportRow) any { return r.Cell.Range.Start }},
	{"range_count", func(r *ExportRow) any { return r.Cell.Range.Count }},
	{"schedule", func(r *ExportRow) any { return string(r.Cell.Schedule) }},
	{"workers", func(r *ExportRow) any { return r.Cell.Workers }},
	{"seq", func(r *ExportRow) any { return r.Trial.Seq }},
	{"rep", func(r *ExportRow) any { return r.Trial.Rep }},
	{"warmup", func(r *ExportRow) any { return r.Trial.Warmup }},
	{"started_at", func(r *ExportRow) any { return r.Trial.StartedAt.UTC().Format("2006-01-02T15:04:05.000000Z") }}, // as stored: fixed width, text order is time order
	{"wall_ns", func(r *ExportRow) any { return r.Trial.WallNS }},
	{"user_ns", func(r *ExportRow) any { return r.Trial.UserNS }},
	{"sys_ns", func(r *ExportRow) any { return r.Trial.SysNS }},
	{"load1", func(r *ExportRow) any { return orNil(r.Trial.Load1, r.Trial.HasLoad) }},
	{"primes", func(r *ExportRow) any { return r.Trial.Hits }},
	{"checksum", func(r *ExportRow) any { return r.Trial.Checksum }},
	{"ok", func(r *ExportRow) any { return r.Trial.OK }},
	{"mismatch", func(r *ExportRow) any { return orNil(r.Trial.Mismatch, r.Trial.Mismatch != "") }},
	{"timed_out", func(r *ExportRow) any { return r.Trial.TimedOut }},
	{"other_cpu_ns", func(r *ExportRow) any { return orNil(r.Trial.OtherCPUNS, r.Trial.HasOtherCPU) }},
	{"quiet_wait_ns", func(r *ExportRow) any { return orNil(r.Trial.QuietWaitNS, r.Trial.HasQuietWait) }},
	{"input", func(r *ExportRow) any { return orNilString(r.Input) }},
	{"exit_status", func(r *ExportRow) any { return orNil(r.ExitStatus, r.HasExitStatus) }},
	{"max_rss_kb", func(r *ExportRow) any { return orNil(r.MaxRSSKB, r.HasMaxRSS) }},
	{"invocation", func(r *ExportRow) any { return r.Trial.Invocation }},
	{"conclude_status", func(r *ExportRow) any { return orNil(r.Trial.ConcludeStatus, r.Trial.HasConclude) }},
}

// orNil returns v if valid, else nil (a missing value).
// orNilString is s, or nil (missing) when s is empty.
func orNilString(s string) any { return orNil(s, s != "") }

func orNil[T any](v T, valid bool) any {
	if !valid {
		return nil
	}
	return v
}

// exportBusyColumn is the prefix of exp export's CSV columns of per-worker
// busy time: busy_ns_0 for worker 0, and so on.
const exportBusyColumn = "busy_ns_"

// ExportHeader returns the CSV header of exp export: the per-trial
// columns, then busy_ns_0 ... busy_ns_{maxWorkers-1}.
func ExportHeader(maxWorkers int) []string {
	h := make([]string, 0, len(exportColumns)+maxWorkers)
	for _, c := range exportColumns {
		h = append(h, c.name)
	}
	for i := range maxWorkers {
		h = append(h, exportBusyColumn+strconv.Itoa(i))
	}
	return h
}
