package report

import (
	"math"
	"strconv"
	"strings"
)

// column is one field of a cell row in CSV and JSON output.
type column struct {
	name  string
	value func(c *CellStats) any // float64, int, uint64, bool, string or []error
}

// cellColumns are the per-cell fields, in CSV column order. Times are
// seconds, in whole nanoseconds (see seconds); ci_low_s and ci_high_s bound
// the median.
var cellColumns = []column{
	{"range_start", func(c *CellStats) any { return c.Range.Start }},
	{"range_count", func(c *CellStats) any { return c.Range.Count }},
	{"schedule", func(c *CellStats) any { return string(c.Schedule) }},
	{"workers", func(c *CellStats) any { return c.Workers }},
	{"processors", func(c *CellStats) any { return c.Processors }},
	{"n", func(c *CellStats) any { return c.N }},
	{"warmups", func(c *CellStats) any { return c.Warmups }},
	{"failed", func(c *CellStats) any { return c.Failed }},
	{"timed_out", func(c *CellStats) any { return c.TimedOut }},
	{"primes", func(c *CellStats) any {
		if c.N+c.Warmups == 0 {
			return math.NaN() // no trial yet: unknown, not zero
		}
		return c.Primes
	}},
	{"mean_s", func(c *CellStats) any { return seconds(c.Mean) }},
	{"median_s", func(c *CellStats) any { return seconds(c.Median) }},
	{"stddev_s", func(c *CellStats) any { return seconds(c.Stddev) }},
	{"cv", func(c *CellStats) any { return c.CV }},
	{"min_s", func(c *CellStats) any { return seconds(c.Min) }},
	{"max_s", func(c *CellStats) any { return seconds(c.Max) }},
	{"ci_low_s", func(c *CellStats) any { return seconds(c.CILow) }},
	{"ci_high_s", func(c *CellStats) any { return seconds(c.CIHigh) }},
	{"outliers", func(c *CellStats) any { return c.Outliers }},
	{"cpu_use", func(c *CellStats) any { return c.CPUUse }},
	{"other_cpu", func(c *CellStats) any { return c.OtherCPU }},
	{"contended", func(c *CellStats) any { return c.Contended }},
	{"contended_excluded", func(c *CellStats) any { return c.ExcludedContended }},
	{"speedup", func(c *CellStats) any { return c.Speedup }},
	{"speedup_ci_low", func(c *CellStats) any { return c.SpeedupLow }},
	{"speedup_ci_high", func(c *CellStats) any { return c.SpeedupHigh }},
	{"efficiency", func(c *CellStats) any { return c.Efficiency }},
	{"karp_flatt", func(c *CellStats) any { return c.KarpFlatt }},
	{"karp_flatt_ci_low", func(c *CellStats) any { return c.KarpFlattLow }},
	{"karp_flatt_ci_high", func(c *CellStats) any { return c.KarpFlattHigh }},
	{"in_fit", func(c *CellStats) any { return c.InFit }},
	{"amdahl_speedup", func(c *CellStats) any { return c.AmdahlSpeedup }},
	{"amdahl_residual", func(c *CellStats) any { return c.Residual }},
	{"gustafson_speedup", func(c *CellStats) any { return c.GustafsonSpeedup }},
	{"warnings", func(c *CellStats) any { return c.Warnings }},
	// Columns added later go last, so that CSV readers that index the
	// columns keep working.
	{"precision", func(c *CellStats) any { return c.Precision }},
	{"invocations", func(c *CellStats) any { return c.Invocations }},
	{"between_sd_s", func(c *CellStats) any { return seconds(c.BetweenSD) }},
	{"within_sd_s", func(c *CellStats) any { return seconds(c.WithinSD) }},
	{"ci_method", func(c *CellStats) any { return c.CIMethod }},
}

// seconds rounds a time in seconds to whole nanoseconds, the resolution
// of every measurement, so that a value computed from them (a mean, the
// middle of two trials) prints as 0.106346799, not as the float64
// arithmetic left it, 0.10634679899999999. NaN and infinities pass through.
func seconds(s float64) float64 { return math.Round(s*1e9) / 1e9 }

// CSVHeader returns the CSV column names of exp report --format csv.
func CSVHeader() []string {
	h := make([]string, len(cellColumns))
	for i, c := range cellColumns {
		h[i] = c.name
	}
	return h
}

// text renders a value for CSV: shortest exact floats, "" for NaN or
// infinities, true/false, warnings joined by "; ".
func text(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case []error:
		return strings.Join(messages(x), "; ")
	}
	return ""
}

// jsonValue renders a value for JSON: null for NaN or infinities, and an
// empty list rather than null for no warnings.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case []error:
		return messages(x)
	}
	return v
}

// messages renders warnings as their texts; never nil, so that JSON shows
// an empty list.
func messages(ws []error) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Error()
	}
	return out
}
