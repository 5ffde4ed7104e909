//go:build !amd64 || purego

package cnn

const hasAsm = false

const hasAVX512 = false

func microKernel12(k int, a, b, c []float32, ldc int, flags int, bias []float32) {
	microKernelGo(k, a[:6*k], b, c, ldc, flags, bias[:6])
	microKernelGo(k, a[6*k:], b, c[6*ldc:], ldc, flags, bias[6:])
}

func microKernel(k int, a, b, c []float32, ldc int, flags int, bias []float32) {
	microKernelGo(k, a, b, c, ldc, flags, bias)
}

func reluMaskLanes(gm, y, g []float32, lanes *[8]float32) { reluMaskLanesGo(gm, y, g, lanes) }

func packWindows(dst, x []float32, offs []int32) { packWindowsGo(dst, x, offs) }

func scatter(dst, src []float32, stride int) { scatterGo(dst, src, stride) }

func maxPoolRowAsm(r0, r1, out []float32, arg []int32, base, w int) int { return 0 }

func packRows(dst, x []float32, stride, kc int) { packRowsGo(dst, x, stride, kc) }

func packColumns8(dst, x []float32, offs *[8]int32, kc int) { packColumns8Go(dst, x, offs, 0, kc) }
