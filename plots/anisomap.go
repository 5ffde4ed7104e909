package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MapCell is one cell of a binned sky map and the mean value of its
// galaxies.
type MapCell struct {
	RAMin, RAMax   float64 // degrees, RAMin < RAMax
	DecMin, DecMax float64
	N              int
	Value          float64
}

// SkyMarker marks a direction on a sky map: a dipole's axis, a design's.
type SkyMarker struct {
	RA, Dec float64
	Label   string
	// Glyph is "+" for where a dipole points, "x" for its other end, "o"
	// for a predicted direction.
	Glyph string
}

// MapPanel is one map of AnisotropyMaps.
type MapPanel struct {
	Title   string
	Cells   []MapCell
	Markers []SkyMarker
}

// AnisotropyMaps (title names the figure in errors) draws catalogs' values on all-sky Aitoff maps side by
// side, each cell filled on one blue-white-vermilion scale centred on
// centre and spanning +-span (shared by the panels, so that they can be
// compared), empty cells left white, with the markers on top.
func AnisotropyMaps(title string, centre, span float64, panels []MapPanel) (*Figure, error) {
	if len(panels) == 0 || len(panels) > 4 {
		return nil, fmt.Errorf("anisotropy map %q: %d panels; want 1..4", title, len(panels))
	}
	if !(span > 0) || math.IsNaN(centre) || math.IsInf(centre, 0) || math.IsInf(span, 0) {
		return nil, fmt.Errorf("anisotropy map %q: colour scale %g +- %g", title, centre, span)
	}
	pal := diverging{}.Colors()
	row := make([]*plot.Plot, len(panels))
	for k, pn := range panels {
		p := newPlot(pn.Title, "", "")
		p.HideAxes()
		for _, c := range pn.Cells {
			if c.N == 0 || math.IsNaN(c.Value) {
				continue
			}
			if c.DecMin < -90 || c.DecMax > 90 || c.DecMin >= c.DecMax || c.RAMin >= c.RAMax {
				return nil, fmt.Errorf("anisotropy map %q: cell RA %g..%g, Dec %g..%g is not a box", pn.Title, c.RAMin, c.RAMax, c.DecMin, c.DecMax)
			}
			poly, err := boxPolygon(c.RAMin, c.RAMax, c.DecMin, c.DecMax)
			if err != nil {
				return nil, fmt.Errorf("anisotropy map %q: %w", pn.Title, err)
			}
			t := math.Min(1, math.Max(0, 0.5+(c.Value-centre)/(2*span)))
			poly.Color = pal[int(math.Round(t*float64(len(pal)-1)))]
			poly.LineStyle = draw.LineStyle{Color: poly.Color, Width: vg.Points(0.2)}
			p.Add(poly)
		}
		if err := addSkyGrid(p, pn.Title); err != nil {
			return nil, err
		}
		p.X.Min, p.X.Max = -math.Pi*1.02, math.Pi*1.02
		p.Y.Min, p.Y.Max = -math.Pi/2*1.05, math.Pi/2*1.05
		for _, m := range pn.Markers {
			if math.IsNaN(m.RA) || math.IsNaN(m.Dec) || m.Dec < -90 || m.Dec > 90 {
				return nil, fmt.Errorf("anisotropy map %q: marker %s at RA %g, Dec %g", pn.Title, m.Label, m.RA, m.Dec)
			}
			x, y := aitoff(m.RA, m.Dec)
			sc, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: Black, Radius: vg.Points(6), Shape: draw.PlusGlyph{}}
			switch m.Glyph {
			case "x":
				sc.GlyphStyle.Shape = draw.CrossGlyph{}
			case "o":
				sc.GlyphStyle = draw.GlyphStyle{Color: Green, Radius: vg.Points(7), Shape: draw.RingGlyph{}}
			}
			p.Add(sc)
			if m.Label != "" {
				l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: y + 0.14}}, Labels: []string{m.Label}})
				if err != nil {
					return nil, err
				}
				l.TextStyle[0].Font.Size = vg.Points(8)
				l.TextStyle[0].XAlign = draw.XCenter
				p.Add(l)
			}
		}
		p.Title.Text = fmt.Sprintf("%s\n(blue %.3f, white %.3f, vermilion %.3f; + dipole, x its other end, o design)", pn.Title, centre-span, centre, centre+span)
		row[k] = p
	}
	return &Figure{Name: "anisotropy", Width: vg.Length(len(panels)) * 6 * vg.Inch, Height: 3.6 * vg.Inch, Plots: [][]*plot.Plot{row}}, nil
}
