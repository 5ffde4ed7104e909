package cnn

// The float32 convolution. Each image is copied into a zero-bordered
// buffer of (H+2) x (W+2) planes; on that padded grid, the 3x3
// neighbourhood matrix ("im2col") of the convolution has rows that are
// plain contiguous windows of the buffer (row ch*9+ky*3+kx starts at
// ch*plane + ky*(W+2) + kx), so gemm packs it straight from the buffer,
// strip by strip, without ever writing it out. The product covers H rows
// of W+2 outputs; the two extra columns per row are dropped when the
// result is copied out. The bias and ReLU are applied by the micro-kernel
// as it stores. The input gradient is itself such a convolution (of the
// output gradient with the flipped, transposed filters), so it needs no
// col2im pass. The float64 networks that check gradients use the plain
// im2col path in ops.go.

// padGrid describes an H x W map held with a zero border of one pixel.
type padGrid struct {
	h, w  int
	plane int // (H+2) * (W+2)
	// offs[ch*9 + ky*3 + kx] = ch*plane + ky*(W+2) + kx: where the window
	// of neighbour (ky, kx) in channel ch starts, for the channels of the
	// larger of the input and the output.
	offs []int32
}

func newPadGrid(h, w, channels int) padGrid {
	g := padGrid{h: h, w: w, plane: (h + 2) * (w + 2), offs: make([]int32, channels*9)}
	for p := range g.offs {
		r := p % 9
		g.offs[p] = int32((p/9)*g.plane + (r/3)*(w+2) + r%3)
	}
	return g
}

// cols is the number of output positions on the grid: H rows of W+2.
func (g padGrid) cols() int { return g.h * (g.w + 2) }

// size is the length of a buffer of c padded planes (two spare values let
// the last windows run past the last plane's border).
func (g padGrid) size(c int) int { return c*g.plane + 2 }

// fill copies a C x H x W map into the interior of padded planes; the
// borders are never written, so they stay zero.
func (g padGrid) fill(dst, src []float32, c int) {
	w2 := g.w + 2
	for ch := 0; ch < c; ch++ {
		for y := 0; y < g.h; y++ {
			o := ch*g.plane + (y+1)*w2 + 1
			copy(dst[o:o+g.w], src[(ch*g.h+y)*g.w:(ch*g.h+y+1)*g.w])
		}
	}
}

// extract copies the W real columns of each grid row of c maps to a
// C x H x W map.
func (g padGrid) extract(dst, src []float32, c int) {
	w2 := g.w + 2
	for ch := 0; ch < c; ch++ {
		for y := 0; y < g.h; y++ {
			o := (ch*g.h + y) * w2
			copy(dst[(ch*g.h+y)*g.w:(ch*g.h+y+1)*g.w], src[o:o+g.w])
		}
	}
}

// convB is the neighbourhood matrix of padded planes x: row p =
// ch*9 + ky*3 + kx, column j (a grid position) holds x[offs[p] + j].
type convB struct {
	x []float32
	g *padGrid
}

func (cb convB) packStrip(dst []float32, j0, cols, p0, kc int) {
	if cols == gemmNR {
		// The windows of a full strip end at most at the grid's last
		// column plus the largest shift, inside the buffer by size.
		x := cb.x[j0:]
		_ = x[int(cb.g.offs[p0+kc-1])+gemmNR-1]
		packWindows(dst[:kc*gemmNR], x, cb.g.offs[p0:p0+kc])
		return
	}
	for pi := 0; pi < kc; pi++ {
		src := cb.x[int(cb.g.offs[p0+pi])+j0:]
		d := dst[pi*gemmNR : pi*gemmNR+gemmNR]
		copy(d[:cols], src)
		clear(d[cols:])
	}
}

// packWindowsGo is packWindows in Go.
func packWindowsGo(dst, x []float32, offs []int32) {
	for p, o := range offs {
		copy(dst[p*gemmNR:p*gemmNR+gemmNR], x[o:int(o)+gemmNR])
	}
}

// convBT is the transpose of convB: row p is grid position p, column q is
// the neighbour q = ch*9 + ky*3 + kx. It is the B of the weight gradient,
// dW = G x im2col(X)^T.
type convBT struct {
	x []float32
	g *padGrid
}

