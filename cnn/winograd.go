package cnn

// The float32 Winograd convolution F(2x2, 3x3) (Lavin and Gray 2016). The
// output is cut into 2x2 tiles; each is computed from the 4x4 input patch
// around it as
//
//	Y = A^T [ (G g G^T) ⊙ (B^T d B) ] A
//
// with
//
//	B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//	A^T = [1 1 1 0; 0 1 -1 -1]
//
// so 16 multiplies give 4 outputs where the direct convolution needs 36.
// Summed over channels, the element-wise products become 16 matrix
// products, one per position ξ of the 4x4 transformed tile:
//
//	M[ξ] (O x T) = U[ξ] (O x C) · V[ξ] (C x T)
//
// over the T tiles of an image, on the same packed multiply as the direct
// path. The backward pass is the exact transpose of that linear map: the
// output gradient of each tile is transformed by A dY A^T into Gt, then
//
//	dU[ξ] = Gt[ξ] · V[ξ]^T    (the weight gradient, mapped back by G^T dU G)
//	dV[ξ] = U[ξ]^T · Gt[ξ]    (the input gradient, mapped back by B dV B^T
//	                           and added into the overlapping patches)
//
// Every image is computed by one worker on its own scratch memory and the
// weight gradients are summed in image order, so results do not depend on
// the number of cores. Tiles that reach past the bottom or right edge read
// zeros, and their outputs there are dropped.

// winoGrid describes an H x W map cut into 2x2 output tiles, held as
// zero-bordered planes big enough for every tile's 4x4 input patch. Each
// tile row is rounded up to whole groups of eight tiles, so that the
// transforms never need a tile-by-tile tail; the tiles past the right
// edge read zeros, and their outputs are dropped.
type winoGrid struct {
	h, w   int
	th, tw int // tiles down and across: ceil(h/2), ceil(w/2) rounded up to 8
	pw     int // padded row: 2*tw + 2
	plane  int // padded plane: (2*th + 2) * pw
}

func newWinoGrid(h, w int) winoGrid {
	th, tw := (h+1)/2, ((w+1)/2+7)/8*8
	return winoGrid{h: h, w: w, th: th, tw: tw, pw: 2*tw + 2, plane: (2*th + 2) * (2*tw + 2)}
}

// fill copies a C x H x W map into the interior of padded planes (one
// pixel in from the top and left); the rest is never written, so it stays
// zero.
func (g winoGrid) fill(dst, src []float32, c int) {
	for ch := 0; ch < c; ch++ {
		for y := 0; y < g.h; y++ {
			o := ch*g.plane + (y+1)*g.pw + 1
			copy(dst[o:o+g.w], src[(ch*g.h+y)*g.w:(ch*g.h+y+1)*g.w])
		}
	}
}

// extract copies the interior of c padded planes to a C x H x W map.
func (g winoGrid) extract(dst, src []float32, c int) {
	for ch := 0; ch < c; ch++ {
		for y := 0; y < g.h; y++ {
			o := ch*g.plane + (y+1)*g.pw + 1
			copy(dst[(ch*g.h+y)*g.w:(ch*g.h+y+1)*g.w], src[o:o+g.w])
		}
	}
}

// A tile block is the tile rows [ty0, ty0+rows) of an image, nb =
// rows*tw tiles in row-major order; the transforms run over one block at
// a time so that its transformed tiles stay in cache between the
// transform and the products. A tile's column in the block is k =
// (ty-ty0)*tw + the tile's lane in its group of eight (perm8).

// Tiles go in groups of eight along a tile row. The AVX2
// transforms split sixteen consecutive values into even and odd columns
// with VSHUFPS, which leaves a group's tiles in the lanes in the order
// perm8; the transformed tiles (columns of V, M, Gt and dV) are stored in
// that order, and the interleave by VUNPCKLPS/VUNPCKHPS on the way back
// restores image order. The products do not care about the order of
// their columns, as long as V and Gt share it. The Go versions of the
// group transforms (winoIn8Go, ...) do the same arithmetic in the same
// order, so results are the same bit for bit with or without AVX2.
var perm8 = [8]int{0, 1, 4, 5, 2, 3, 6, 7}

