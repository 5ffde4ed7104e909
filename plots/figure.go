package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/skybias/skybias/internal/atomicfile"
)

// Figure is a drawing of one or more plots in a grid, rendered on demand
// as PNG or SVG. Figures are values: the kernel shows one inline through
// its PNG and SVG methods, the CLI writes it with Save.
type Figure struct {
	// Name is a short file name stem ("bias", "figure02").
	Name string
	// Width and Height are the drawing's size.
	Width, Height vg.Length
	// Plots are laid out in rows and columns.
	Plots [][]*plot.Plot
}

// DPI is the resolution of PNG renderings: 7 x 4.5 inch figures come out
// 672 x 432 pixels, the width of a notebook cell.
const DPI = 96

// Okabe-Ito colours: distinguishable with every common colour-vision
// deficiency.
var (
	Orange    = color.RGBA{0xE6, 0x9F, 0x00, 0xff}
	SkyBlue   = color.RGBA{0x56, 0xB4, 0xE9, 0xff}
	Green     = color.RGBA{0x00, 0x9E, 0x73, 0xff}
	Yellow    = color.RGBA{0xF0, 0xE4, 0x42, 0xff}
	Blue      = color.RGBA{0x00, 0x72, 0xB2, 0xff}
	Vermilion = color.RGBA{0xD5, 0x5E, 0x00, 0xff}
	Purple    = color.RGBA{0xCC, 0x79, 0xA7, 0xff}
	Black     = color.RGBA{0, 0, 0, 0xff}
	Grey      = color.RGBA{0x80, 0x80, 0x80, 0xff}
	// Palette orders the colours for series.
	Palette = []color.Color{Blue, Vermilion, Green, Orange, Purple, SkyBlue, Yellow, Black}
)

func (f *Figure) render(c vg.CanvasWriterTo) []byte {
	dc := draw.New(c)
	rows := len(f.Plots)
	cols := 0
	for _, r := range f.Plots {
		cols = max(cols, len(r))
	}
	if rows == 1 && cols == 1 {
		f.Plots[0][0].Draw(dc)
	} else {
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canvases := plot.Align(f.Plots, tiles, dc)
		for i := range f.Plots {
			for j, p := range f.Plots[i] {
				if p != nil {
					p.Draw(canvases[i][j])
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		panic(fmt.Sprintf("plots: rendering %s: %v", f.Name, err)) // in-memory writes do not fail
	}
	return buf.Bytes()
}

// PNG renders the figure as a PNG image.
func (f *Figure) PNG() []byte {
	return f.render(vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DPI))})
}

// SVG renders the figure as an SVG document.
func (f *Figure) SVG() string {
	return string(f.render(vgsvg.New(f.Width, f.Height)))
}

// Save writes the figure to a .png or .svg file (by its extension),
// atomically.
func (f *Figure) Save(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return atomicfile.WriteFile(path, f.PNG())
	case ".svg":
		return atomicfile.WriteFile(path, []byte(f.SVG()))
	}
	return fmt.Errorf("figure %s: %s: want a .png or .svg file name", f.Name, path)
}

// SaveBoth writes dir/NAME.png and dir/NAME.svg.
func (f *Figure) SaveBoth(dir string) error {
	for _, ext := range []string{".png", ".svg"} {
		if err := f.Save(filepath.Join(dir, f.Name+ext)); err != nil {
			return err
		}
	}
	return nil
}

// newPlot makes a plot with the house style: title, labelled axes, a
// legend that sits outside the data where asked.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Y.Label.TextStyle.Font.Size = vg.Points(10)
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	return p
}

// Must returns the figure, or panics with the error: for notebook cells,
// where a panic shows as the cell's error, as in
// plots.Must(plots.BiasChart(title, rows)).
func Must(f *Figure, err error) *Figure {
	if err != nil {
		panic(err)
	}
	return f
}
