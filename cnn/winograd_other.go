//go:build !amd64 || purego

package cnn

func winoIn8(src []float32, pw int, dst []float32, xs, n8 int) { winoIn8Go(src, pw, dst, xs, n8) }

func winoOut8(m []float32, xs int, y0, y1 []float32, n8 int, b float32, act bool) {
	winoOut8Go(m, xs, y0, y1, n8, b, act)
}

func winoGradOut8(g0, g1, dst []float32, xs, n8 int) { winoGradOut8Go(g0, g1, dst, xs, n8) }

func winoInBack8(dv []float32, xs int, dst []float32, pw, n8 int) {
	winoInBack8Go(dv, xs, dst, pw, n8)
}