// inTile writes V = B^T d B of the 4x4 patch whose top-left value is
// src[x] (rows pw apart) to dst[ξ*xs + k].
func inTile(src []float32, pw, x int, dst []float32, xs, k int) {
	r0, r1, r2, r3 := src[x:x+4], src[pw+x:pw+x+4], src[2*pw+x:2*pw+x+4], src[3*pw+x:3*pw+x+4]
	// B^T on the rows of the patch, column by column.
	var t [4][4]float32
	for j := 0; j < 4; j++ {
		a, b, cc, d := r0[j], r1[j], r2[j], r3[j]
		t[0][j], t[1][j], t[2][j], t[3][j] = a-cc, b+cc, cc-b, b-d
	}
	// Then on the columns, row by row.
	for i := 0; i < 4; i++ {
		a, b, cc, d := t[i][0], t[i][1], t[i][2], t[i][3]
		q := k + 4*i*xs
		dst[q], dst[q+xs], dst[q+2*xs], dst[q+3*xs] = a-cc, b+cc, cc-b, b-d
	}
}

// winoIn8Go transforms n8 groups of eight tiles whose patches start at
// src[0], src[16], ... (rows pw apart) into dst[ξ*xs + 8g + lane].
func winoIn8Go(src []float32, pw int, dst []float32, xs, n8 int) {
	for g := 0; g < n8; g++ {
		for p, tl := range perm8 {
			inTile(src, pw, 16*g+2*tl, dst, xs, 8*g+p)
		}
	}
}

// outTile writes Y = A^T M A of the tile at m[ξ*xs + k] to y0[x], y0[x+1]
// and y1[x], y1[x+1], adding b and applying the ReLU when act is set.
func outTile(m []float32, xs, k int, y0, y1 []float32, x int, b float32, act bool) {
	// A^T on the rows of M, column by column.
	var s [2][4]float32
	for j := 0; j < 4; j++ {
		m0, m1, m2, m3 := m[j*xs+k], m[(4+j)*xs+k], m[(8+j)*xs+k], m[(12+j)*xs+k]
		s[0][j], s[1][j] = m0+m1+m2, m1-m2-m3
	}
	for i, y := range [2][]float32{y0, y1} {
		v0 := s[i][0] + s[i][1] + s[i][2]
		v1 := s[i][1] - s[i][2] - s[i][3]
		if act {
			v0, v1 = relu(v0+b), relu(v1+b)
		}
		y[x], y[x+1] = v0, v1
	}
}

// winoOut8Go is the output transform of n8 groups of eight tiles at
// m[ξ*xs + 8g + lane], to y0[16g : 16g+16] and y1's.
func winoOut8Go(m []float32, xs int, y0, y1 []float32, n8 int, b float32, act bool) {
	for g := 0; g < n8; g++ {
		for p, tl := range perm8 {
			outTile(m, xs, 8*g+p, y0, y1, 16*g+2*tl, b, act)
		}
	}
}

// gradTile writes Gt = A dY A^T of the 2x2 gradient g0[x], g0[x+1],
// g1[x], g1[x+1] to dst[ξ*xs + k].
func gradTile(g0, g1 []float32, x int, dst []float32, xs, k int) {
	// A on the rows: (a, a+b, a-b, -b), column by column.
	var s [4][2]float32
	for j := 0; j < 2; j++ {
		a, b := g0[x+j], g1[x+j]
		s[0][j], s[1][j], s[2][j], s[3][j] = a, a+b, a-b, -b
	}
	for i := 0; i < 4; i++ {
		a, b := s[i][0], s[i][1]
		q := 4*i*xs + k
		dst[q], dst[q+xs], dst[q+2*xs], dst[q+3*xs] = a, a+b, a-b, -b
	}
}

// winoGradOut8Go is the gradient transform of n8 groups of eight tiles
// from g0[16g : 16g+16] and g1's to dst[ξ*xs + 8g + lane].
func winoGradOut8Go(g0, g1, dst []float32, xs, n8 int) {
	for g := 0; g < n8; g++ {
		for p, tl := range perm8 {
			gradTile(g0, g1, 16*g+2*tl, dst, xs, 8*g+p)
		}
	}
}

