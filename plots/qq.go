package plots

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// QQSeries is one study's P values for a QQ plot.
type QQSeries struct {
	Name string
	P    []float64
}

// PValueQQ draws each series' P values against the uniform quantiles
// they would follow if the test held its level, on -log10 axes: points on
// the diagonal mean a calibrated test, points above it a test that calls
// too much. A grey band marks the pointwise 95% range of uniform order
// statistics for the largest series.
func PValueQQ(title string, series []QQSeries) (*Figure, error) {
	p := newPlot(title, "expected -log10 P (uniform)", "observed -log10 P")
	maxN, top := 0, 1.0
	for _, s := range series {
		maxN = max(maxN, len(s.P))
	}
	if maxN > 0 {
		var lo, hi plotter.XYs
		for i := 1; i <= maxN; i++ {
			x := -math.Log10((float64(i) - 0.5) / float64(maxN))
			// Order statistic i of n uniforms is Beta(i, n-i+1).
			lo = append(lo, plotter.XY{X: x, Y: -math.Log10(betaQ(0.975, i, maxN-i+1))})
			hi = append(hi, plotter.XY{X: x, Y: -math.Log10(betaQ(0.025, i, maxN-i+1))})
		}
		for i := len(hi) - 1; i >= 0; i-- {
			lo = append(lo, hi[i])
		}
		band, err := plotter.NewPolygon(lo)
		if err != nil {
			return nil, err
		}
		band.Color = color.NRGBA{R: 200, G: 200, B: 200, A: 120}
		band.LineStyle.Width = 0
		p.Add(band)
		top = math.Max(top, -math.Log10(0.5/float64(maxN)))
	}
	colours := []color.Color{Blue, Vermilion, Green, Grey}
	for k, s := range series {
		sorted := append([]float64(nil), s.P...)
		sort.Float64s(sorted)
		pts := make(plotter.XYs, len(sorted))
		for i, v := range sorted {
			pts[i] = plotter.XY{X: -math.Log10((float64(i) + 0.5) / float64(len(sorted))), Y: -math.Log10(math.Max(v, 1e-300))}
			top = math.Max(top, pts[i].Y)
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colours[k%len(colours)], Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add(s.Name, sc)
	}
	diag := plotter.NewFunction(func(x float64) float64 { return x })
	diag.Color = Grey
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = top*1.05, top*1.05
	p.Legend.Top, p.Legend.Left = true, true
	return &Figure{Name: "qq", Width: 5 * vg.Inch, Height: 5 * vg.Inch, Plots: [][]*plot.Plot{{p}}}, nil
}

// betaQ is the q-quantile of Beta(a, b) for integer a, b, by bisection on
// the binomial identity I_x(a, b) = P(Binomial(a+b-1, x) >= a).
func betaQ(q float64, a, b int) float64 {
	n := a + b - 1
	cdf := func(x float64) float64 {
		// P(X >= a) for X ~ Binomial(n, x), summed directly (n is small).
		s, term := 0.0, math.Pow(1-x, float64(n))
		for k := 0; k <= n; k++ {
			if k >= a {
				s += term
			}
			if x < 1 {
				term *= float64(n-k) / float64(k+1) * x / (1 - x)
			}
		}
		return s
	}
	lo, hi := 0.0, 1.0
	for i := 0; i < 100; i++ {
		mid := (lo + hi) / 2
		if cdf(mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
