package seeds

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// Sub derives an independent 64-bit seed from a seed and a path of
// names: Sub(s, "f1", "spiral", "17").
func Sub(seed uint64, parts ...string) uint64 {
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

// Rand returns a PCG generator seeded from Sub(seed, parts...).
func Rand(seed uint64, parts ...string) *rand.Rand {
	s := Sub(seed, parts...)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}