// inBackTile adds columns [j0, j1) of B dV B^T, dV the tile at
// dv[ξ*xs + k], into the patch whose top-left value is dst[x] (rows pw
// apart).
func inBackTile(dv []float32, xs, k int, dst []float32, pw, x, j0, j1 int) {
	// B on the columns, row by row: (v0, v1-v2+v3, v1+v2-v0, -v3).
	var s [4][4]float32
	for i := 0; i < 4; i++ {
		q := k + 4*i*xs
		a, b, cc, d := dv[q], dv[q+xs], dv[q+2*xs], dv[q+3*xs]
		s[i][0], s[i][1], s[i][2], s[i][3] = a, b-cc+d, b+cc-a, -d
	}
	// Then on the rows, column by column, into the patch.
	r0, r1, r2, r3 := dst[x:x+4], dst[pw+x:pw+x+4], dst[2*pw+x:2*pw+x+4], dst[3*pw+x:3*pw+x+4]
	for j := j0; j < j1; j++ {
		a, b, cc, d := s[0][j], s[1][j], s[2][j], s[3][j]
		r0[j] += a
		r1[j] += b - cc + d
		r2[j] += b + cc - a
		r3[j] -= d
	}
}

// winoInBack8Go adds the input gradients of n8 groups of eight tiles at
// dv[ξ*xs + 8g + lane] into their patches from dst[16g] on: for each
// group, the two left columns of all eight patches, then the two right
// ones, which overlap the next tile's left columns.
func winoInBack8Go(dv []float32, xs int, dst []float32, pw, n8 int) {
	for g := 0; g < n8; g++ {
		for _, j0 := range []int{0, 2} {
			for p, tl := range perm8 {
				inBackTile(dv, xs, 8*g+p, dst, pw, 16*g+2*tl, j0, j0+2)
			}
		}
	}
}

// eachRow calls fn(ch, at, k) for every tile row of the block in each of
// n maps: at is where the row's first value is in planes of plane values
// whose rows are rowLen apart (two rows per tile row), k the column of its
// first tile in n blocks of rows*tw columns.
func (g winoGrid) eachRow(n, ty0, rows, plane, rowLen int, fn func(ch, at, k int)) {
	nb := rows * g.tw
	for ch := 0; ch < n; ch++ {
		for r := 0; r < rows; r++ {
			fn(ch, ch*plane+2*(ty0+r)*rowLen, ch*nb+r*g.tw)
		}
	}
}

// input writes V = B^T d B for the block's tiles of every channel of
// padded planes xp to v[ξ*C*nb + ch*nb + k].
func (g winoGrid) input(v, xp []float32, c, ty0, rows int) {
	xs := c * rows * g.tw
	g.eachRow(c, ty0, rows, g.plane, g.pw, func(_, at, k int) {
		winoIn8(xp[at:at+4*g.pw], g.pw, v[k:k+15*xs+g.tw], xs, g.tw/8)
	})
}

// output writes Y = A^T M A for the block's tiles of the o maps in m
// (m[ξ*O*nb + oi*nb + k]) into yp, o planes of 2*th rows of 2*tw,
// adding bias and applying the ReLU when bias is not nil.
func (g winoGrid) output(yp, m, bias []float32, o, ty0, rows int) {
	xs, yw := o*rows*g.tw, 2*g.tw
	g.eachRow(o, ty0, rows, 2*g.th*yw, yw, func(oi, at, k int) {
		var b float32
		if bias != nil {
			b = bias[oi]
		}
		winoOut8(m[k:k+15*xs+g.tw], xs, yp[at:at+yw], yp[at+yw:at+2*yw], g.tw/8, b, bias != nil)
	})
}

// gradOutput writes Gt = A dY A^T for the block's tiles of o gradient
// planes gp (2*th rows of 2*tw, zero past the map) into gt, laid out as
// output's m.
func (g winoGrid) gradOutput(gt, gp []float32, o, ty0, rows int) {
	xs, yw := o*rows*g.tw, 2*g.tw
	g.eachRow(o, ty0, rows, 2*g.th*yw, yw, func(_, at, k int) {
		winoGradOut8(gp[at:at+yw], gp[at+yw:at+2*yw], gt[k:k+15*xs+g.tw], xs, g.tw/8)
	})
}

// inputBack adds B dV B^T for the block's tiles of every channel of dv
// (laid out as input's v) into the patches of padded planes dxp.
func (g winoGrid) inputBack(dxp, dv []float32, c, ty0, rows int) {
	xs := c * rows * g.tw
	g.eachRow(c, ty0, rows, g.plane, g.pw, func(_, at, k int) {
		winoInBack8(dv[k:k+15*xs+g.tw], xs, dxp[at:at+4*g.pw], g.pw, g.tw/8)
	})
}

