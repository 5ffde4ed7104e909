//go:build amd64 && !purego

package cnn

import "golang.org/x/sys/cpu"

//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int)

// hasAsm reports whether the AVX2/FMA kernel can run on this processor.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func microKernel(k int, a, b, c []float32, ldc int) {
	if hasAsm {
		if k > 0 {
			_ = a[6*k-1]
			_ = b[16*k-1]
		}
		_ = c[5*ldc+15]
		kernel6x16(k, &a[0], &b[0], &c[0], ldc)
		return
	}
	microKernelGo(k, a, b, c, ldc)
}
