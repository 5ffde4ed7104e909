//go:build amd64 && !purego

package cnn

import (
	"os"

	"golang.org/x/sys/cpu"
)

//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int, flags int, bias *float32)

// hasAsm reports whether the AVX2/FMA kernels can run on this processor.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// hasAVX512 reports whether the AVX-512 micro-kernel can run: twelve rows
// at a time, the same bits as two calls of the AVX2 one. SKYBIAS_NO_AVX512=1
// keeps to the AVX2 kernel (to compare the two; the results do not change).
var hasAVX512 = hasAsm && cpu.X86.HasAVX512F && os.Getenv("SKYBIAS_NO_AVX512") != "1"

//go:noescape
func kernel12x16(k int, a, b, c *float32, ldc int, flags int, bias *float32)

// microKernel12 is the micro-kernel on two consecutive A panels (a holds
// 12*k values) and twelve rows of C, with the AVX-512 kernel where it can
// run.
func microKernel12(k int, a, b, c []float32, ldc int, flags int, bias []float32) {
	if hasAVX512 {
		if k > 0 {
			_ = a[12*k-1]
			_ = b[16*k-1]
		}
		_ = c[11*ldc+15]
		_ = bias[11]
		kernel12x16(k, &a[0], &b[0], &c[0], ldc, flags, &bias[0])
		return
	}
	microKernel(k, a[:6*k], b, c, ldc, flags, bias[:6])
	microKernel(k, a[6*k:], b, c[6*ldc:], ldc, flags, bias[6:])
}

func microKernel(k int, a, b, c []float32, ldc int, flags int, bias []float32) {
	if hasAsm {
		if k > 0 {
			_ = a[6*k-1]
			_ = b[16*k-1]
		}
		_ = c[5*ldc+15]
		_ = bias[5]
		kernel6x16(k, &a[0], &b[0], &c[0], ldc, flags, &bias[0])
		return
	}
	microKernelGo(k, a, b, c, ldc, flags, bias)
}

//go:noescape
func reluMask8(gm, y, grad *float32, n int, lanes *[8]float32)

// reluMaskLanes is reluMaskLanesGo with the AVX2 kernel when it can run.
func reluMaskLanes(gm, y, g []float32, lanes *[8]float32) {
	n := len(g) &^ 7
	if hasAsm && n > 0 {
		_, _ = gm[n-1], y[n-1]
		reluMask8(&gm[0], &y[0], &g[0], n, lanes)
		return
	}
	reluMaskLanesGo(gm, y, g, lanes)
}

//go:noescape
func packRows16(dst, x *float32, offs *int32, kc int)

// packWindows copies, for each p < len(offs), the 16 values of x from
// offs[p] to dst[p*16:]. The caller guarantees every window lies in x.
func packWindows(dst, x []float32, offs []int32) {
	if hasAsm && len(offs) > 0 {
		_ = dst[16*len(offs)-1]
		packRows16(&dst[0], &x[0], &offs[0], len(offs))
		return
	}
	packWindowsGo(dst, x, offs)
}

//go:noescape
func strideCopy(dst, src *float32, n, stride int)

// scatter copies src to dst[0], dst[stride], dst[2*stride], ...
func scatter(dst, src []float32, stride int) {
	if len(src) == 0 {
		return
	}
	_ = dst[(len(src)-1)*stride]
	strideCopy(&dst[0], &src[0], len(src), stride)
}

//go:noescape
func transpose8Rows(dst, x *float32, offs *int32, n8 int)

// packColumns8 writes, for q < 8 and p < kc, x[offs[q] + p] to
// dst[p*16 + q]: eight runs of x across as eight columns of a panel 16
// values wide, eight rows at a time by AVX2 transposes. The caller
// guarantees every run lies in x.
func packColumns8(dst, x []float32, offs *[8]int32, kc int) {
	n8 := kc / 8
	if hasAsm && n8 > 0 {
		_ = dst[(8*n8-1)*16+7]
		transpose8Rows(&dst[0], &x[0], &offs[0], n8)
	} else {
		n8 = 0
	}
	packColumns8Go(dst, x, offs, 8*n8, kc)
}

//go:noescape
func maxPool8(r0, r1, out *float32, arg *int32, n8 int, base, w int32)

// maxPoolRowAsm pools the outputs of a row pair eight at a time and
// returns how many it did: all of them when there are eight or more (the
// last group then overlaps the one before), else none.
func maxPoolRowAsm(r0, r1, out []float32, arg []int32, base, w int) int {
	n8 := len(out) / 8
	if !hasAsm || n8 == 0 {
		return 0
	}
	_, _, _ = r0[16*n8-1], r1[16*n8-1], arg[8*n8-1]
	maxPool8(&r0[0], &r1[0], &out[0], &arg[0], n8, int32(base), int32(w))
	if len(out)%8 != 0 {
		t := len(out) - 8
		// The last eight outputs again, overlapping the groups
		// before: the outputs both compute are written twice with
		// the same values, and no output is left to the scalar loop.
		_, _ = r0[2*t+15], r1[2*t+15]
		maxPool8(&r0[2*t], &r1[2*t], &out[t], &arg[t], 1, int32(base+2*t), int32(w))
		return len(out)
	}
	return 8 * n8
}

//go:noescape
func packRowsStride16(dst, x *float32, stride, kc int)

// packRows copies kc rows of 16 values, stride apart in x, to dst.
func packRows(dst, x []float32, stride, kc int) {
	if hasAsm && kc > 0 {
		_, _ = dst[16*kc-1], x[(kc-1)*stride+15]
		packRowsStride16(&dst[0], &x[0], stride, kc)
		return
	}
	packRowsGo(dst, x, stride, kc)
}