func (cb convBT) packStrip(dst []float32, j0, cols, p0, kc int) {
	if cols == gemmNR {
		// Two halves of eight columns, transposed eight rows at a time.
		// Each column's run of kc values ends inside the buffer: its
		// start is at most the last grid position plus the largest
		// shift, and p0+kc is at most the number of positions.
		var offs [8]int32
		for h := 0; h < gemmNR; h += 8 {
			last := int32(0)
			for q := range offs {
				offs[q] = cb.g.offs[j0+h+q] + int32(p0)
				last = max(last, offs[q])
			}
			_ = cb.x[int(last)+kc-1]
			packColumns8(dst[h:], cb.x, &offs, kc)
		}
		return
	}
	for qi := 0; qi < gemmNR; qi++ {
		if qi >= cols {
			for pi := 0; pi < kc; pi++ {
				dst[pi*gemmNR+qi] = 0
			}
			continue
		}
		o := int(cb.g.offs[j0+qi]) + p0
		scatter(dst[qi:], cb.x[o:o+kc], gemmNR)
	}
}

// packColumns8Go writes rows [p0, kc) of packColumns8's panel.
func packColumns8Go(dst, x []float32, offs *[8]int32, p0, kc int) {
	for q, o := range offs {
		for p := p0; p < kc; p++ {
			dst[p*gemmNR+q] = x[int(o)+p]
		}
	}
}

// convScratch is one worker's memory for the float32 convolution.
type convScratch struct {
	xp  []float32 // the input image, padded
	gp  []float32 // the masked output gradient, padded (nil on small maps, which keep one per image)
	out []float32 // a product on the grid, before its extra columns go
}

func newConvScratch(c, o int, g padGrid, gradPlanes bool) convScratch {
	s := convScratch{xp: make([]float32, g.size(c)), out: make([]float32, max(c, o)*g.cols())}
	if gradPlanes {
		s.gp = make([]float32, g.size(o))
	}
	return s
}

// Small maps. When a layer's grid has at most gemmKC positions (maps of
// 15x15 and less), an image's weight gradient is a product with a single
// block of k, which the micro-kernel computes from zero and then adds to
// C. Accumulating the images' products into dW one after another, in
// image order, therefore gives what summing separate per-image products
// in image order (sumInOrder) gives, bit for bit, without the per-image
// O x 9C products, which on these maps are larger than the images
// themselves. The work is split over blocks of dW's columns instead of
// over images, each block running through all the images in order, so
// every image's padded input and masked gradient are kept.

// smallMapBuffers sets a small-map layer up for the in-place weight
// gradient: the per-image planes and the column blocks of dW, about four
// per worker, in whole strips of the multiply.
func smallMapBuffers(l *convLayer[float32]) {
	l.xpImg, l.gpImg = make([][]float32, l.n), make([][]float32, l.n)
	for i := range l.xpImg {
		l.xpImg[i], l.gpImg[i] = make([]float32, l.grid.size(l.c)), make([]float32, l.grid.size(l.o))
	}
	strips := (l.c*9 + gemmNR - 1) / gemmNR
	tasks := min(strips, 4*workers(strips))
	l.dwChunk = (strips + tasks - 1) / tasks * gemmNR
	if w := workers((l.c*9 + l.dwChunk - 1) / l.dwChunk); w > len(l.bufs) {
		l.bufs = append(l.bufs, make([]gemmBuf, w-len(l.bufs))...) // more blocks than images
	}
}

// convBTCols is convBT from column q0 on: the B of one column block of
// the weight gradient.
type convBTCols struct {
	convBT
	q0 int
}

func (cb convBTCols) packStrip(dst []float32, j0, cols, p0, kc int) {
	cb.convBT.packStrip(dst, cb.q0+j0, cols, p0, kc)
}

// convForward32 is convLayer.forward for float32; with pool set, each
// image's output is also pooled from the grid into pool's, and copied
// out only where the layer keeps it (forward32).
func convForward32(l *convLayer[float32], x, wt, b []float32, pool *poolLayer[float32]) {
	hw, c9, g := l.h*l.w, l.c*9, &l.grid
	l.packW.pack(l.o, c9, 1, wt, c9, false) // once for all the images
	parallelFor(l.n, func(k, i int) {
		s := &l.scratch[k]
		g.fill(s.xp, x[i*l.c*hw:(i+1)*l.c*hw], l.c)
		gemmPacked(&l.packW, g.cols(), convB{s.xp, g}, s.out, g.cols(), false, b, &l.bufs[k])
		if l.y != nil {
			g.extract(l.y[i*l.o*hw:(i+1)*l.o*hw], s.out, l.o)
		}
		if pool != nil {
			pool.image(k, i, s.out, g.cols(), g.w+2)
		}
	})
}

