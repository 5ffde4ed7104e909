package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/sky"
)

// Sheet is a contact sheet: rows of cutouts, each row labelled.
type Sheet struct {
	Title  string
	Rows   [][]*sky.Image
	Labels []string
	// Scale enlarges each cutout by an integer factor (1 when zero).
	Scale int
}

const sheetPad, sheetLabelW, sheetTitleH = 4, 150, 22

// Image draws the sheet.
func (s *Sheet) Image() *image.RGBA {
	scale := max(s.Scale, 1)
	cell, cols := 0, 0
	for _, row := range s.Rows {
		cols = max(cols, len(row))
		for _, im := range row {
			cell = max(cell, im.Size*scale)
		}
	}
	w := sheetLabelW + cols*(cell+sheetPad) + sheetPad
	h := sheetTitleH + len(s.Rows)*(cell+sheetPad) + sheetPad
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	text(out, sheetPad, 15, s.Title)
	for r, row := range s.Rows {
		y := sheetTitleH + r*(cell+sheetPad)
		if r < len(s.Labels) {
			text(out, sheetPad, y+cell/2+4, s.Labels[r])
		}
		for c, im := range row {
			x := sheetLabelW + c*(cell+sheetPad)
			src := im.RGBA()
			for yy := 0; yy < im.Size*scale; yy++ {
				for xx := 0; xx < im.Size*scale; xx++ {
					out.Set(x+xx, y+yy, src.At(xx/scale, yy/scale))
				}
			}
		}
	}
	return out
}

func text(dst draw.Image, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// PNG encodes the sheet as PNG.
func (s *Sheet) PNG() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, s.Image()); err != nil {
		panic(err) // encoding an in-memory RGBA image cannot fail
	}
	return buf.Bytes()
}

// Save writes the sheet as a PNG file, atomically.
func (s *Sheet) Save(path string) error {
	if ext := filepath.Ext(path); ext != ".png" {
		return fmt.Errorf("contact sheet %s: only .png is supported, not %q", path, ext)
	}
	return atomicfile.WriteFile(path, s.PNG())
}
