package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SkyRegion is a box on the sky with a value to show: the fraction of its
// test galaxies predicted spiral.
type SkyRegion struct {
	Name           string
	RAMin, RAMax   float64 // degrees; RAMin > RAMax wraps through 0
	DecMin, DecMax float64
	Value          float64 // predicted spiral fraction
	N              int     // galaxies behind the value
	Label          string  // extra text under the name
}

// aitoff projects RA/Dec (degrees) to the plane: RA 180 at the centre and
// increasing to the left, as on the sky seen from inside.
func aitoff(ra, dec float64) (float64, float64) {
	for ra < 0 {
		ra += 360
	}
	for ra > 360 {
		ra -= 360
	}
	lam := -(ra - 180) * math.Pi / 180
	phi := dec * math.Pi / 180
	alpha := math.Acos(math.Cos(phi) * math.Cos(lam/2))
	sinc := 1.0
	if alpha != 0 {
		sinc = math.Sin(alpha) / alpha
	}
	return 2 * math.Cos(phi) * math.Sin(lam/2) / sinc, math.Sin(phi) / sinc
}

// SkyMap draws regions on an all-sky Aitoff projection, each filled by
// its predicted spiral fraction on a blue (elliptical-leaning) to
// vermilion (spiral-leaning) scale centred on 0.5, so that a fake
// anisotropy shows at a glance.
func SkyMap(title string, regions []SkyRegion) (*Figure, error) {
	for _, r := range regions {
		for _, v := range []float64{r.RAMin, r.RAMax, r.DecMin, r.DecMax, r.Value} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("sky map %q: region %s has a value that is not a number (RA %g..%g, Dec %g..%g, value %g)", title, r.Name, r.RAMin, r.RAMax, r.DecMin, r.DecMax, r.Value)
			}
		}
		if r.DecMin < -90 || r.DecMax > 90 || r.DecMin >= r.DecMax {
			return nil, fmt.Errorf("sky map %q: region %s: Dec %g..%g is not a range within -90..90", title, r.Name, r.DecMin, r.DecMax)
		}
	}
	p, err := skyAxes(title)
	if err != nil {
		return nil, err
	}
	pal := diverging{}.Colors()
	var lab plotter.XYs
	var labels []string
	for _, r := range regions {
		// A box that wraps through RA 0 is drawn as its two halves, since
		// RA 0 is the map's edge.
		pieces := [][2]float64{{r.RAMin, r.RAMax}}
		if r.RAMin > r.RAMax {
			pieces = [][2]float64{{r.RAMin, 360}, {0, r.RAMax}}
		}
		// The colour scale spans 0.5 +- 0.15: shifts of a few per cent show.
		t := math.Min(1, math.Max(0, 0.5+(r.Value-0.5)/0.3))
		fill := pal[int(math.Round(t*float64(len(pal)-1)))]
		widest := pieces[0]
		for _, pc := range pieces {
			if pc[1]-pc[0] > widest[1]-widest[0] {
				widest = pc
			}
			poly, err := boxPolygon(pc[0], pc[1], r.DecMin, r.DecMax)
			if err != nil {
				return nil, fmt.Errorf("sky map %q: region %s: %w", title, r.Name, err)
			}
			poly.Color = fill
			poly.LineStyle = draw.LineStyle{Color: Black, Width: vg.Points(0.8)}
			p.Add(poly)
		}
		cx, cy := aitoff((widest[0]+widest[1])/2, (r.DecMin+r.DecMax)/2)
		lab = append(lab, plotter.XY{X: cx, Y: cy})
		text := fmt.Sprintf("%s\n%.3f", r.Name, r.Value)
		if r.Label != "" {
			text += "\n" + r.Label
		}
		labels = append(labels, text)
	}
	if len(lab) > 0 {
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: lab, Labels: labels})
		if err != nil {
			return nil, fmt.Errorf("sky map %q: labels: %w", title, err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = draw.XCenter
			l.TextStyle[i].YAlign = draw.YCenter
			l.TextStyle[i].Font.Size = vg.Points(8)
		}
		p.Add(l)
	}
	p.Title.Text = title + "\n(fill: predicted spiral fraction, blue < 0.5 < vermilion)"
	return &Figure{Name: "skymap", Width: 8 * vg.Inch, Height: 4.6 * vg.Inch, Plots: [][]*plot.Plot{{p}}}, nil
}

