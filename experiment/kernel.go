package experiment

import (
	"context"
	"math/big"
	"slices"
)

// Kernel is the work done on each number of a range. Hit reports whether x
// belongs to the kernel's answer set (for primes: whether x is prime). Hit
// must be safe to call from many goroutines at once.
type Kernel interface {
	Name() string
	Hit(x uint64) bool
}

// Oracle is implemented by kernels that have an independent way to compute
// the answer, used to check the kernel rather than to time it.
type Oracle interface {
	OracleHit(x uint64) bool
}

// BlockKernel is implemented by kernels that do a block of consecutive
// items in one call, where one Hit per item would distort what is measured
// (the synthetic kernel sleeps once for the whole block, not once per
// microsecond). Schedules that hand a worker a block (chunked, static) use
// it; per-item still calls Hit.
type BlockKernel interface {
	Kernel
	// Block does the work of the n items x, x+1, ..., x+n-1, appends the
	// hits among them to dst and returns it with how many items it did:
	// n, or fewer if ctx was cancelled first.
	Block(ctx context.Context, x, n uint64, dst []uint64) (done uint64, hits []uint64)
}

// SerialKernel is implemented by kernels with a part that no worker can
// share: Execute runs it once per trial, before the workers start, inside
// the trial's wall time.
type SerialKernel interface {
	Kernel
	// RunSerial does the serial part once. It returns ErrInterrupted if ctx
	// is cancelled first.
	RunSerial(ctx context.Context) error
}

// Checker is implemented by kernels whose trials have a check of their own
// beyond the digest of hits, recorded like a wrong answer (Trial.OK false,
// Trial.Mismatch the reason).
type Checker interface {
	// Check returns nil if o is a correct execution of the work r, and an
	// error saying what is wrong otherwise.
	Check(o Outcome, r Range) error
}

// Kernels maps the names accepted by the experiment file's kernel key to a
// constructor of the kernel from the parsed file. Parse rejects names that
// are not keys of Kernels.
var Kernels = map[string]func(c *Config) Kernel{
	"primes":      func(*Config) Kernel { return Primes{} },
	"primes-fast": func(*Config) Kernel { return PrimesFast{} },
	"synthetic":   newSynthetic,
	"command":     newCommand,
}

// KernelNames returns the registered kernel names, sorted.
func KernelNames() []string {
	names := make([]string, 0, len(Kernels))
	for n := range Kernels {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewKernel builds the kernel the file names, with its parameters (for
// synthetic, the Synthetic settings). It returns nil for a name that is not
// a key of Kernels, or for a synthetic kernel without settings, which Parse
// never returns.
func (c *Config) NewKernel() Kernel {
	if mk := Kernels[c.Kernel]; mk != nil {
		return mk(c)
	}
	return nil
}

// CPUBound reports whether the kernel's work keeps a CPU busy, so that
// workers beyond the usable CPUs cannot speed it up: true for primes, for
// command (exp cannot tell, and assumes it) and for synthetic in spin mode, false for synthetic in sleep mode, which
// waits like I/O and keeps speeding up past the CPU count.
func (c *Config) CPUBound() bool {
	if c.Kernel != "synthetic" {
		return true
	}
	return c.Synthetic != nil && c.Synthetic.Mode == ModeSpin
}

// Primes is the seed program's kernel: trial division (see IsPrime).
type Primes struct{}

// Name returns "primes".
func (Primes) Name() string { return "primes" }

// Hit reports whether x is prime, by IsPrime.
func (Primes) Hit(x uint64) bool { return IsPrime(x) }

// OracleHit reports whether x is prime using math/big's Baillie-PSW test,
// which is exact for every x < 2^64.
func (Primes) OracleHit(x uint64) bool {
	return new(big.Int).SetUint64(x).ProbablyPrime(0)
}
