package cnn

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestFMA32IsOneRounding: fma32 equals a*b + c computed exactly (math/big)
// and rounded once to float32, on random triples of every magnitude and
// on the cases that catch a double rounding (a product far larger than
// the addend, sums that cancel, subnormal results).
func TestFMA32IsOneRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	val := func() float32 {
		switch r.IntN(8) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		case 2:
			return math.Float32frombits(r.Uint32() & 0x807fffff) // subnormal
		default:
			return float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(60)-30)))
		}
	}
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(400).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(400).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(400).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	bad := 0
	for i := range 2_000_000 {
		a, b, c := val(), val(), val()
		if i%2 == 0 {
			// An addend 2^-26 to 2^-40 of the product: the sum's float64
			// rounding is inexact and may land on a float32 midpoint.
			c = float32(float64(a) * float64(b) * math.Pow(2, -float64(26+r.IntN(15))) * (r.Float64() + 0.5))
		}
		got, want := fma32(a, b, c), exact(a, b, c)
		// A zero's sign is big.Float's, not IEEE's; the kernels' zeros are
		// compared bit for bit in TestMicroKernelMatchesGo.
		if math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
			if bad++; bad < 5 {
				t.Errorf("fma32(%g, %g, %g) = %g (%08x), exact rounding %g (%08x)", a, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of 2,000,000 differ", bad)
	}
}

// TestMicroKernelMatchesGo: the assembly micro-kernel and the Go one give
// the same bits for every flag (store, add, bias and ReLU), on values of
// every sign and magnitude: a result must not depend on whether the
// processor has AVX2 or the build is purego.
func TestMicroKernelMatchesGo(t *testing.T) {
	if !hasAsm {
		t.Skip("no AVX2 kernels in this build or on this processor: only the Go micro-kernel runs")
	}
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) []float32 { return edgyFloats(r, n) }
	for trial := range 400 {
		k := 1 + r.IntN(gemmKC)
		a, b, bias := rnd(gemmMR*k), rnd(gemmNR*k), rnd(gemmMR)
		c0 := rnd(gemmMR * 20)
		asm, goc := append([]float32(nil), c0...), append([]float32(nil), c0...)
		flags := trial % 4
		microKernel(k, a, b, asm, 20, flags, bias)
		microKernelGo(k, a, b, goc, 20, flags, bias)
		for i := range asm {
			if math.Float32bits(asm[i]) != math.Float32bits(goc[i]) {
				t.Fatalf("trial %d (k %d, flags %d): element %d: assembly %g, Go %g", trial, k, flags, i, asm[i], goc[i])
			}
		}
	}
}

// TestMicroKernel12MatchesGo: the AVX-512 kernel (twelve rows at once)
// gives the bits of the Go micro-kernel on each six-row half, for every
// flag.
func TestMicroKernel12MatchesGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 kernel in this build or on this processor")
	}
	r := rand.New(rand.NewPCG(3, 4))
	rnd := func(n int) []float32 { return edgyFloats(r, n) }
	for trial := range 400 {
		k := 1 + r.IntN(gemmKC)
		a, b, bias := rnd(2*gemmMR*k), rnd(gemmNR*k), rnd(2*gemmMR)
		c0 := rnd(2 * gemmMR * 20)
		avx, goc := append([]float32(nil), c0...), append([]float32(nil), c0...)
		flags := trial % 4
		microKernel12(k, a, b, avx, 20, flags, bias)
		microKernelGo(k, a[:gemmMR*k], b, goc, 20, flags, bias[:gemmMR])
		microKernelGo(k, a[gemmMR*k:], b, goc[gemmMR*20:], 20, flags, bias[gemmMR:])
		for i := range avx {
			if math.Float32bits(avx[i]) != math.Float32bits(goc[i]) {
				t.Fatalf("trial %d (k %d, flags %d): element %d: AVX-512 %g, Go %g", trial, k, flags, i, avx[i], goc[i])
			}
		}
	}
}

// edgyFloats draws n float32 values for comparing kernels bit for bit:
// zeros of both signs and values of both signs over seven decades.
func edgyFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch r.IntN(10) {
		case 0:
			s[i] = 0
		case 1:
			s[i] = float32(math.Copysign(0, -1))
		default:
			s[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
		}
	}
	return s
}
