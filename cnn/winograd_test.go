package cnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/skybias/skybias/netspec"
)

// TestWinogradTransformsMatchGo runs each AVX2 transform and its Go
// version on the same random tiles (several groups, strides wider than
// the data, values of both signs, zeros, and -0) and requires the same
// bits: a result must not depend on whether the processor has AVX2 or the
// build is purego.
func TestWinogradTransformsMatchGo(t *testing.T) {
	if !hasAsm {
		t.Skip("no AVX2 kernels in this build or on this processor: only the Go transforms run")
	}
	r := rand.New(rand.NewPCG(5, 6))
	rnd := func(n int) []float32 { return edgyFloats(r, n) }
	same := func(name string, got, want []float32) {
		t.Helper()
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: value %d is %v (AVX2), %v (Go)", name, i, got[i], want[i])
			}
		}
	}
	for _, n8 := range []int{1, 2, 5} {
		pw, xs := 16*n8+2+3, 8*n8+7
		src := rnd(4 * pw)
		a, b := make([]float32, 16*xs), make([]float32, 16*xs)
		winoIn8(src, pw, a, xs, n8)
		winoIn8Go(src, pw, b, xs, n8)
		same("input", a, b)

		m := rnd(16 * xs)
		for _, act := range []bool{false, true} {
			y0a, y1a, y0b, y1b := make([]float32, 16*n8), make([]float32, 16*n8), make([]float32, 16*n8), make([]float32, 16*n8)
			winoOut8(m, xs, y0a, y1a, n8, 0.25, act)
			winoOut8Go(m, xs, y0b, y1b, n8, 0.25, act)
			same("output", append(y0a, y1a...), append(y0b, y1b...))
		}

		g0, g1 := rnd(16*n8), rnd(16*n8)
		clear(a)
		clear(b)
		winoGradOut8(g0, g1, a, xs, n8)
		winoGradOut8Go(g0, g1, b, xs, n8)
		same("gradient", a, b)

		dv := rnd(16 * xs)
		da, db := rnd(4*pw), make([]float32, 4*pw)
		copy(db, da)
		winoInBack8(dv, xs, da, pw, n8)
		winoInBack8Go(dv, xs, db, pw, n8)
		same("input gradient", da, db)
	}
}

// TestWinogradTransformsRoundTrip checks the transforms against their
// definition without the fast paths' tile order: a whole Winograd tile
// (input transform, element-wise product with the transformed filter,
// output transform) equals the direct 3x3 correlation of its patch, in
// float64 to 1e-5 relative, for one tile placed at every lane of a group.
func TestWinogradTransformsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for lane := 0; lane < 8; lane++ {
		const pw, xs = 18, 8
		src := make([]float32, 4*pw)
		for i := range src {
			src[i] = float32(r.NormFloat64())
		}
		f := make([]float32, 9)
		for i := range f {
			f[i] = float32(r.NormFloat64())
		}
		u := make([]float32, 16)
		winoWeights(u, f, 1, 1)
		v := make([]float32, 16*xs)
		winoIn8(src, pw, v, xs, 1)
		// The tile in lane p is tile perm8[p] of the group.
		p := lane
		tile := perm8[p]
		m := make([]float32, 16*xs)
		for xi := 0; xi < 16; xi++ {
			m[xi*xs+p] = u[xi] * v[xi*xs+p]
		}
		y0, y1 := make([]float32, 16), make([]float32, 16)
		winoOut8(m, xs, y0, y1, 1, 0, false)
		for dy, row := range [][]float32{y0, y1} {
			for dx := 0; dx < 2; dx++ {
				var want float64
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						want += float64(f[ky*3+kx]) * float64(src[(dy+ky)*pw+2*tile+dx+kx])
					}
				}
				got := float64(row[2*tile+dx])
				if math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
					t.Errorf("lane %d (tile %d), output (%d, %d): %v, want %v", lane, tile, dy, dx, got, want)
				}
			}
		}
	}
}

