package cnn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradientsFiniteDifference checks the network's analytic gradients
// (Gorgonia's symbolic differentiation through the custom operators)
// against central finite differences of the loss, in float64, for every
// parameter element, on small inputs with odd sizes.
func TestGradientsFiniteDifference(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		batch int
	}{
		{"odd sizes", Config{Arch: "lenet5x", Input: 7, Widths: []int{3, 4, 2}, Pools: 2, Dense: 5}, 3},
		{"paper shape, tiny", Config{Arch: "lenet5x", Input: 16, Widths: []int{2, 2, 3, 3, 4}, Pools: 4, Dense: 3}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			cfg, shapes, params := jitteredParams(t, tc.cfg, 3, r)
			gr, err := buildGraph[float64](cfg, tc.batch, params, shapes, true)
			if err != nil {
				t.Fatal(err)
			}
			x := gr.x.Data().([]float64)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			lab := gr.t.Data().([]float64)
			for i := range lab {
				lab[i] = float64(i % 2)
			}
			if err := gr.run(); err != nil {
				t.Fatal(err)
			}
			analytic := make([][]float64, len(params))
			for i, g := range gr.grads {
				analytic[i] = append([]float64(nil), g.Data().([]float64)...)
			}
			loss := func() float64 {
				if err := gr.run(); err != nil {
					t.Fatal(err)
				}
				return gr.lossValue()
			}
			const h = 1e-6
			worst := 0.0
			for i, p := range params {
				for j := range p {
					old := p[j]
					p[j] = old + h
					lp := loss()
					p[j] = old - h
					lm := loss()
					p[j] = old
					num := (lp - lm) / (2 * h)
					a := analytic[i][j]
					rel := math.Abs(a-num) / math.Max(math.Max(math.Abs(a), math.Abs(num)), 1e-6)
					worst = math.Max(worst, rel)
					if rel > 1e-4 {
						t.Errorf("%s[%d]: analytic %.8g, numeric %.8g (relative error %.2g)", shapes[i].Name, j, a, num, rel)
					}
				}
			}
			t.Logf("worst relative error over all parameters: %.2g", worst)
		})
	}
}
