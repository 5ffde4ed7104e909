package cnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/tensor"
)

// TestFloat32MatchesFloat64 runs the fast float32 operators (neighbourhoods
// packed from a padded image, fused bias and ReLU, the input gradient as a
// flipped convolution)
// and the plain float64 path on the same weights and images, and compares
// the logits, the loss and every parameter's gradient. Sizes are odd so
// that strips cross image rows and edge tiles occur, and the widths make
// some multiplies span several blocks of k.
func TestFloat32MatchesFloat64(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		batch int
	}{
		{"odd sizes", Config{Arch: "lenet5x", Input: 13, Widths: []int{5, 7, 3}, Pools: 2, Dense: 9}, 3},
		{"k over one block", Config{Arch: "lenet5x", Input: 23, Widths: []int{8, 40, 37}, Pools: 2, Dense: 11}, 2},
		{"paper widths", Config{Arch: "lenet5x", Input: 34, Widths: []int{32, 32, 64, 64, 128}, Pools: 4, Dense: 128}, 2},
		{"one-pixel rows", Config{Arch: "lenet5x", Input: 5, Widths: []int{6, 17}, Pools: 2, Dense: 4}, 2},
		// conv2 and conv3 (16x16, 16 channels) take the Winograd path.
		{"winograd", Config{Arch: "lenet5x", Input: 32, Widths: []int{16, 16, 32}, Pools: 1, Dense: 8, Conv: ConvWinograd}, 3},
	}
	if !winogradWins(16, 16, 16, 16) || !winogradWins(16, 32, 16, 16) {
		t.Fatal("the winograd case no longer takes the Winograd path: choose other sizes")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, 12))
			cfg, shapes, p64 := jitteredParams(t, tc.cfg, 7, r)
			p32 := make([][]float32, len(p64))
			for i, p := range p64 {
				p32[i] = make([]float32, len(p))
				for j, v := range p {
					p32[i][j] = float32(v)
					p[j] = float64(p32[i][j]) // both networks get the same values
				}
			}
			g32, err := buildGraph[float32](cfg, tc.batch, p32, shapes, true)
			if err != nil {
				t.Fatal(err)
			}
			g64, err := buildGraph[float64](cfg, tc.batch, p64, shapes, true)
			if err != nil {
				t.Fatal(err)
			}
			x32, x64 := g32.x.Data().([]float32), g64.x.Data().([]float64)
			for i := range x32 {
				v := float32(r.NormFloat64())
				x32[i], x64[i] = v, float64(v)
			}
			t32, t64 := g32.t.Data().([]float32), g64.t.Data().([]float64)
			for i := range t32 {
				t32[i], t64[i] = float32(i%2), float64(i%2)
			}
			if err := g32.run(); err != nil {
				t.Fatal(err)
			}
			if err := g64.run(); err != nil {
				t.Fatal(err)
			}
			// Five layers compound float32 rounding: the whole network
			// is held to 5e-5, each operator alone (below) to 1e-5.
			check := func(name string, got []float32, want []float64) {
				if rel := relErr(got, want); rel > 5e-5 || math.IsNaN(rel) {
					t.Errorf("%s: float32 differs from float64 by %.2g (relative, over %d values)", name, rel, len(got))
				}
			}
			check("logits", g32.logits.Data().([]float32), g64.logits.Data().([]float64))
			check("loss", []float32{float32(g32.lossValue())}, []float64{g64.lossValue()})
			for i := range shapes {
				check("gradient of "+shapes[i].Name, g32.grads[i].Data().([]float32), g64.grads[i].Data().([]float64))
			}
		})
	}
}

// relErr is the relative difference of two vectors in the 2-norm.
func relErr(got []float32, want []float64) float64 {
	var d, n float64
	for i := range got {
		d += math.Pow(float64(got[i])-want[i], 2)
		n += want[i] * want[i]
	}
	return math.Sqrt(d / math.Max(n, 1e-30))
}

