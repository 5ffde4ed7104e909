package plots

import (
	"fmt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/skybias/skybias/netspec"
)

// TrainingHistory draws loss and accuracy per epoch, for the training set
// and, where measured, the validation set.
func TrainingHistory(title string, h *netspec.History) (*Figure, error) {
	loss := newPlot(title+": loss", "epoch", "binary cross-entropy")
	acc := newPlot(title+": accuracy", "epoch", "accuracy")
	var tl, vl, ta, va plotter.XYs
	for _, e := range h.Epochs {
		x := float64(e.Epoch)
		tl = append(tl, plotter.XY{X: x, Y: e.Loss})
		ta = append(ta, plotter.XY{X: x, Y: e.Acc})
		if e.ValLoss != 0 || e.ValAcc != 0 {
			vl = append(vl, plotter.XY{X: x, Y: e.ValLoss})
			va = append(va, plotter.XY{X: x, Y: e.ValAcc})
		}
	}
	var failed error
	add := func(p *plot.Plot, xy plotter.XYs, name string, k int) {
		if len(xy) == 0 || failed != nil {
			return
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			failed = fmt.Errorf("training history %q: %s: %w", title, name, err)
			return
		}
		l.Color, s.Color = Palette[k], Palette[k]
		l.Width = vg.Points(1.5)
		p.Add(l, s)
		p.Legend.Add(name, l, s)
	}
	add(loss, tl, "training", 0)
	add(loss, vl, "validation", 1)
	add(acc, ta, "training", 0)
	add(acc, va, "validation", 1)
	if failed != nil {
		return nil, failed
	}
	acc.Legend.Top = false
	acc.Legend.Left = false
	loss.Legend.Top = true
	for _, p := range []*plot.Plot{loss, acc} {
		p.Add(plotter.NewGrid())
	}
	return &Figure{Name: "history", Width: 8 * vg.Inch, Height: 3.4 * vg.Inch, Plots: [][]*plot.Plot{{loss, acc}}}, nil
}
