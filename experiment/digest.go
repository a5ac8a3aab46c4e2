package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
)

// Digest summarises the set of hits a trial found.
type Digest struct {
	Hits     uint64 // how many numbers were hits (for primes: how many primes)
	Checksum string // hex SHA-256 of the hits, sorted ascending, each as 8 bytes big-endian
}

// DigestOf returns the digest of hits. It sorts hits in place, so the order
// in which workers found them does not matter.
func DigestOf(hits []uint64) Digest {
	slices.Sort(hits)
	h := sha256.New()
	var buf [8]byte
	for _, x := range hits {
		binary.BigEndian.PutUint64(buf[:], x)
		h.Write(buf[:])
	}
	return Digest{Hits: uint64(len(hits)), Checksum: hex.EncodeToString(h.Sum(nil))}
}

// oracleDigestAt computes the expected digest of r with the kernel's
// oracle, calling at(i) every 1024 numbers, i the numbers checked so far,
// and stopping early, with ErrInterrupted, if it reports true. ok is false
// if the kernel has no oracle.
func oracleDigestAt(k Kernel, r Range, at func(i uint64) bool) (d Digest, ok bool, err error) {
	o, ok := k.(Oracle)
	if !ok {
		return Digest{}, false, nil
	}
	var hits []uint64
	for i := uint64(0); i < r.Count; i++ {
		if i&1023 == 0 && at(i) {
			return Digest{}, true, ErrInterrupted
		}
		if x := r.Start + i; o.OracleHit(x) {
			hits = append(hits, x)
		}
	}
	return DigestOf(hits), true, nil
}
