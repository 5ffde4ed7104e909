//go:build !amd64 || purego

package cnn

const hasAsm = false

func microKernel(k int, a, b, c []float32, ldc int) { microKernelGo(k, a, b, c, ldc) }