// TestConvOpMatchesFloat64 checks one convolution layer, forward and
// backward, float32 against float64 on the same random inputs, on both
// float32 paths (direct and Winograd F(2x2, 3x3), forced on every size
// here), for odd sizes (Winograd tiles cut by the bottom and right
// edges), one-pixel maps, both layer kinds (first layer: no input
// gradient) and widths whose multiplies span several blocks of k. Each
// operator is held to 2e-6 relative error in the 2-norm; the worst seen
// on each path is logged.
func TestConvOpMatchesFloat64(t *testing.T) {
	cases := []struct{ n, c, o, h, w int }{
		{1, 1, 1, 1, 1}, {2, 3, 5, 7, 9}, {3, 3, 32, 17, 23}, {2, 32, 32, 15, 15}, {2, 64, 128, 7, 7}, {1, 40, 37, 5, 33}, {2, 5, 6, 1, 17},
		{1, 2, 3, 2, 2}, {2, 16, 16, 8, 8}, {1, 300, 7, 6, 5}, {1, 7, 300, 4, 3},
	}
	for _, wino := range []bool{false, true} {
		r := rand.New(rand.NewPCG(21, 22))
		worst := map[string]float64{}
		for _, cs := range cases {
			for _, first := range []bool{true, false} {
				l32 := newConvLayer[float32]("c", cs.n, cs.c, cs.o, cs.h, cs.w, first, wino, forTraining)
				l64 := newConvLayer[float64]("c", cs.n, cs.c, cs.o, cs.h, cs.w, first, false, forTraining)
				if (l32.wino != nil) != wino {
					t.Fatalf("%+v: Winograd path %v, want %v", cs, l32.wino != nil, wino)
				}
				rnd := func(n int) ([]float32, []float64) {
					a, b := make([]float32, n), make([]float64, n)
					for i := range a {
						a[i] = float32(r.NormFloat64())
						b[i] = float64(a[i])
					}
					return a, b
				}
				x32, x64 := rnd(cs.n * cs.c * cs.h * cs.w)
				w32, w64 := rnd(cs.o * cs.c * 9)
				b32, b64 := rnd(cs.o)
				g32, g64 := rnd(cs.n * cs.o * cs.h * cs.w)
				l32.forward(x32, w32, b32)
				l64.forward(x64, w64, b64)
				l32.backward(x32, w32, g32)
				l64.backward(x64, w64, g64)
				for _, c := range []struct {
					name string
					got  []float32
					want []float64
				}{{"y", l32.y, l64.y}, {"dw", l32.dw, l64.dw}, {"db", l32.db, l64.db}, {"dx", l32.dx, l64.dx}} {
					if first && c.name == "dx" {
						continue
					}
					e := relErr(c.got, c.want)
					worst[c.name] = max(worst[c.name], e)
					if e > 2e-6 || math.IsNaN(e) {
						t.Errorf("%+v first=%v winograd=%v: %s differs from float64 by %.2g", cs, first, wino, c.name, e)
					}
				}
			}
		}
		t.Logf("winograd=%v: worst relative error y %.2g, dw %.2g, db %.2g, dx %.2g", wino, worst["y"], worst["dw"], worst["db"], worst["dx"])
	}
}

// TestMaxPoolKernelMatchesScalar compares float32 pooling (the AVX2 kernel
// where it runs) with the scalar float64 code on maps full of ties, for
// widths that leave a remainder after eight outputs.
func TestMaxPoolKernelMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, sz := range [][3]int{{1, 2, 2}, {2, 5, 17}, {3, 34, 35}, {2, 40, 120}, {1, 3, 33}} {
		c, h, w := sz[0], sz[1], sz[2]
		x32, x64 := make([]float32, c*h*w), make([]float64, c*h*w)
		for i := range x32 {
			v := float32(r.IntN(4)) // many ties, zeros included
			if r.IntN(7) == 0 {
				v = -v
			}
			x32[i], x64[i] = v, float64(v)
		}
		n := c * (h / 2) * (w / 2)
		y32, y64 := make([]float32, n), make([]float64, n)
		a32, a64 := make([]int32, n), make([]int32, n)
		maxPool2(x32, y32, a32, c, h, w, h*w, w)
		maxPool2(x64, y64, a64, c, h, w, h*w, w)
		for i := range y32 {
			if float64(y32[i]) != y64[i] || a32[i] != a64[i] {
				t.Fatalf("%v: output %d: %g at %d, scalar %g at %d", sz, i, y32[i], a32[i], y64[i], a64[i])
			}
		}
	}
}

