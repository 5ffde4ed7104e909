//go:build amd64 && !purego

package cnn

//go:noescape
func winoIn8Asm(src *float32, pw int, dst *float32, xs, n8 int)

//go:noescape
func winoOut8Asm(m *float32, xs int, y0, y1 *float32, n8 int, b *float32, act int)

//go:noescape
func winoGradOut8Asm(g0, g1, dst *float32, xs, n8 int)

//go:noescape
func winoInBack8Asm(dv *float32, xs int, dst *float32, pw, n8 int, scratch *[128]float32)

// winoIn8 is winoIn8Go with the AVX2 kernel when it can run.
func winoIn8(src []float32, pw int, dst []float32, xs, n8 int) {
	if !hasAsm || n8 == 0 {
		winoIn8Go(src, pw, dst, xs, n8)
		return
	}
	_ = src[3*pw+16*n8+1]
	_ = dst[15*xs+8*n8-1]
	winoIn8Asm(&src[0], pw, &dst[0], xs, n8)
}

// winoOut8 is winoOut8Go with the AVX2 kernel when it can run.
func winoOut8(m []float32, xs int, y0, y1 []float32, n8 int, b float32, act bool) {
	if !hasAsm || n8 == 0 {
		winoOut8Go(m, xs, y0, y1, n8, b, act)
		return
	}
	_ = m[15*xs+8*n8-1]
	_, _ = y0[16*n8-1], y1[16*n8-1]
	a := 0
	if act {
		a = 1
	}
	winoOut8Asm(&m[0], xs, &y0[0], &y1[0], n8, &b, a)
}

// winoGradOut8 is winoGradOut8Go with the AVX2 kernel when it can run.
func winoGradOut8(g0, g1, dst []float32, xs, n8 int) {
	if !hasAsm || n8 == 0 {
		winoGradOut8Go(g0, g1, dst, xs, n8)
		return
	}
	_, _ = g0[16*n8-1], g1[16*n8-1]
	_ = dst[15*xs+8*n8-1]
	winoGradOut8Asm(&g0[0], &g1[0], &dst[0], xs, n8)
}

// winoInBack8 is winoInBack8Go with the AVX2 kernel when it can run.
func winoInBack8(dv []float32, xs int, dst []float32, pw, n8 int) {
	if !hasAsm || n8 == 0 {
		winoInBack8Go(dv, xs, dst, pw, n8)
		return
	}
	_ = dv[15*xs+8*n8-1]
	_ = dst[3*pw+16*n8+1]
	var scratch [128]float32
	winoInBack8Asm(&dv[0], xs, &dst[0], pw, n8, &scratch)
}
