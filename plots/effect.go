package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EffectPoint is an effect at one value of a swept parameter, with its
// interval; Significant marks a verdict that calls a shift.
type EffectPoint struct {
	X, Effect, Lo, Hi float64
	Significant       bool
}

// EffectSeries is one curve of an effect plot.
type EffectSeries struct {
	Name   string
	Points []EffectPoint
}

// EffectCurve draws effects with their intervals against a swept
// parameter (a dose-response), one line per series, with the zero line;
// filled markers are points whose verdict calls a shift, open ones are
// not.
func EffectCurve(title, xLabel string, series []EffectSeries) (*Figure, error) {
	p := newPlot(title, xLabel, "effect (positive: the paper's bias)")
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.Color = Grey
	zero.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(zero)
	lo, hi := 0.0, 0.0
	for k, s := range series {
		col := Palette[k%len(Palette)]
		xy := make(plotter.XYs, len(s.Points))
		var errs plotter.YErrors
		var shift, none plotter.XYs
		for i, pt := range s.Points {
			xy[i] = plotter.XY{X: pt.X, Y: pt.Effect}
			errs = append(errs, struct{ Low, High float64 }{pt.Effect - pt.Lo, pt.Hi - pt.Effect})
			lo, hi = math.Min(lo, pt.Lo), math.Max(hi, pt.Hi)
			if pt.Significant {
				shift = append(shift, xy[i])
			} else {
				none = append(none, xy[i])
			}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("effect curve %q: series %s: %w", title, s.Name, err)
		}
		l.Color, l.Width = col, vg.Points(1.5)
		eb := &plotter.YErrorBars{XYs: xy, YErrors: errs, LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1)}, CapWidth: vg.Points(4)}
		p.Add(l, eb)
		p.Legend.Add(s.Name, l)
		for _, pts := range []struct {
			xy     plotter.XYs
			filled bool
		}{{shift, true}, {none, false}} {
			if len(pts.xy) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(pts.xy)
			if err != nil {
				return nil, fmt.Errorf("effect curve %q: series %s: %w", title, s.Name, err)
			}
			var shape draw.GlyphDrawer = draw.RingGlyph{}
			if pts.filled {
				shape = draw.CircleGlyph{}
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: shape}
			p.Add(sc)
		}
	}
	span := math.Max(hi-lo, 0.02)
	p.Y.Min, p.Y.Max = lo-0.1*span, hi+0.1*span
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return &Figure{Name: "effect-curve", Width: 7 * vg.Inch, Height: 4.5 * vg.Inch, Plots: [][]*plot.Plot{{p}}}, nil
}
