package plots

import (
	"image/color"

	"gonum.org/v1/plot/palette"
)

// White is used for text on dark cells.
var White = color.RGBA{0xff, 0xff, 0xff, 0xff}

// blues is a sequential white-to-blue palette (readable in grey scale and
// for every colour-vision deficiency).
type blues struct{}

func (blues) Colors() []color.Color {
	const n = 64
	out := make([]color.Color, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = color.RGBA{uint8(247 - t*(247-8)), uint8(251 - t*(251-48)), uint8(255 - t*(255-107)), 0xff}
	}
	return out
}

// diverging runs blue (low) through white to vermilion (high): spiral
// fractions below and above one half.
type diverging struct{}

func (diverging) Colors() []color.Color {
	const n = 65
	out := make([]color.Color, n)
	lo, mid, hi := [3]float64{0x00, 0x72, 0xB2}, [3]float64{0xf7, 0xf7, 0xf7}, [3]float64{0xD5, 0x5E, 0x00}
	for i := range out {
		t := float64(i)/float64(n-1)*2 - 1
		a, b := mid, hi
		if t < 0 {
			a, b, t = mid, lo, -t
		}
		out[i] = color.RGBA{uint8(a[0] + t*(b[0]-a[0])), uint8(a[1] + t*(b[1]-a[1])), uint8(a[2] + t*(b[2]-a[2])), 0xff}
	}
	return out
}

var _ palette.Palette = blues{}
var _ palette.Palette = diverging{}
