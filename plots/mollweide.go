package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// mollweide projects RA/Dec (degrees) to the Mollweide plane (x within
// ±2√2, y within ±√2): RA 180 at the centre and increasing to the left,
// as on the sky seen from inside.
func mollweide(ra, dec float64) (float64, float64) {
	lam := -(math.Mod(ra+360, 360) - 180) * math.Pi / 180
	phi := dec * math.Pi / 180
	// 2t + sin 2t = pi sin phi, by Newton's method (t = phi at the poles).
	t := phi
	if math.Abs(phi) < math.Pi/2-1e-9 {
		for range 50 {
			f := 2*t + math.Sin(2*t) - math.Pi*math.Sin(phi)
			d := 2 + 2*math.Cos(2*t)
			if d == 0 {
				break
			}
			t -= f / d
			if math.Abs(f) < 1e-12 {
				break
			}
		}
	}
	return 2 * math.Sqrt2 / math.Pi * lam * math.Cos(t), math.Sqrt2 * math.Sin(t)
}

// unmollweide is the direction (degrees) at a point of the Mollweide
// plane, false outside the ellipse.
func unmollweide(x, y float64) (ra, dec float64, ok bool) {
	if math.Abs(y) >= math.Sqrt2 {
		return 0, 0, false
	}
	t := math.Asin(y / math.Sqrt2)
	lam := math.Pi * x / (2 * math.Sqrt2 * math.Cos(t))
	if math.Abs(lam) > math.Pi {
		return 0, 0, false
	}
	s := (2*t + math.Sin(2*t)) / math.Pi
	dec = math.Asin(math.Max(-1, math.Min(1, s))) * 180 / math.Pi
	ra = math.Mod(180-lam*180/math.Pi+360, 360)
	return ra, dec, true
}

// SkyFunction draws a value defined at every direction (a HEALPix map
// looked up by position: valueAt returns false where there is none, an
// unseen pixel) on an all-sky Mollweide projection, raster-filled on the
// blue-white-vermilion scale centred on centre and spanning ±span, pale
// grey where there is no value, with a graticule every 60 degrees of RA
// and 30 of Dec. label says what the value is.
func SkyFunction(title, label string, centre, span float64, valueAt func(ra, dec float64) (float64, bool)) (*Figure, error) {
	if !(span > 0) || math.IsNaN(centre) || math.IsInf(centre, 0) || math.IsInf(span, 0) {
		return nil, fmt.Errorf("sky map %q: colour scale %g +- %g", title, centre, span)
	}
	const w, h = 720, 360
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	pal := diverging{}.Colors()
	none := color.RGBA{R: 225, G: 225, B: 225, A: 255}
	xmax, ymax := 2*math.Sqrt2, math.Sqrt2
	for j := range h {
		y := ymax - (float64(j)+0.5)/h*2*ymax
		for i := range w {
			x := -xmax + (float64(i)+0.5)/w*2*xmax
			ra, dec, ok := unmollweide(x, y)
			if !ok {
				continue // transparent outside the sky
			}
			v, has := valueAt(ra, dec)
			if !has || math.IsNaN(v) {
				img.Set(i, j, none)
				continue
			}
			t := math.Min(1, math.Max(0, 0.5+(v-centre)/(2*span)))
			img.Set(i, j, pal[int(math.Round(t*float64(len(pal)-1)))])
		}
	}
	p := newPlot(fmt.Sprintf("%s\n(%s: blue %.3f, white %.3f, vermilion %.3f; grey: none)", title, label, centre-span, centre, centre+span), "", "")
	p.HideAxes()
	p.Add(plotter.NewImage(img, -xmax, -ymax, xmax, ymax))
	grid := draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(0.4), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	line := func(pts func(k int) (float64, float64), n int) error {
		xy := make(plotter.XYs, n+1)
		for k := range xy {
			xy[k].X, xy[k].Y = mollweide(pts(k))
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("sky map %q: %w", title, err)
		}
		l.LineStyle = grid
		p.Add(l)
		return nil
	}
	for _, dec := range []float64{-60, -30, 0, 30, 60} {
		if err := line(func(k int) (float64, float64) { return 180.0001 + float64(k)*359.9998/120, dec }, 120); err != nil {
			return nil, err
		}
	}
	for _, ra := range []float64{60, 120, 180, 240, 300} {
		if err := line(func(k int) (float64, float64) { return ra, -90 + float64(k)*180/90 }, 90); err != nil {
			return nil, err
		}
	}
	// The outline, RA 0 = 360 at every Dec: an ellipse.
	outline := make(plotter.XYs, 181)
	for k := range outline {
		a := 2 * math.Pi * float64(k) / 180
		outline[k].X, outline[k].Y = xmax*math.Cos(a), ymax*math.Sin(a)
	}
	ol, err := plotter.NewLine(outline)
	if err != nil {
		return nil, fmt.Errorf("sky map %q: %w", title, err)
	}
	ol.LineStyle = draw.LineStyle{Color: Black, Width: vg.Points(0.8)}
	p.Add(ol)
	var lab plotter.XYs
	var labels []string
	for _, ra := range []float64{60, 120, 180, 240, 300} {
		x, y := mollweide(ra, 0)
		lab = append(lab, plotter.XY{X: x, Y: y})
		labels = append(labels, fmt.Sprintf("%.0f°", ra))
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: lab, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(8)
		l.TextStyle[i].XAlign = draw.XCenter
	}
	p.Add(l)
	p.X.Min, p.X.Max = -xmax*1.02, xmax*1.02
	p.Y.Min, p.Y.Max = -ymax*1.05, ymax*1.05
	return &Figure{Name: "skyfunction", Width: 8 * vg.Inch, Height: 4.6 * vg.Inch, Plots: [][]*plot.Plot{{p}}}, nil
}
