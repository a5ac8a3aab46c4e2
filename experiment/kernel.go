package experiment

import (
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

// Kernels maps the names accepted by the experiment file's kernel key to
// their implementations.
var Kernels = map[string]Kernel{
	"primes": Primes{},
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