// TestWinogradWins pins which of the paper's layers take the Winograd
// path (BenchmarkConvLayer measured the choice): at 120 pixels the 60x60,
// 30x30 and 15x15 layers; at the quick profile's 48 pixels none.
func TestWinogradWins(t *testing.T) {
	for _, tc := range []struct {
		c, o, side int
		want       bool
	}{
		{3, 32, 120, false}, {32, 32, 60, true}, {32, 64, 30, true}, {64, 64, 15, true}, {64, 128, 7, false},
		{3, 32, 48, false}, {32, 32, 24, false}, {32, 64, 12, false}, {64, 64, 6, false}, {64, 128, 3, false},
		{32, 32, 32, true}, {32, 64, 16, true}, {8, 8, 64, false},
	} {
		if got := winogradWins(tc.c, tc.o, tc.side, tc.side); got != tc.want {
			t.Errorf("%d -> %d channels at %dx%d: Winograd %v, want %v", tc.c, tc.o, tc.side, tc.side, got, tc.want)
		}
	}
}

// TestWinogradLayers: which layers of a network take the Winograd path,
// by default and with each algorithm named, and that the built network
// does what the list says.
func TestWinogradLayers(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want []int
	}{
		{"paper 120 px, default", Config{Arch: "lenet5x", Input: 120}, []int{1, 2, 3}},
		{"paper 120 px, winograd", Config{Arch: "lenet5x", Input: 120, Conv: ConvWinograd}, []int{1, 2, 3}},
		{"paper 120 px, direct", Config{Arch: "lenet5x", Input: 120, Conv: ConvDirect}, nil},
		{"real-data test 64 px", Config{Arch: "lenet5x", Input: 64}, []int{1, 2}},
		{"quick profile 48 px", Config{Arch: "lenet5x", Input: 48}, nil},
		{"calibration 32 px", Config{Arch: "lenet5x", Input: 32, Widths: []int{8, 8, 16, 16, 32}, Dense: 32}, nil},
		{"two layers 32 px", Config{Arch: "lenet5x", Input: 32, Widths: []int{16, 16}, Dense: 4}, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := tc.cfg.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.WinogradLayers()
			if !slices.Equal(got, tc.want) {
				t.Fatalf("WinogradLayers = %v, want %v", got, tc.want)
			}
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, training := range []bool{true, false} {
				gr, err := buildGraph[float32](m.Config, 2, m.paramData(), m.Params, training)
				if err != nil {
					t.Fatal(err)
				}
				var built []int
				for _, n := range gr.g.AllNodes() {
					var l *convLayer[float32]
					switch op := n.Op().(type) {
					case *convFwdOp[float32]:
						l = op.l
					case *convPoolOp: // the pool fused in
						l = op.l
					}
					if l != nil && l.wino != nil {
						var i int
						fmt.Sscanf(l.name, "conv%d", &i)
						built = append(built, i-1)
					}
				}
				slices.Sort(built)
				if !slices.Equal(built, tc.want) {
					t.Errorf("training=%v: the built network's Winograd layers are %v, want %v", training, built, tc.want)
				}
			}
		})
	}
}

// TestWinogradRuleMatchesGrid holds netspec.WinogradWins, which decides
// a job's convolution path (and so its hash) without this package, to
// the tile grid the Winograd kernels actually use.
func TestWinogradRuleMatchesGrid(t *testing.T) {
	for h := 1; h <= 130; h++ {
		for _, w := range []int{h, h + 1, 2*h + 3} {
			g := newWinoGrid(h, w)
			want := float64(h*w) >= 0.85*float64(4*g.th*g.tw)
			if got := netspec.WinogradWins(16, 16, h, w); got != want {
				t.Fatalf("%dx%d: netspec says %v, the grid (%d x %d tiles) %v", h, w, got, g.th, g.tw, want)
			}
		}
	}
}
