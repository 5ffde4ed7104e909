package cnn

import "math"

// The float32 matrix multiply behind every convolution and dense layer:
// C = alpha*op(A)*op(B) + beta*C, row-major, packed into panels the 6x16
// micro-kernel streams through (the BLIS scheme). It is single-threaded:
// callers parallelise over images, so results never depend on the number
// of cores.

const (
	gemmMR = 6
	gemmNR = 16
	gemmKC = 320
	gemmMC = 240
)

// GemmBuffer holds the packing memory of one goroutine's Sgemm calls:
// give each goroutine its own and reuse it, so that repeated multiplies do
// not allocate.
type GemmBuffer = gemmBuf

// gemmBuf holds the packing buffers of one goroutine's multiplies.
type gemmBuf struct {
	a, b []float32
	edge [gemmMR * gemmNR]float32
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major float32
// matrices, where op(X) is X or its transpose. op(A) is m x k, op(B) is
// k x n; lda, ldb, ldc are the row strides of A, B and C as stored. buf may
// be nil; passing one reuses its packing memory.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, buf *gemmBuf) {
	if m == 0 || n == 0 {
		return
	}
	if beta != 0 && beta != 1 || beta == 0 && (k == 0 || alpha == 0) {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else {
				for j := range row {
					row[j] *= beta
				}
			}
		}
		beta = 1
	}
	if k == 0 || alpha == 0 {
		return
	}
	gemm(m, n, k, alpha, a, lda, transA, denseB{b, ldb, transB}, c, ldc, beta != 0, nil, buf)
}

// SgemmBiasReLU computes C = max(A*B + bias, 0) for row-major float32
// matrices, A m x k, B k x n, bias one value per row of C: a convolution
// or dense layer followed by ReLU in one pass, as the micro-kernel
// applies the bias and ReLU while it stores. k must be positive.
func SgemmBiasReLU(m, n, k int, a []float32, lda int, b []float32, ldb int, bias []float32, c []float32, ldc int, buf *gemmBuf) {
	if m == 0 || n == 0 {
		return
	}
	gemm(m, n, k, 1, a, lda, false, denseB{b, ldb, false}, c, ldc, false, bias[:m], buf)
}

// bPacker supplies op(B) to gemm one strip at a time: packStrip writes
// op(B)[p0:p0+kc, j0:j0+cols] k-major into dst (dst[p*gemmNR+q]) and zeroes
// the columns from cols to gemmNR. A packer can compute B on the fly (the
// neighbourhoods of a convolution) instead of reading it from memory.
type bPacker interface {
	packStrip(dst []float32, j0, cols, p0, kc int)
}

// gemm computes C = alpha*op(A)*op(B) (+ C when accumulate), then, when
// bias is not nil, C[i][j] = max(C[i][j] + bias[i], 0). k must be
// positive (Sgemm handles empty products). Strips of B are packed just
// before the micro-kernel uses them, so they stay in the first-level cache.
func gemm(m, n, k int, alpha float32, a []float32, lda int, transA bool, bp bPacker, c []float32, ldc int, accumulate bool, bias []float32, buf *gemmBuf) {
	if buf == nil {
		buf = &gemmBuf{}
	}
	gemmCore(m, n, k, func(i0, mc, p0, kc int) []float32 {
		ap := grow(&buf.a, (mc+gemmMR-1)/gemmMR*gemmMR*kc)
		packA(ap, transA, a, lda, i0, mc, p0, kc, alpha)
		return ap
	}, bp, c, ldc, accumulate, bias, buf)
}

// packedA is alpha*op(A) packed once, block by block as gemm packs it,
// for many products with the same A (a layer's filters, used for every
// image of a batch). The products are the same, bit for bit, as gemm's.
type packedA struct {
	m, k          int
	kcMax, mBlock int
	blocks        [][]float32 // [k block][m block]
}

// pack packs alpha*op(A), m x k, reusing the memory of an earlier pack.
func (pa *packedA) pack(m, k int, alpha float32, a []float32, lda int, transA bool) {
	kBlocks := (k + gemmKC - 1) / gemmKC
	kcMax := (k + kBlocks - 1) / kBlocks
	mBlocks := (m + gemmMC - 1) / gemmMC
	if pa.m != m || pa.k != k {
		*pa = packedA{m: m, k: k, kcMax: kcMax, mBlock: mBlocks, blocks: make([][]float32, kBlocks*mBlocks)}
	}
	for pb := 0; pb < kBlocks; pb++ {
		p0 := pb * kcMax
		kc := min(kcMax, k-p0)
		for ib := 0; ib < mBlocks; ib++ {
			i0 := ib * gemmMC
			mc := min(gemmMC, m-i0)
			b := grow(&pa.blocks[pb*mBlocks+ib], (mc+gemmMR-1)/gemmMR*gemmMR*kc)
			packA(b, transA, a, lda, i0, mc, p0, kc, alpha)
		}
	}
}