// crop copies the H x W corner of c planes of 2*th rows of 2*tw to a
// C x H x W map.
func (g winoGrid) crop(dst, src []float32, c int) {
	yw := 2 * g.tw
	yplane := 2 * g.th * yw
	for ch := 0; ch < c; ch++ {
		for y := 0; y < g.h; y++ {
			copy(dst[(ch*g.h+y)*g.w:(ch*g.h+y+1)*g.w], src[ch*yplane+y*yw:])
		}
	}
}

// pad copies a C x H x W map into the corners of c planes of 2*th rows of
// 2*tw, leaving the rest as it is.
func (g winoGrid) pad(dst, src []float32, c int) {
	yw := 2 * g.tw
	yplane := 2 * g.th * yw
	for ch := 0; ch < c; ch++ {
		for y := 0; y < g.h; y++ {
			copy(dst[ch*yplane+y*yw:ch*yplane+y*yw+g.w], src[(ch*g.h+y)*g.w:])
		}
	}
}

// outPlanes is the size of c planes of 2*th rows of 2*tw.
func (g winoGrid) outPlanes(c int) int { return c * 4 * g.th * g.tw }

// winoWeights writes U = G g G^T of every filter wt[oi][ch*9 + ky*3 + kx]
// into u[ξ*O*C + oi*C + ch], in float64 before one rounding.
func winoWeights(u, wt []float32, o, c int) {
	oc := o * c
	_ = u[16*oc-1]
	for oi := 0; oi < o; oi++ {
		for ch := 0; ch < c; ch++ {
			f := wt[oi*c*9+ch*9 : oi*c*9+ch*9+9]
			// G on the rows of the filter, column by column.
			var t [4][3]float64
			for j := 0; j < 3; j++ {
				a, b, cc := float64(f[j]), float64(f[3+j]), float64(f[6+j])
				t[0][j], t[1][j], t[2][j], t[3][j] = a, (a+b+cc)/2, (a-b+cc)/2, cc
			}
			for i := 0; i < 4; i++ {
				a, b, cc := t[i][0], t[i][1], t[i][2]
				q := 4*i*oc + oi*c + ch
				u[q], u[q+oc], u[q+2*oc], u[q+3*oc] = float32(a), float32((a+b+cc)/2), float32((a-b+cc)/2), float32(cc)
			}
		}
	}
}

// winoWeightsBack writes the filter gradient G^T dU G of du (laid out as
// winoWeights's u) into dw[oi][ch*9 + ky*3 + kx].
func winoWeightsBack(dw, du []float32, o, c int) {
	oc := o * c
	_ = du[16*oc-1]
	for oi := 0; oi < o; oi++ {
		for ch := 0; ch < c; ch++ {
			// G^T on the columns (u0 + (u1+u2)/2, (u1-u2)/2, (u1+u2)/2 + u3), row by row.
			var s [4][3]float32
			for i := 0; i < 4; i++ {
				q := 4*i*oc + oi*c + ch
				a, b, cc, d := du[q], du[q+oc], du[q+2*oc], du[q+3*oc]
				h := (b + cc) / 2
				s[i][0], s[i][1], s[i][2] = a+h, (b-cc)/2, h+d
			}
			f := dw[oi*c*9+ch*9 : oi*c*9+ch*9+9]
			for j := 0; j < 3; j++ {
				a, b, cc, d := s[0][j], s[1][j], s[2][j], s[3][j]
				h := (b + cc) / 2
				f[j], f[3+j], f[6+j] = a+h, (b-cc)/2, h+d
			}
		}
	}
}

// winoScratch is one worker's memory for the Winograd convolution.
type winoScratch struct {
	xp  []float32 // the input image, padded
	dxp []float32 // the input gradient, padded
	v   []float32 // a block's transformed input tiles, 16 x C x nb; then dV
	m   []float32 // a block's products, 16 x O x nb; in the backward pass Gt
	yp  []float32 // the output, or the masked output gradient, in whole tiles
}

// winoBlock is the number of tile rows transformed and multiplied
// together: as many as keep the block's transformed input and products
// (16 x (C+O) x rows*tw values) within about 512 KB of cache, at least
// one and at most the image's.
func winoBlock(c, o int, g winoGrid) int {
	return min(g.th, max(1, 8192/(c+o)/g.tw))
}

func newWinoScratch(c, o, rows int, g winoGrid, first bool) winoScratch {
	nb := rows * g.tw
	s := winoScratch{xp: make([]float32, c*g.plane), v: make([]float32, 16*c*nb), m: make([]float32, 16*o*nb), yp: make([]float32, g.outPlanes(o))}
	if !first {
		s.dxp = make([]float32, c*g.plane)
	}
	return s
}