// TestSmallMapGradientInPlace: on maps small enough for one block of k
// (smallMapBuffers), the weight gradient is accumulated into dW image by
// image over blocks of its columns. It must equal, bit for bit, the
// per-image products summed in image order (the path of larger maps), at
// any number of cores and for batches smaller than the number of column
// blocks.
func TestSmallMapGradientInPlace(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	cases := []struct{ n, c, o, h, w int }{
		{32, 64, 128, 3, 3}, {5, 32, 64, 12, 12}, {2, 64, 64, 6, 6}, {1, 7, 300, 4, 3}, {3, 3, 5, 15, 15}, {2, 40, 37, 1, 1},
	}
	r := rand.New(rand.NewPCG(41, 42))
	for _, procs := range []int{1, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, cs := range cases {
			for _, first := range []bool{true, false} {
				small := newConvLayer[float32]("c", cs.n, cs.c, cs.o, cs.h, cs.w, first, false, forTraining)
				if small.dwChunk == 0 {
					t.Fatalf("%+v: %d grid positions, not taken as a small map", cs, small.grid.cols())
				}
				// The same layer on the path of larger maps.
				ref := newConvLayer[float32]("c", cs.n, cs.c, cs.o, cs.h, cs.w, first, false, forTraining)
				ref.dwChunk, ref.xpImg, ref.gpImg = 0, nil, nil
				ref.dwPart = make([][]float32, cs.n)
				for i := range ref.dwPart {
					ref.dwPart[i] = make([]float32, cs.o*cs.c*9)
				}
				for k := range ref.scratch {
					ref.scratch[k] = newConvScratch(cs.c, cs.o, ref.grid, true)
				}
				rnd := func(n int) []float32 {
					a := make([]float32, n)
					for i := range a {
						a[i] = float32(r.NormFloat64())
					}
					return a
				}
				x, wt, b, g := rnd(cs.n*cs.c*cs.h*cs.w), rnd(cs.o*cs.c*9), rnd(cs.o), rnd(cs.n*cs.o*cs.h*cs.w)
				for _, l := range []*convLayer[float32]{small, ref} {
					l.forward(x, wt, b)
					l.backward(x, wt, g)
				}
				for _, c := range []struct {
					name      string
					got, want []float32
				}{{"dw", small.dw, ref.dw}, {"db", small.db, ref.db}, {"dx", small.dx, ref.dx}} {
					if first && c.name == "dx" {
						continue
					}
					for i := range c.got {
						if math.Float32bits(c.got[i]) != math.Float32bits(c.want[i]) {
							t.Fatalf("GOMAXPROCS %d, %+v first=%v: %s[%d] = %v in place, %v summed per image", procs, cs, first, c.name, i, c.got[i], c.want[i])
						}
					}
				}
			}
		}
	}
}

// TestConvPoolFusedMatches checks the operator that pools each image's
// convolution output as it is made, for inference and for training (its
// backward pass routing the pooled gradient back per image), against the
// training layers' convolution then max-pool, bit for bit: the pooled
// values and, in training, the input, weight and bias gradients. Both
// float32 paths, sizes with odd edges (the pool drops the last row and
// column), and the inference pool's scratch argmax shared by the images
// of a worker.
func TestConvPoolFusedMatches(t *testing.T) {
	cases := []struct{ n, c, o, h, w int }{
		{3, 3, 32, 17, 23}, {2, 32, 32, 16, 16}, {3, 32, 64, 15, 15}, {2, 64, 128, 7, 7}, {2, 5, 6, 2, 17}, {1, 16, 16, 30, 30},
	}
	r := rand.New(rand.NewPCG(31, 32))
	same := func(t *testing.T, what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: value %d is %g, unfused %g", what, i, got[i], want[i])
			}
		}
	}
	for _, wino := range []bool{false, true} {
		for _, cs := range cases {
			rnd := func(n int) []float32 {
				a := make([]float32, n)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				return a
			}
			x, wt, b := rnd(cs.n*cs.c*cs.h*cs.w), rnd(cs.o*cs.c*9), rnd(cs.o)
			gp := rnd(cs.n * cs.o * (cs.h / 2) * (cs.w / 2)) // the gradient at the pooled output
			ref := newConvLayer[float32]("c", cs.n, cs.c, cs.o, cs.h, cs.w, false, wino, forTraining)
			shape := tensor.Shape{cs.n, cs.o, cs.h, cs.w}
			refPool, err := newPoolLayer[float32]("p", shape, forTraining)
			if err != nil {
				t.Fatal(err)
			}
			ref.forward(x, wt, b)
			refPool.forward(ref.y)
			bwd := &poolBwdOp[float32]{l: refPool}
			if _, err := bwd.Do(nil, wrap(gp, refPool.outShap)); err != nil {
				t.Fatal(err)
			}
			ref.backward(x, wt, refPool.dx)
			for _, training := range []bool{false, true} {
				name := fmt.Sprintf("%+v winograd=%v training=%v", cs, wino, training)
				cu, pu := forInferencePooled, forInference
				if training {
					cu, pu = forTrainingPooled, forTrainingPooled
				}
				fused := newConvLayer[float32]("c", cs.n, cs.c, cs.o, cs.h, cs.w, false, wino, cu)
				if (fused.y != nil) != training {
					t.Fatalf("%s: the fused layer holds a full-size output: %v", name, fused.y != nil)
				}
				pool, err := newPoolLayer[float32]("p", shape, pu)
				if err != nil {
					t.Fatal(err)
				}
				if pool.dx != nil {
					t.Fatalf("%s: the fused pool holds a full-size gradient", name)
				}
				forward32(fused, x, wt, b, pool)
				same(t, name+": pooled output", pool.y, refPool.y)
				if !training {
					continue
				}
				same(t, name+": convolution output", fused.y, ref.y)
				backward32(fused, x, wt, gp, pool)
				same(t, name+": input gradient", fused.dx, ref.dx)
				same(t, name+": weight gradient", fused.dw, ref.dw)
				same(t, name+": bias gradient", fused.db, ref.db)
			}
		}
	}
}