// gemmPacked is gemm with A packed beforehand.
func gemmPacked(pa *packedA, n int, bp bPacker, c []float32, ldc int, accumulate bool, bias []float32, buf *gemmBuf) {
	gemmCore(pa.m, n, pa.k, func(i0, _, p0, _ int) []float32 {
		return pa.blocks[p0/pa.kcMax*pa.mBlock+i0/gemmMC]
	}, bp, c, ldc, accumulate, bias, buf)
}

// gemmCore is the blocked product of gemm, with packedBlock giving the
// packed block of alpha*op(A) for rows [i0, i0+mc) and columns
// [p0, p0+kc).
func gemmCore(m, n, k int, packedBlock func(i0, mc, p0, kc int) []float32, bp bPacker, c []float32, ldc int, accumulate bool, bias []float32, buf *gemmBuf) {
	if m == 0 || n == 0 {
		return
	}
	nStrips := (n + gemmNR - 1) / gemmNR
	// Split k into equal blocks of at most gemmKC, so no block is a sliver.
	kBlocks := (k + gemmKC - 1) / gemmKC
	kcMax := (k + kBlocks - 1) / kBlocks
	var zeroBias [2 * gemmMR]float32
	for p0 := 0; p0 < k; p0 += kcMax {
		kc := min(kcMax, k-p0)
		flags := 0
		if accumulate || p0 > 0 {
			flags |= kernelAdd
		}
		if bias != nil && p0+kc == k {
			flags |= kernelBiasReLU
		}
		bs := grow(&buf.b, gemmNR*kc)
		for i0 := 0; i0 < m; i0 += gemmMC {
			mc := min(gemmMC, m-i0)
			mStrips := (mc + gemmMR - 1) / gemmMR
			ap := packedBlock(i0, mc, p0, kc)
			for js := 0; js < nStrips; js++ {
				j := js * gemmNR
				nr := min(gemmNR, n-j)
				bp.packStrip(bs, j, nr, p0, kc)
				for is := 0; is < mStrips; is++ {
					i := i0 + is*gemmMR
					mr := min(gemmMR, m-i)
					if hasAVX512 && nr == gemmNR && i+2*gemmMR <= i0+mc {
						// Two whole strips at once: the same bits as two
						// calls of the six-row kernel.
						bi := zeroBias[:]
						if flags&kernelBiasReLU != 0 {
							bi = bias[i : i+2*gemmMR]
						}
						microKernel12(kc, ap[is*gemmMR*kc:(is+2)*gemmMR*kc], bs, c[i*ldc+j:], ldc, flags, bi)
						is++
						continue
					}
					as := ap[is*gemmMR*kc : (is+1)*gemmMR*kc]
					bi := zeroBias[:gemmMR]
					if flags&kernelBiasReLU != 0 {
						if mr == gemmMR {
							bi = bias[i : i+gemmMR]
						} else {
							copy(bi, bias[i:i+mr])
						}
					}
					if mr == gemmMR && nr == gemmNR {
						microKernel(kc, as, bs, c[i*ldc+j:], ldc, flags, bi)
						continue
					}
					e := buf.edge[:]
					if nr == gemmNR {
						// Fewer rows than the kernel's: run it on a copy.
						if flags&kernelAdd != 0 {
							for r := 0; r < mr; r++ {
								copy(e[r*gemmNR:(r+1)*gemmNR], c[(i+r)*ldc+j:])
							}
						}
						microKernel(kc, as, bs, e, gemmNR, flags, bi)
						for r := 0; r < mr; r++ {
							copy(c[(i+r)*ldc+j:(i+r)*ldc+j+gemmNR], e[r*gemmNR:])
						}
						continue
					}
					microKernel(kc, as, bs, e, gemmNR, 0, bi)
					for r := 0; r < mr; r++ {
						dst := c[(i+r)*ldc+j : (i+r)*ldc+j+nr]
						for q := range dst {
							v := e[r*gemmNR+q]
							if flags&kernelAdd != 0 {
								v = dst[q] + v
							}
							if flags&kernelBiasReLU != 0 {
								v = relu(v + bias[i+r])
							}
							dst[q] = v
						}
					}
				}
			}
		}
	}
}

// Micro-kernel flags.
const (
	kernelAdd      = 1 // add the product to C instead of overwriting C
	kernelBiasReLU = 2 // then C = max(C + bias[row], 0)
)

// relu is max(v, 0) the way the AVX2 kernel computes it: NaN and -0 give 0.
func relu(v float32) float32 {
	if !(v > 0) {
		return 0
	}
	return v
}

// packRowsGo is packRows in Go.
func packRowsGo(dst, x []float32, stride, kc int) {
	for p := 0; p < kc; p++ {
		copy(dst[p*gemmNR:p*gemmNR+gemmNR], x[p*stride:p*stride+gemmNR])
	}
}

