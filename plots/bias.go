package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BiasRow is one train/test combination of a bias chart.
type BiasRow struct {
	// Label names the combination ("6: S1 E2 / 1").
	Label string
	// PSpiral is the predicted spiral fraction; Lo and Hi its interval.
	PSpiral, Lo, Hi float64
	// Published is the paper's value (NaN when it has none).
	Published float64
	// Significant marks a shift against the baseline (drawn as a star).
	Significant bool
}

// BiasChart draws p(spiral) for each train/test combination with its
// interval, the published value beside it, the 0.5 line, and a star over
// the combinations whose shift against their baseline is significant.
func BiasChart(title string, rows []BiasRow) (*Figure, error) {
	p := newPlot(title, "experiment (train spiral / train elliptical -> test field)", "predicted spiral fraction")
	labels := make([]string, len(rows))
	ours := make(plotter.XYs, len(rows))
	var errs plotter.YErrors
	var pub plotter.XYs
	var stars plotter.XYs
	lo, hi := 0.5, 0.5
	for i, r := range rows {
		labels[i] = r.Label
		ours[i] = plotter.XY{X: float64(i) - 0.12, Y: r.PSpiral}
		errs = append(errs, struct{ Low, High float64 }{r.PSpiral - r.Lo, r.Hi - r.PSpiral})
		lo, hi = math.Min(lo, r.Lo), math.Max(hi, r.Hi)
		if !math.IsNaN(r.Published) {
			pub = append(pub, plotter.XY{X: float64(i) + 0.12, Y: r.Published})
			lo, hi = math.Min(lo, r.Published), math.Max(hi, r.Published)
		}
	}
	for i, r := range rows {
		if r.Significant {
			stars = append(stars, plotter.XY{X: float64(i) - 0.12, Y: r.Hi})
		}
	}
	span := math.Max(hi-lo, 0.02)
	p.Y.Min, p.Y.Max = lo-0.15*span, hi+0.25*span
	p.X.Min, p.X.Max = -0.6, float64(len(rows))-0.4
	half := plotter.NewFunction(func(float64) float64 { return 0.5 })
	half.Color = Grey
	half.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(half)
	s, err := plotter.NewScatter(ours)
	if err != nil {
		return nil, fmt.Errorf("bias chart %q: p(spiral): %w", title, err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: Blue, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	eb := &plotter.YErrorBars{XYs: ours, YErrors: errs, LineStyle: draw.LineStyle{Color: Blue, Width: vg.Points(1.2)}, CapWidth: vg.Points(5)}
	p.Add(eb, s)
	p.Legend.Add("skybias (95% interval)", s)
	if len(pub) > 0 {
		ps, err := plotter.NewScatter(pub)
		if err != nil {
			return nil, fmt.Errorf("bias chart %q: published p(spiral): %w", title, err)
		}
		ps.GlyphStyle = draw.GlyphStyle{Color: Vermilion, Radius: vg.Points(3.5), Shape: draw.PyramidGlyph{}}
		p.Add(ps)
		p.Legend.Add("Dhar & Shamir (published)", ps)
	}
	if len(stars) > 0 {
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: stars, Labels: repeat("*", len(stars))})
		if err != nil {
			return nil, fmt.Errorf("bias chart %q: interval ends: %w", title, err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(14)
			l.TextStyle[i].Color = Black
			l.TextStyle[i].XAlign = draw.XCenter
		}
		p.Add(l)
	}
	p.Legend.Add("0.5", half)
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(labels...)
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Add(plotter.NewGrid())
	return &Figure{Name: "bias", Width: 7.5 * vg.Inch, Height: 4.5 * vg.Inch, Plots: [][]*plot.Plot{{p}}}, nil
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