// boxPolygon outlines an RA/Dec box (ra0 < ra1) on the projection.
func boxPolygon(ra0, ra1, dec0, dec1 float64) (*plotter.Polygon, error) {
	var ring plotter.XYs
	const steps = 24
	add := func(ra, dec float64) {
		x, y := aitoff(ra, dec)
		ring = append(ring, plotter.XY{X: x, Y: y})
	}
	for i := 0; i <= steps; i++ {
		add(ra0+(ra1-ra0)*float64(i)/steps, dec0)
	}
	for i := 0; i <= steps; i++ {
		add(ra1, dec0+(dec1-dec0)*float64(i)/steps)
	}
	for i := steps; i >= 0; i-- {
		add(ra0+(ra1-ra0)*float64(i)/steps, dec1)
	}
	for i := steps; i >= 0; i-- {
		add(ra0, dec0+(dec1-dec0)*float64(i)/steps)
	}
	return plotter.NewPolygon(ring)
}

// skyAxes is an empty all-sky Aitoff map: the outline, a dashed grid
// every 60 degrees of RA and 30 of Dec, and RA labels along the equator.
func skyAxes(title string) (*plot.Plot, error) {
	p := newPlot(title, "", "")
	p.HideAxes()
	if err := addSkyGrid(p, title); err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = -math.Pi*1.02, math.Pi*1.02
	p.Y.Min, p.Y.Max = -math.Pi/2*1.05, math.Pi/2*1.05
	return p, nil
}

// addSkyGrid draws the map's outline, grid and RA labels onto p.
func addSkyGrid(p *plot.Plot, title string) error {
	grid := draw.LineStyle{Color: Grey, Width: vg.Points(0.4), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	var failed error
	line := func(pts plotter.XYs, st draw.LineStyle) {
		l, err := plotter.NewLine(pts)
		if err != nil {
			failed = err
			return
		}
		l.LineStyle = st
		p.Add(l)
	}
	for ra := 0.0; ra < 360; ra += 60 {
		var pts plotter.XYs
		for dec := -90.0; dec <= 90; dec += 3 {
			x, y := aitoff(ra+1e-9, dec)
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		line(pts, grid)
	}
	for dec := -60.0; dec <= 60; dec += 30 {
		var pts plotter.XYs
		for ra := 0.0; ra <= 360; ra += 3 {
			x, y := aitoff(ra-180+180.0001, dec)
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		line(pts, grid)
	}
	var edge plotter.XYs
	for t := 0.0; t <= 2*math.Pi+1e-9; t += math.Pi / 90 {
		edge = append(edge, plotter.XY{X: math.Pi * math.Cos(t), Y: math.Pi / 2 * math.Sin(t)})
	}
	line(edge, draw.LineStyle{Color: Black, Width: vg.Points(1)})
	if failed != nil {
		return fmt.Errorf("sky map %q: grid: %w", title, failed)
	}
	for _, ra := range []float64{0, 60, 120, 180, 240, 300} {
		x, y := aitoff(ra+0.001, 0)
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: y - 0.12}}, Labels: []string{fmt.Sprintf("%g°", ra)}})
		if err != nil {
			return fmt.Errorf("sky map %q: RA labels: %w", title, err)
		}
		l.TextStyle[0].Font.Size = vg.Points(7)
		l.TextStyle[0].Color = Grey
		p.Add(l)
	}
	return nil
}
