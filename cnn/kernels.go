package cnn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Float is the element type of a network: float32 for training and
// prediction, float64 for checking gradients against finite differences.
type Float interface{ float32 | float64 }

// matmul is Sgemm for float32 and the float64 reference multiply otherwise.
func matmul[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, buf *gemmBuf) {
	if a32, ok := any(a).([]float32); ok {
		Sgemm(tA, tB, m, n, k, 1, a32, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc, buf)
		return
	}
	gemmRef(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

// matmulPar is matmul split over up to GOMAXPROCS workers, each computing
// its own block of C: strips of 16 columns, or blocks of gemmMC rows when
// C has more rows than columns. Every element of C is computed by the
// same micro-kernel calls as in one piece, so the result does not depend
// on the number of workers. bufs needs one buffer per worker (workers).
func matmulPar[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, bufs []gemmBuf) {
	if _, ok := any(a).([]float32); !ok {
		gemmRef(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
		return
	}
	byRows := m > n
	unit, size := gemmNR, n
	if byRows {
		unit, size = gemmMC, m
	}
	units := (size + unit - 1) / unit
	chunks := min(len(bufs), units)
	parallelFor(chunks, func(w, ch int) {
		lo, hi := ch*units/chunks*unit, min((ch+1)*units/chunks*unit, size)
		if byRows {
			ao := lo * lda
			if tA {
				ao = lo
			}
			matmul(tA, tB, hi-lo, n, k, a[ao:], lda, b, ldb, 0, c[lo*ldc:], ldc, &bufs[w])
			return
		}
		bo := lo
		if tB {
			bo = lo * ldb
		}
		matmul(tA, tB, m, hi-lo, k, a, lda, b[bo:], ldb, 0, c[lo:], ldc, &bufs[w])
	})
}

// parallelFor runs fn(worker, i) for i in [0, n) on up to GOMAXPROCS
// goroutines. Each i is computed by exactly one call, so results written
// per i do not depend on the number of workers; worker (below workers(n))
// indexes per-goroutine scratch memory.
func parallelFor(n int, fn func(worker, i int)) {
	w := workers(n)
	if w <= 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(k, i)
			}
		}(k)
	}
	wg.Wait()
}

// workers is the number of goroutines parallelFor uses for n items.
func workers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }

// im2col lays out the 3x3 neighbourhoods (same padding) of a C x H x W
// image as a (C*9) x (H*W) matrix: row c*9+ky*3+kx holds, for every output
// pixel, the input pixel at offset (ky-1, kx-1) in channel c.
func im2col[T Float](x []T, col []T, c, h, w int) {
	hw := h * w
	for ch := 0; ch < c; ch++ {
		plane := x[ch*hw : (ch+1)*hw]
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				row := col[(ch*9+ky*3+kx)*hw : (ch*9+ky*3+kx+1)*hw]
				dx := kx - 1
				for y := 0; y < h; y++ {
					out := row[y*w : (y+1)*w]
					sy := y + ky - 1
					if sy < 0 || sy >= h {
						clear(out)
						continue
					}
					src := plane[sy*w : (sy+1)*w]
					switch dx {
					case -1:
						out[0] = 0
						copy(out[1:], src[:w-1])
					case 0:
						copy(out, src)
					case 1:
						copy(out[:w-1], src[1:])
						out[w-1] = 0
					}
				}
			}
		}
	}
}

// col2im adds a (C*9) x (H*W) matrix of neighbourhood gradients back onto
// a C x H x W image gradient (the adjoint of im2col); dx must be zeroed.
func col2im[T Float](col []T, dx []T, c, h, w int) {
	hw := h * w
	for ch := 0; ch < c; ch++ {
		plane := dx[ch*hw : (ch+1)*hw]
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				row := col[(ch*9+ky*3+kx)*hw : (ch*9+ky*3+kx+1)*hw]
				for y := 0; y < h; y++ {
					sy := y + ky - 1
					if sy < 0 || sy >= h {
						continue
					}
					in := row[y*w : (y+1)*w]
					dst := plane[sy*w : (sy+1)*w]
					switch kx - 1 {
					case -1:
						for i, v := range in[1:] {
							dst[i] += v
						}
					case 0:
						for i, v := range in {
							dst[i] += v
						}
					case 1:
						d := dst[1:]
						for i, v := range in[:w-1] {
							d[i] += v
						}
					}
				}
			}
		}
	}
}

// maxPool2 takes 2x2 maxima (stride 2, sizes rounded down) of c maps of
// h x w values, recording in arg the index within the h x w map of each
// maximum (the first, in row order, on ties). Row r of map ch starts at
// x[ch*plane + r*stride]: plane h*w and stride w for contiguous maps, more
// for maps still in a convolution's padded layout. For float32 the AVX2
// kernel does eight outputs at a time, with the same comparisons.
func maxPool2[T Float](x, y []T, arg []int32, c, h, w, plane, stride int) {
	h2, w2 := h/2, w/2
	for ch := 0; ch < c; ch++ {
		out := y[ch*h2*w2 : (ch+1)*h2*w2]
		am := arg[ch*h2*w2 : (ch+1)*h2*w2]
		for oy := 0; oy < h2; oy++ {
			at := ch*plane + 2*oy*stride
			r0 := x[at : at+w]
			r1 := x[at+stride : at+stride+w]
			start := 0
			if p0, ok := any(r0).([]float32); ok {
				start = maxPoolRowAsm(p0, any(r1).([]float32), any(out[oy*w2:oy*w2+w2]).([]float32), am[oy*w2:oy*w2+w2], 2*oy*w, w)
			}
			for ox := start; ox < w2; ox++ {
				best, bi := r0[2*ox], 2*oy*w+2*ox
				if v := r0[2*ox+1]; v > best {
					best, bi = v, 2*oy*w+2*ox+1
				}
				if v := r1[2*ox]; v > best {
					best, bi = v, (2*oy+1)*w+2*ox
				}
				if v := r1[2*ox+1]; v > best {
					best, bi = v, (2*oy+1)*w+2*ox+1
				}
				out[oy*w2+ox] = best
				am[oy*w2+ox] = int32(bi)
			}
		}
	}
}

// maxPool2Back routes each output gradient to its maximum's position,
// a pair of rows at a time: the pair is cleared and filled while it is in
// cache, instead of clearing the whole map first.
func maxPool2Back[T Float](g, dx []T, arg []int32, c, h, w int) {
	h2, w2 := h/2, w/2
	for ch := 0; ch < c; ch++ {
		plane := dx[ch*h*w : (ch+1)*h*w]
		gs := g[ch*h2*w2 : (ch+1)*h2*w2]
		am := arg[ch*h2*w2 : (ch+1)*h2*w2]
		for oy := 0; oy < h2; oy++ {
			clear(plane[2*oy*w : (2*oy+2)*w])
			for i := oy * w2; i < (oy+1)*w2; i++ {
				plane[am[i]] += gs[i]
			}
		}
		clear(plane[2*h2*w:]) // an odd last row is in no window
	}
}

// sumInOrder adds parts[0] + parts[1] + ... element by element into dst,
// always in that order, in parallel over elements.
func sumInOrder[T Float](dst []T, parts [][]T) {
	const chunk = 4096
	nChunks := (len(dst) + chunk - 1) / chunk
	parallelFor(nChunks, func(_, c int) {
		lo, hi := c*chunk, min((c+1)*chunk, len(dst))
		d := dst[lo:hi]
		copy(d, parts[0][lo:hi])
		for _, p := range parts[1:] {
			for i, v := range p[lo:hi] {
				d[i] += v
			}
		}
	})
}
