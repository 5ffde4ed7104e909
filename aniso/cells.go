package aniso

import (
	"fmt"
	"math"
)

// Cell is one equal-area cell of a sky map: a band of Dec (equal steps in
// sin Dec) and a range of RA, with the galaxies that fall in it.
type Cell struct {
	RAMin  float64 `json:"ra_min"`
	RAMax  float64 `json:"ra_max"`
	DecMin float64 `json:"dec_min"`
	DecMax float64 `json:"dec_max"`
	N      int     `json:"n"`
	// Mean is the mean value of the cell's galaxies (NaN when empty).
	Mean float64 `json:"mean"`
}

// Grid bins values into bands x cells equal-area cells: bands of equal
// width in sin Dec, each split into cells equal RA ranges, so that every
// cell covers 4 pi / (bands x cells) steradians.
func Grid(ra, dec, v []float64, bands, cells int) ([]Cell, error) {
	if bands < 1 || cells < 1 || bands*cells > 100_000 {
		return nil, fmt.Errorf("sky map: %d bands x %d cells: want 1..100000 cells in all", bands, cells)
	}
	if len(ra) != len(dec) || len(ra) != len(v) {
		return nil, fmt.Errorf("sky map: %d RAs, %d Decs and %d values", len(ra), len(dec), len(v))
	}
	out := make([]Cell, bands*cells)
	sum := make([]float64, len(out))
	for b := range bands {
		s0 := -1 + 2*float64(b)/float64(bands)
		s1 := -1 + 2*float64(b+1)/float64(bands)
		for c := range cells {
			out[b*cells+c] = Cell{
				RAMin: 360 * float64(c) / float64(cells), RAMax: 360 * float64(c+1) / float64(cells),
				DecMin: math.Asin(s0) * 180 / math.Pi, DecMax: math.Asin(s1) * 180 / math.Pi,
			}
		}
	}
	for i := range ra {
		b := int(math.Floor((math.Sin(dec[i]*math.Pi/180) + 1) / 2 * float64(bands)))
		b = min(max(b, 0), bands-1)
		r := math.Mod(ra[i], 360)
		if r < 0 {
			r += 360
		}
		c := min(int(r/360*float64(cells)), cells-1)
		out[b*cells+c].N++
		sum[b*cells+c] += v[i]
	}
	for k := range out {
		out[k].Mean = math.NaN()
		if out[k].N > 0 {
			out[k].Mean = sum[k] / float64(out[k].N)
		}
	}
	return out, nil
}
