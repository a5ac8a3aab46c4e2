package host

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Host describes the build of exp and the machine a run executed on. Fields
// that cannot be read are left empty or zero; Probe never fails.
type Host struct {
	ExpVersion     string  `json:"exp_version"`      // module version of exp, "(devel)" for a source build
	VCSRevision    string  `json:"vcs_revision"`     // commit exp was built from: stamped by go build; under go run, read with git from the source checkout
	VCSModified    bool    `json:"vcs_modified"`     // whether the working tree had uncommitted changes
	GoVersion      string  `json:"go_version"`       // Go toolchain version, e.g. go1.26.8
	OS             string  `json:"os"`               // runtime.GOOS
	Arch           string  `json:"arch"`             // runtime.GOARCH
	Hostname       string  `json:"hostname"`         // os.Hostname
	CPUModel       string  `json:"cpu_model"`        // "model name" from /proc/cpuinfo
	NumCPU         int     `json:"num_cpu"`          // runtime.NumCPU: logical CPUs usable by the process
	GOMAXPROCS     int     `json:"gomaxprocs"`       // runtime.GOMAXPROCS(0) during the run
	CgroupCPULimit float64 `json:"cgroup_cpu_limit"` // cgroup CPU quota in CPUs (quota/period); 0 if unlimited or unknown
	CPUGovernor    string  `json:"cpu_governor"`     // cpufreq scaling governor of cpu0, if readable
	KernelRelease  string  `json:"kernel_release"`   // kernel release, e.g. 6.1.0-18-amd64
}

// UsableCPUs is how many CPUs the run could actually use at once: the least
// of NumCPU, GOMAXPROCS and the cgroup limit (rounded up).
func (h Host) UsableCPUs() int {
	n := max(h.NumCPU, 1)
	if h.GOMAXPROCS > 0 {
		n = min(n, h.GOMAXPROCS)
	}
	if h.CgroupCPULimit > 0 {
		n = min(n, int(math.Ceil(h.CgroupCPULimit)))
	}
	return n
}

// Probe reads the current build and machine.
func Probe() Host {
	h := Host{
		GoVersion:      runtime.Version(),
		OS:             runtime.GOOS,
		Arch:           runtime.GOARCH,
		NumCPU:         runtime.NumCPU(),
		GOMAXPROCS:     runtime.GOMAXPROCS(0),
		CPUModel:       cpuModel(),
		CgroupCPULimit: cgroupCPULimit(),
		CPUGovernor:    readTrim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
		KernelRelease:  readTrim("/proc/sys/kernel/osrelease"),
	}
	h.Hostname, _ = os.Hostname()
	h.ExpVersion, h.VCSRevision, h.VCSModified = BuildInfo()
	return h
}

// BuildInfo returns exp's module version and the VCS revision it was built
// from, as runtime/debug.ReadBuildInfo reports them; under `go run`, which
// stamps no revision, the revision is read from the source checkout.
func BuildInfo() (version, revision string, modified bool) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if revision == "" && version == "(devel)" && underGoRun() {
		revision, modified = sourceRevision()
	}
	return version, revision, modified
}

// underGoRun reports whether this executable was built by `go run`, which
// leaves it in a go-build directory (temporary, or the build cache) and
// stamps no VCS revision.
func underGoRun() bool {
	exe, err := os.Executable()
	// go run builds into $TMPDIR/go-buildNNN/..., and since Go 1.24 runs a
	// cached build from $GOCACHE (.../go-build/xx/...-d/exe): both paths
	// hold a go-build directory.
	return err == nil && strings.Contains(exe, string(filepath.Separator)+"go-build")
}

// sourceRevision reads the git revision of exp's own source tree under
// `go run .`: only if the current directory is inside a checkout whose
// go.mod declares exp's module.
func sourceRevision() (rev string, modified bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path == "" {
		return "", false
	}
	git := func(args ...string) string {
		out, err := exec.Command("git", args...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	top := git("rev-parse", "--show-toplevel")
	if top == "" {
		return "", false
	}
	mod, err := os.ReadFile(filepath.Join(top, "go.mod"))
	if err != nil || !bytes.HasPrefix(mod, []byte("module "+bi.Main.Path+"\n")) {
		return "", false
	}
	return git("rev-parse", "HEAD"), git("status", "--porcelain", "--untracked-files=no") != ""
}

// LoadAvg1 returns the 1-minute load average from /proc/loadavg.
func LoadAvg1() (float64, bool) {
	f := strings.Fields(readTrim("/proc/loadavg"))
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// cgroupCPULimit reads the CPU quota of cgroup v2 (cpu.max) or v1
// (cpu.cfs_quota_us / cpu.cfs_period_us), in CPUs.
func cgroupCPULimit() float64 {
	if f := strings.Fields(readTrim("/sys/fs/cgroup/cpu.max")); len(f) == 2 && f[0] != "max" {
		return ratio(f[0], f[1])
	}
	q := readTrim("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
	if q == "" || strings.HasPrefix(q, "-") {
		return 0
	}
	return ratio(q, readTrim("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))
}

func ratio(a, b string) float64 {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || y <= 0 {
		return 0
	}
	return x / y
}
