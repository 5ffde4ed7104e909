package cnn

// The float32 matrix multiply behind every convolution and dense layer:
// C = alpha*op(A)*op(B) + beta*C, row-major, packed into panels the 6x16
// micro-kernel streams through (the BLIS scheme). It is single-threaded:
// callers parallelise over images, so results never depend on the number
// of cores.

const (
	gemmMR = 6
	gemmNR = 16
	gemmKC = 256
	gemmMC = 120
)

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
	if buf == nil {
		buf = &gemmBuf{}
	}
	if beta != 1 {
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
	}
	if k == 0 || alpha == 0 {
		return
	}
	nStrips := (n + gemmNR - 1) / gemmNR
	// Split k into equal blocks of at most gemmKC, so no block is a sliver.
	kBlocks := (k + gemmKC - 1) / gemmKC
	kcMax := (k + kBlocks - 1) / kBlocks
	for p0 := 0; p0 < k; p0 += kcMax {
		kc := min(kcMax, k-p0)
		bp := grow(&buf.b, nStrips*gemmNR*kc)
		packB(bp, transB, b, ldb, p0, kc, n)
		for i0 := 0; i0 < m; i0 += gemmMC {
			mc := min(gemmMC, m-i0)
			mStrips := (mc + gemmMR - 1) / gemmMR
			ap := grow(&buf.a, mStrips*gemmMR*kc)
			packA(ap, transA, a, lda, i0, mc, p0, kc, alpha)
			for js := 0; js < nStrips; js++ {
				j := js * gemmNR
				nr := min(gemmNR, n-j)
				bs := bp[js*gemmNR*kc : (js+1)*gemmNR*kc]
				for is := 0; is < mStrips; is++ {
					i := i0 + is*gemmMR
					mr := min(gemmMR, m-i)
					as := ap[is*gemmMR*kc : (is+1)*gemmMR*kc]
					if mr == gemmMR && nr == gemmNR {
						microKernel(kc, as, bs, c[i*ldc+j:], ldc)
						continue
					}
					e := buf.edge[:]
					clear(e)
					microKernel(kc, as, bs, e, gemmNR)
					for r := 0; r < mr; r++ {
						dst := c[(i+r)*ldc+j : (i+r)*ldc+j+nr]
						for q := range dst {
							dst[q] += e[r*gemmNR+q]
						}
					}
				}
			}
		}
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

// packB copies op(B)[p0:p0+kc, 0:n] into strips of gemmNR columns, each
// stored k-major (b[p*NR + q]), zero-padding the last strip.
func packB(dst []float32, trans bool, b []float32, ldb, p0, kc, n int) {
	for js := 0; js*gemmNR < n; js++ {
		strip := dst[js*gemmNR*kc : (js+1)*gemmNR*kc]
		j0 := js * gemmNR
		cols := min(gemmNR, n-j0)
		if !trans {
			for p := 0; p < kc; p++ {
				row := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+cols]
				d := strip[p*gemmNR : p*gemmNR+gemmNR]
				copy(d, row)
				clear(d[cols:])
			}
			continue
		}
		for q := 0; q < gemmNR; q++ {
			if q >= cols {
				for p := 0; p < kc; p++ {
					strip[p*gemmNR+q] = 0
				}
				continue
			}
			src := b[(j0+q)*ldb+p0 : (j0+q)*ldb+p0+kc]
			for p, v := range src {
				strip[p*gemmNR+q] = v
			}
		}
	}
}

// microKernelGo is the portable micro-kernel: C[6][16] += A-strip * B-strip.
func microKernelGo(k int, a, b, c []float32, ldc int) {
	var acc [gemmMR][gemmNR]float32
	for p := 0; p < k; p++ {
		bp := b[p*gemmNR : p*gemmNR+gemmNR]
		ap := a[p*gemmMR : p*gemmMR+gemmMR]
		for r := 0; r < gemmMR; r++ {
			av := ap[r]
			row := &acc[r]
			for q := 0; q < gemmNR; q++ {
				row[q] += av * bp[q]
			}
		}
	}
	for r := 0; r < gemmMR; r++ {
		row := c[r*ldc : r*ldc+gemmNR]
		for q := range row {
			row[q] += acc[r][q]
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
