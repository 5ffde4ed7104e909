package cnn

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestSgemmMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {13, 5, 300}, {32, 3600, 288}, {64, 49, 577}, {5, 33, 0}, {121, 19, 257}}
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				lda, ldb := k, n
				if tA {
					lda = m
				}
				if tB {
					ldb = k
				}
				a, b := randSlice(r, m*k+1), randSlice(r, k*n+1)
				c0 := randSlice(r, m*n)
				got := append([]float32(nil), c0...)
				want := append([]float32(nil), c0...)
				Sgemm(tA, tB, m, n, k, 0.5, a, max(lda, 1), b, max(ldb, 1), 0.25, got, n, nil)
				gemmRef(tA, tB, m, n, k, float32(0.5), a, max(lda, 1), b, max(ldb, 1), float32(0.25), want, n)
				for i := range got {
					tol := 1e-5 * (1 + math.Sqrt(float64(k))) * 4
					if d := math.Abs(float64(got[i] - want[i])); d > tol {
						t.Fatalf("m%d n%d k%d tA %v tB %v: c[%d] = %g, want %g", m, n, k, tA, tB, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func BenchmarkSgemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sh := range [][3]int{{32, 3600, 288}, {288, 3600, 32}, {32, 288, 3600}, {512, 512, 512}} {
		m, n, k := sh[0], sh[1], sh[2]
		a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
		buf := &gemmBuf{}
		b.Run("", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n, buf)
			}
			b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestPackColumns8: the AVX2 transposing packer writes the same panel as
// the plain loop, for run lengths around whole blocks of eight, and
// touches nothing outside its eight columns.
func TestPackColumns8(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	x := make([]float32, 4000)
	for i := range x {
		x[i] = r.Float32()*2 - 1
	}
	for _, kc := range []int{0, 1, 7, 8, 9, 16, 23, 64, 320} {
		var offs [8]int32
		for q := range offs {
			offs[q] = int32(r.IntN(len(x) - kc))
		}
		got, want := make([]float32, 16*kc+8), make([]float32, 16*kc+8)
		for i := range got {
			got[i], want[i] = -7, -7
		}
		packColumns8(got[8:], x, &offs, kc)
		packColumns8Go(want[8:], x, &offs, 0, kc)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("kc %d: value %d is %v, want %v", kc, i, got[i], want[i])
			}
		}
	}
}
