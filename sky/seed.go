package sky

import (
	"math/rand/v2"
	"strconv"

	"github.com/skybias/skybias/seeds"
)

// SubSeed derives an independent 64-bit seed from a seed and a path of
// names (seeds.Sub): SubSeed(s, "f1", "spiral", "17").
func SubSeed(seed uint64, parts ...string) uint64 { return seeds.Sub(seed, parts...) }

// NewRand returns a PCG generator seeded from SubSeed(seed, parts...)
// (seeds.Rand).
func NewRand(seed uint64, parts ...string) *rand.Rand { return seeds.Rand(seed, parts...) }

// Itoa is strconv.Itoa, kept short for seed paths.
func itoa(i int) string { return strconv.Itoa(i) }
