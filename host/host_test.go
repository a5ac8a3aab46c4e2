package host

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"testing"
)

func TestHostUsableCPUs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    Host
		want int
	}{
		{"ZeroValue", Host{}, 1},
		{"NegativeNumCPU", Host{NumCPU: -3}, 1},
		{"NumCPUOnly", Host{NumCPU: 8}, 8},
		{"GOMAXPROCSLower", Host{NumCPU: 8, GOMAXPROCS: 4}, 4},
		{"GOMAXPROCSHigher", Host{NumCPU: 2, GOMAXPROCS: 16}, 2},
		{"GOMAXPROCSUnknown", Host{NumCPU: 8, GOMAXPROCS: 0}, 8},
		{"CgroupWhole", Host{NumCPU: 8, GOMAXPROCS: 8, CgroupCPULimit: 2}, 2},
		{"CgroupRoundsUp", Host{NumCPU: 8, GOMAXPROCS: 8, CgroupCPULimit: 1.5}, 2},
		{"CgroupFraction", Host{NumCPU: 8, GOMAXPROCS: 8, CgroupCPULimit: 0.25}, 1},
		{"CgroupTiny", Host{NumCPU: 8, CgroupCPULimit: 0.001}, 1},
		{"CgroupAboveCPUs", Host{NumCPU: 4, GOMAXPROCS: 4, CgroupCPULimit: 16}, 4},
		{"CgroupUnlimited", Host{NumCPU: 4, GOMAXPROCS: 3, CgroupCPULimit: 0}, 3},
		{"AllThree", Host{NumCPU: 64, GOMAXPROCS: 12, CgroupCPULimit: 6.01}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.UsableCPUs(); got != tt.want {
				t.Errorf("%+v.UsableCPUs() = %d, want %d", tt.h, got, tt.want)
			}
		})
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()
	h := Probe()
	if h.GoVersion != runtime.Version() || h.NumCPU != runtime.NumCPU() || h.GOMAXPROCS != runtime.GOMAXPROCS(0) {
		t.Errorf("Probe() = %+v", h)
	}
	if h.OS != runtime.GOOS || h.Arch != runtime.GOARCH {
		t.Errorf("OS, Arch = %s, %s", h.OS, h.Arch)
	}
	if h.CgroupCPULimit < 0 || h.UsableCPUs() < 1 || h.UsableCPUs() > h.NumCPU {
		t.Errorf("CgroupCPULimit %v, UsableCPUs %d", h.CgroupCPULimit, h.UsableCPUs())
	}
	if name, err := os.Hostname(); err == nil && h.Hostname != name {
		t.Errorf("Hostname = %q, want %q", h.Hostname, name)
	}
}

func TestLoadAvg1(t *testing.T) {
	t.Parallel()
	v, ok := LoadAvg1()
	if _, err := os.Stat("/proc/loadavg"); err != nil {
		if ok {
			t.Errorf("LoadAvg1() = %v, true without /proc/loadavg", v)
		}
		return
	}
	if !ok || v < 0 {
		t.Errorf("LoadAvg1() = %v, %v", v, ok)
	}
}

func TestRatio(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want float64
	}{
		{"100000", "100000", 1},
		{"150000", "100000", 1.5},
		{"50000", "100000", 0.5},
		{"max", "100000", 0},
		{"100000", "0", 0},
		{"100000", "-1", 0},
		{"100000", "", 0},
		{"", "100000", 0},
	}
	for _, tt := range tests {
		if got := ratio(tt.a, tt.b); got != tt.want {
			t.Errorf("ratio(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestReadTrim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := dir + "/f"
	if err := os.WriteFile(path, []byte("  performance \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readTrim(path); got != "performance" {
		t.Errorf("readTrim = %q", got)
	}
	if got := readTrim(dir + "/missing"); got != "" {
		t.Errorf("readTrim(missing) = %q", got)
	}
}

// TestHostJSON checks that every Host field has a snake_case JSON name, as
// the report's JSON output relies on them.
func TestHostJSON(t *testing.T) {
	t.Parallel()
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	typ := reflect.TypeFor[Host]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if tag := f.Tag.Get("json"); !snake.MatchString(tag) {
			t.Errorf("Host.%s has json tag %q, want snake_case", f.Name, tag)
		}
	}
	b, err := json.Marshal(Host{GoVersion: "go1", NumCPU: 2, CgroupCPULimit: 1.5})
	if err != nil {
		t.Fatal(err)
	}
	var back Host
	if err := json.Unmarshal(b, &back); err != nil || back != (Host{GoVersion: "go1", NumCPU: 2, CgroupCPULimit: 1.5}) {
		t.Errorf("round trip of %s = %+v, %v", b, back, err)
	}
}
