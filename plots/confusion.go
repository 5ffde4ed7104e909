package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// confGrid presents a 2x2 confusion matrix as a heat map grid, coloured by
// the fraction of each true class (row).
type confGrid [2][2]int

func (g confGrid) Dims() (c, r int) { return 2, 2 }
func (g confGrid) X(c int) float64  { return float64(c) }
func (g confGrid) Y(r int) float64  { return float64(r) }
func (g confGrid) Z(c, r int) float64 {
	row := 1 - r // row 0 at the top is the true elliptical class
	n := g[row][0] + g[row][1]
	if n == 0 {
		return 0
	}
	return float64(g[row][c]) / float64(n)
}

// ConfusionFigure draws a confusion matrix as a heat map with counts and
// row rates (true class by row, predicted by column), and the published
// matrix beside it when given.
func ConfusionFigure(title string, ours [2][2]int, published *[2][2]int) (*Figure, error) {
	p, err := confusionPlot("skybias", ours)
	if err != nil {
		return nil, fmt.Errorf("confusion figure %q: %w", title, err)
	}
	row := []*plot.Plot{p}
	if published != nil {
		q, err := confusionPlot("Dhar & Shamir (published)", *published)
		if err != nil {
			return nil, fmt.Errorf("confusion figure %q: published: %w", title, err)
		}
		row = append(row, q)
	}
	w := 4 * vg.Inch
	if published != nil {
		w = 7.5 * vg.Inch
	}
	f := &Figure{Name: "confusion", Width: w, Height: 3.6 * vg.Inch, Plots: [][]*plot.Plot{row}}
	for _, p := range row {
		p.Title.Text = title + ": " + p.Title.Text
	}
	return f, nil
}

func confusionPlot(title string, m [2][2]int) (*plot.Plot, error) {
	p := newPlot(title, "predicted class", "true class")
	h := plotter.NewHeatMap(confGrid(m), blues{})
	h.Min, h.Max = 0, 1
	p.Add(h)
	var xy plotter.XYs
	var labels []string
	for r := 0; r < 2; r++ {
		for c := 0; c < 2; c++ {
			n := m[r][0] + m[r][1]
			rate := 0.0
			if n > 0 {
				rate = float64(m[r][c]) / float64(n)
			}
			xy = append(xy, plotter.XY{X: float64(c), Y: float64(1 - r)})
			labels = append(labels, fmt.Sprintf("%d\n%.1f%%", m[r][c], 100*rate))
		}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign = draw.XCenter
		l.TextStyle[i].YAlign = draw.YCenter
		l.TextStyle[i].Font.Size = vg.Points(11)
		z := confGrid(m).Z(int(xy[i].X), int(xy[i].Y))
		if z > 0.55 {
			l.TextStyle[i].Color = White
		}
	}
	p.Add(l)
	p.NominalX("elliptical", "spiral")
	p.NominalY("spiral", "elliptical")
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Min, p.X.Max = -0.5, 1.5
	p.Y.Min, p.Y.Max = -0.5, 1.5
	return p, nil
}