// convForwardWino is convLayer.forward on the Winograd path; with pool
// set, each image's output is also pooled from its whole tiles into
// pool's, and cropped out only where the layer keeps it
// (forward32).
func convForwardWino(l *convLayer[float32], x, wt, b []float32, pool *poolLayer[float32]) {
	winoWeights(l.u, wt, l.o, l.c)
	hw, g, oc := l.h*l.w, &l.wg, l.o*l.c
	for xi := range l.packU {
		l.packU[xi].pack(l.o, l.c, 1, l.u[xi*oc:], l.c, false)
	}
	parallelFor(l.n, func(k, i int) {
		s := &l.wino[k]
		g.fill(s.xp, x[i*l.c*hw:(i+1)*l.c*hw], l.c)
		for ty0 := 0; ty0 < g.th; ty0 += l.nb {
			rows := min(l.nb, g.th-ty0)
			nb := rows * g.tw
			g.input(s.v, s.xp, l.c, ty0, rows)
			for xi := 0; xi < 16; xi++ {
				gemmPacked(&l.packU[xi], nb, denseB{s.v[xi*l.c*nb:], nb, false}, s.m[xi*l.o*nb:], nb, false, nil, &l.bufs[k])
			}
			g.output(s.yp, s.m, b, l.o, ty0, rows)
		}
		if l.y != nil {
			g.crop(l.y[i*l.o*hw:(i+1)*l.o*hw], s.yp, l.o)
		}
		if pool != nil {
			pool.image(k, i, s.yp, g.outPlanes(1), 2*g.tw)
		}
	})
}

// convBackwardWino is convLayer.backward on the Winograd path; with pool
// set, gr is the gradient at the pooled output
// (backward32).
func convBackwardWino(l *convLayer[float32], x, wt, gr []float32, pool *poolLayer[float32]) {
	winoWeights(l.u, wt, l.o, l.c)
	hw, g, oc := l.h*l.w, &l.wg, l.o*l.c
	if !l.first {
		// U[ξ]^T, C x O, the A of dV[ξ] = U[ξ]^T Gt[ξ].
		for xi := range l.packUT {
			l.packUT[xi].pack(l.c, l.o, 1, l.u[xi*oc:], l.c, true)
		}
	}
	parallelFor(l.n, func(k, i int) {
		s := &l.wino[k]
		gm := l.gm[k]
		outputGrad(l, gm, i, gr, pool)
		if 2*g.th != g.h || 2*g.tw != g.w {
			clear(s.yp) // the forward pass left outputs past the edges there
		}
		g.pad(s.yp, gm, l.o)
		// The worker's padded input holds whichever image it did last
		// in the forward pass: copy this one in again.
		g.fill(s.xp, x[i*l.c*hw:(i+1)*l.c*hw], l.c)
		if !l.first {
			clear(s.dxp)
		}
		du := l.duPart[i]
		for ty0 := 0; ty0 < g.th; ty0 += l.nb {
			rows := min(l.nb, g.th-ty0)
			nb := rows * g.tw
			g.gradOutput(s.m, s.yp, l.o, ty0, rows)
			g.input(s.v, s.xp, l.c, ty0, rows)
			for xi := 0; xi < 16; xi++ {
				gemm(l.o, l.c, nb, 1, s.m[xi*l.o*nb:], nb, false, denseB{s.v[xi*l.c*nb:], nb, true}, du[xi*oc:], l.c, ty0 > 0, nil, &l.bufs[k])
			}
			if l.first {
				continue
			}
			for xi := 0; xi < 16; xi++ {
				gemmPacked(&l.packUT[xi], nb, denseB{s.m[xi*l.o*nb:], nb, false}, s.v[xi*l.c*nb:], nb, false, nil, &l.bufs[k])
			}
			g.inputBack(s.dxp, s.v, l.c, ty0, rows)
		}
		if !l.first {
			g.extract(l.dx[i*l.c*hw:(i+1)*l.c*hw], s.dxp, l.c)
		}
	})
	// The images' transformed filter gradients are summed, then mapped
	// back once.
	sumInOrder(l.du, l.duPart)
	winoWeightsBack(l.dw, l.du, l.o, l.c)
	sumInOrder(l.db, l.dbPart)
}