// scatterGo is scatter in Go.
func scatterGo(dst, src []float32, stride int) {
	for t, v := range src {
		dst[t*stride] = v
	}
}

func grow(s *[]float32, n int) []float32 {
	if cap(*s) < n {
		*s = make([]float32, n)
	}
	return (*s)[:n]
}

// packA copies alpha*op(A)[i0:i0+mc, p0:p0+kc] into strips of gemmMR rows,
// each stored k-major (a[p*MR + r]), zero-padding the last strip.
func packA(dst []float32, trans bool, a []float32, lda, i0, mc, p0, kc int, alpha float32) {
	for is := 0; is*gemmMR < mc; is++ {
		strip := dst[is*gemmMR*kc : (is+1)*gemmMR*kc]
		rows := min(gemmMR, mc-is*gemmMR)
		for r := 0; r < gemmMR; r++ {
			if r >= rows {
				for p := 0; p < kc; p++ {
					strip[p*gemmMR+r] = 0
				}
				continue
			}
			i := i0 + is*gemmMR + r
			if !trans {
				src := a[i*lda+p0 : i*lda+p0+kc]
				if alpha == 1 {
					scatter(strip[r:], src, gemmMR)
					continue
				}
				for p, v := range src {
					strip[p*gemmMR+r] = alpha * v
				}
			} else {
				for p := 0; p < kc; p++ {
					strip[p*gemmMR+r] = alpha * a[(p0+p)*lda+i]
				}
			}
		}
	}
}

// denseB is a B matrix stored in memory, row-major, maybe transposed.
type denseB struct {
	b     []float32
	ldb   int
	trans bool
}

func (d denseB) packStrip(strip []float32, j0, cols, p0, kc int) {
	b, ldb := d.b, d.ldb
	if !d.trans {
		if cols == gemmNR {
			packRows(strip, b[p0*ldb+j0:], ldb, kc)
			return
		}
		for p := 0; p < kc; p++ {
			dst := strip[p*gemmNR : p*gemmNR+gemmNR]
			copy(dst, b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+cols])
			clear(dst[cols:])
		}
		return
	}
	for q := 0; q < gemmNR; q++ {
		if q >= cols {
			for p := 0; p < kc; p++ {
				strip[p*gemmNR+q] = 0
			}
			continue
		}
		scatter(strip[q:], b[(j0+q)*ldb+p0:(j0+q)*ldb+p0+kc], gemmNR)
	}
}

// microKernelGo is the portable micro-kernel: the product of an A strip
// and a B strip, stored into or added to C[6][16] as flags say. Each
// element is accumulated as the assembly kernels accumulate it, one fused
// multiply-add per term in the same order (fma32), so the two give the
// same bits.
func microKernelGo(k int, a, b, c []float32, ldc int, flags int, bias []float32) {
	var acc [gemmMR][gemmNR]float32
	for p := 0; p < k; p++ {
		bp := b[p*gemmNR : p*gemmNR+gemmNR]
		ap := a[p*gemmMR : p*gemmMR+gemmMR]
		for r := 0; r < gemmMR; r++ {
			av := ap[r]
			row := &acc[r]
			for q := 0; q < gemmNR; q++ {
				row[q] = fma32(av, bp[q], row[q])
			}
		}
	}
	for r := 0; r < gemmMR; r++ {
		row := c[r*ldc : r*ldc+gemmNR]
		for q := range row {
			v := acc[r][q]
			if flags&kernelAdd != 0 {
				v = row[q] + v
			}
			if flags&kernelBiasReLU != 0 {
				v = relu(v + bias[r])
			}
			row[q] = v
		}
	}
}

// gemmRef is a plain triple loop in float64 for any element type: the
// reference the tests compare Sgemm with, and the multiply of the float64
// networks used to check gradients.
func gemmRef[T float32 | float64](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * T(s)
			} else {
				c[i*ldc+j] = alpha*T(s) + beta*c[i*ldc+j]
			}
		}
	}
}

// fma32 is a*b + c rounded once to float32, as the processor's fused
// multiply-add computes it. The product of two float32 values is exact in
// float64; the sum is rounded to float64 and its rounding error found
// exactly (Knuth's two-sum); a float64 that is inexact is then made odd
// (round to odd), which keeps the final rounding to float32, 29 bits
// shorter, from rounding twice.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	bb := s - p
	e := (p - (s - bb)) + (float64(c) - bb)
	if e != 0 && !math.IsNaN(e) && !math.IsInf(s, 0) {
		if bits := math.Float64bits(s); bits&1 == 0 {
			if (e > 0) == (s > 0) {
				bits++
			} else {
				bits--
			}
			s = math.Float64frombits(bits)
		}
	}
	return float32(s)
}
