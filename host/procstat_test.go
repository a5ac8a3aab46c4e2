package host

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	t.Parallel()
	tick := int64(ProcStatTick)
	tests := []struct {
		name   string
		in     string
		want   int64
		wantOK bool
	}{
		// user nice system idle iowait irq softirq steal guest guest_nice
		{"Linux6", "cpu  330550 1 34054 400168 1207 2 430 300 7 0\ncpu0 160624 0 16527 205421 326 0 63 149 0 0\n", (330550 + 1 + 34054 + 2 + 430 + 300) * tick, true},
		{"NoSteal", "cpu  10 20 30 1000 5 1 2\n", (10 + 20 + 30 + 1 + 2) * tick, true},
		{"IdleOnly", "cpu  0 0 0 99999 0 0 0 0 0 0\n", 0, true},
		{"ErrEmpty", "", 0, false},
		{"ErrPerCPULineFirst", "cpu0 1 2 3 4 5 6 7 8\n", 0, false},
		{"ErrTooFewFields", "cpu  1 2 3 4 5\n", 0, false},
		{"ErrNotANumber", "cpu  1 x 3 4 5 6 7 8\n", 0, false},
		{"ErrNegative", "cpu  1 -2 3 4 5 6 7 8\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseProcStat([]byte(tt.in))
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseProcStat(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestOtherCPU(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		busy0, busy1, own0, own1, want int64
	}{
		{100, 300, 50, 150, 100}, // the machine did 200, this process 100
		{100, 200, 50, 150, 0},   // all of it was this process
		{100, 190, 50, 150, 0},   // rounding made the machine look idler than this process: none
	} {
		if got := OtherCPU(tt.busy0, tt.busy1, tt.own0, tt.own1); got != tt.want {
			t.Errorf("OtherCPU(%d, %d, %d, %d) = %d, want %d", tt.busy0, tt.busy1, tt.own0, tt.own1, got, tt.want)
		}
	}
}

// TestSystemCPU reads the real /proc/stat: on Linux the busy time is
// readable and grows by at least what this process burns, to within the
// counters' resolution.
func TestSystemCPU(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		if _, ok := SystemCPU(); ok {
			t.Error("SystemCPU ok without /proc/stat")
		}
		t.Skip("no /proc/stat on", runtime.GOOS)
	}
	b0, ok := SystemCPU()
	u0, s0 := CPUTimes()
	if !ok || b0 <= 0 {
		t.Fatalf("SystemCPU() = %d, %v", b0, ok)
	}
	for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); {
	}
	u1, s1 := CPUTimes()
	b1, ok := SystemCPU()
	if !ok {
		t.Fatal("second SystemCPU failed")
	}
	own := (u1 + s1) - (u0 + s0)
	// Each of the six fields may lose a tick at either end.
	if grew := b1 - b0; grew < own-6*int64(ProcStatTick) {
		t.Errorf("machine busy time grew %v while this process alone used %v", time.Duration(grew), time.Duration(own))
	}
}

func BenchmarkSystemCPU(b *testing.B) {
	for b.Loop() {
		SystemCPU()
	}
}
