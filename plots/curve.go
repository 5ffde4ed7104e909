package plots

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CurvePoint is one x value of a curve: the mean over repeats and the
// standard deviation (0 for a single run).
type CurvePoint struct {
	// X is the training size, Mean the accuracy, Lo and Hi its interval.
	X, Mean, Lo, Hi float64
}

// Series is one line of a curve plot.
type Series struct {
	Name   string
	Points []CurvePoint
}

// AccuracyCurve draws accuracy against the number of training galaxies
// per class (the paper's Figure 2), one line per test set or survey, with
// each point's interval as error bars and a tick at every size; logX puts
// the x axis on a log scale.
func AccuracyCurve(title string, series []Series, logX bool) (*Figure, error) {
	p := newPlot(title, "training galaxies per class", "test accuracy")
	lo, hi := 1.0, 0.5
	for k, s := range series {
		xy := make(plotter.XYs, len(s.Points))
		var errs plotter.YErrors
		for i, pt := range s.Points {
			xy[i] = plotter.XY{X: pt.X, Y: pt.Mean}
			errs = append(errs, struct{ Low, High float64 }{pt.Mean - pt.Lo, pt.Hi - pt.Mean})
			lo, hi = math.Min(lo, pt.Lo), math.Max(hi, pt.Hi)
		}
		col := Palette[k%len(Palette)]
		l, sc, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("accuracy curve %q: series %s: %w", title, s.Name, err)
		}
		l.Color, l.Width = col, vg.Points(1.5)
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		eb := &plotter.YErrorBars{XYs: xy, YErrors: errs, LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1)}, CapWidth: vg.Points(4)}
		p.Add(l, sc, eb)
		p.Legend.Add(s.Name, l, sc)
	}
	p.Y.Min, p.Y.Max = math.Max(0, lo-0.05), math.Min(1, hi+0.05)
	// A tick at every size drawn, so a log axis over less than a decade
	// still says where its points are.
	var ticks []plot.Tick
	seen := map[float64]bool{}
	for _, s := range series {
		for _, pt := range s.Points {
			if !seen[pt.X] {
				seen[pt.X] = true
				ticks = append(ticks, plot.Tick{Value: pt.X, Label: strconv.FormatFloat(pt.X, 'g', -1, 64)})
			}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Label.Text += " (log scale)"
	}
	// Accuracy rises with size: the upper left is where the lines are not.
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), -vg.Points(6)
	p.Add(plotter.NewGrid())
	return &Figure{Name: "accuracy-curve", Width: 7 * vg.Inch, Height: 4.5 * vg.Inch, Plots: [][]*plot.Plot{{p}}}, nil
}