// convBackward32 is convLayer.backward for float32; with pool set, g is
// the gradient at the pooled output (backward32).
func convBackward32(l *convLayer[float32], x, wt, g []float32, pool *poolLayer[float32]) {
	hw, c9, o9, grid := l.h*l.w, l.c*9, l.o*9, &l.grid
	if !l.first {
		// flip[ch][o*9 + 8-r] = wt[o][ch*9 + r]: the filters of the
		// convolution that maps the output gradient to the input's.
		for o := 0; o < l.o; o++ {
			for ch := 0; ch < l.c; ch++ {
				for r := 0; r < 9; r++ {
					l.flip[ch*o9+o*9+8-r] = wt[o*c9+ch*9+r]
				}
			}
		}
		l.packFlip.pack(l.c, o9, 1, l.flip, o9, false)
	}
	small := l.dwChunk > 0
	parallelFor(l.n, func(k, i int) {
		s := &l.scratch[k]
		gp, xp := s.gp, s.xp
		if small {
			gp, xp = l.gpImg[i], l.xpImg[i] // kept for the weight gradient below
		}
		gm := l.gm[k]
		outputGrad(l, gm, i, g, pool)
		grid.fill(gp, gm, l.o)
		// The worker's padded input holds whichever image it did last
		// in the forward pass: copy this one in again.
		grid.fill(xp, x[i*l.c*hw:(i+1)*l.c*hw], l.c)
		if !small {
			// On the grid, the masked gradient of output position j
			// sits at j + W + 3 of its padded plane, and the extra
			// columns fall on the zero border, so they add nothing to
			// the weight gradient.
			gemm(l.o, c9, grid.cols(), 1, gp[grid.w+3:], grid.plane, false, convBT{xp, grid}, l.dwPart[i], c9, false, nil, &l.bufs[k])
		}
		if l.first {
			return
		}
		gemmPacked(&l.packFlip, grid.cols(), convB{gp, grid}, s.out, grid.cols(), false, nil, &l.bufs[k])
		grid.extract(l.dx[i*l.c*hw:(i+1)*l.c*hw], s.out, l.c)
	})
	if small {
		// dW, block of columns by block: the first image's product is
		// written, each later one's added (see smallMapBuffers).
		parallelFor((c9+l.dwChunk-1)/l.dwChunk, func(k, b int) {
			q0 := b * l.dwChunk
			nq := min(l.dwChunk, c9-q0)
			for i := 0; i < l.n; i++ {
				gemm(l.o, nq, grid.cols(), 1, l.gpImg[i][grid.w+3:], grid.plane, false, convBTCols{convBT{l.xpImg[i], grid}, q0}, l.dw[q0:], c9, i > 0, nil, &l.bufs[k])
			}
		})
	} else {
		sumInOrder(l.dw, l.dwPart)
	}
	sumInOrder(l.db, l.dbPart)
}

// reluGrad masks the output gradient g by the ReLU (0 where y <= 0) into
// gm and sums each channel's row of hw values into db.
func reluGrad[T Float](gm, y, g, db []T, hw int) {
	for o := range db {
		var s T
		yo, go_, gmo := y[o*hw:(o+1)*hw], g[o*hw:(o+1)*hw], gm[o*hw:(o+1)*hw]
		for j, v := range go_ {
			if yo[j] <= 0 {
				v = 0
			}
			gmo[j] = v
			s += v
		}
		db[o] = s
	}
}

// reluGrad32 is reluGrad for float32, eight lanes at a time: each row's
// sum is taken in eight interleaved partial sums, then combined pairwise,
// the same way with or without the AVX2 kernel.
func reluGrad32(gm, y, g, db []float32, hw int) {
	for o := range db {
		yo, gi, gmo := y[o*hw:(o+1)*hw], g[o*hw:(o+1)*hw], gm[o*hw:(o+1)*hw]
		var lanes [8]float32
		n := hw &^ 7
		reluMaskLanes(gmo[:n], yo[:n], gi[:n], &lanes)
		var tail float32
		for j := n; j < hw; j++ {
			v := gi[j]
			if yo[j] <= 0 {
				v = 0
			}
			gmo[j] = v
			tail += v
		}
		db[o] = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])) + tail
	}
}

// reluMaskLanesGo masks g by y (0 where y <= 0) into gm for len(g), a
// multiple of 8, values, adding value j to lanes[j%8].
func reluMaskLanesGo(gm, y, g []float32, lanes *[8]float32) {
	for j := 0; j+8 <= len(g); j += 8 {
		for l := 0; l < 8; l++ {
			v := g[j+l]
			if y[j+l] <= 0 {
				v = 0
			}
			gm[j+l] = v
			lanes[l] += v
		}
	}
}
