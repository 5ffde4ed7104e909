package sky

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
)

// SubSeed derives an independent 64-bit seed from a seed and a path of
// names, so that every galaxy, split and repeat draws from its own stream
// whatever else is drawn: SubSeed(s, "f1", "spiral", "17").
func SubSeed(seed uint64, parts ...string) uint64 {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	for _, p := range parts {
		binary.LittleEndian.PutUint64(b[:], uint64(len(p)))
		h.Write(b[:])
		h.Write([]byte(p))
	}
	sum := h.Sum(nil)
	return binary.LittleEndian.Uint64(sum[:8])
}

// NewRand returns a PCG generator seeded from SubSeed(seed, parts...).
func NewRand(seed uint64, parts ...string) *rand.Rand {
	s := SubSeed(seed, parts...)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// Itoa is strconv.Itoa, kept short for seed paths.
func itoa(i int) string { return strconv.Itoa(i) }
