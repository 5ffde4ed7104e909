package healpix

import (
	"fmt"
	"io"
	"math"

	"github.com/skybias/skybias/fitstable"
)

// Unseen marks a pixel without data, as healpy's UNSEEN does.
const Unseen = -1.6375e30

// Column is one map of a HEALPix file: a value per pixel, NaN where a
// pixel has no data (written as Unseen).
type Column struct {
	Name, Unit string
	Values     []float64
}

// Bin counts the galaxies at (ra, dec) in each pixel and averages each
// value column per pixel (NaN where a pixel holds none). values[k][i] is
// galaxy i's k-th value; a NaN value is left out of its mean.
func Bin(nside int, o Order, ra, dec []float64, values [][]float64) (counts []float64, means [][]float64, err error) {
	if err := CheckNside(nside); err != nil {
		return nil, nil, err
	}
	n := Npix(nside)
	counts = make([]float64, n)
	sums := make([][]float64, len(values))
	nums := make([][]float64, len(values))
	for k := range values {
		if len(values[k]) != len(ra) {
			return nil, nil, fmt.Errorf("healpix: value column %d has %d entries for %d positions", k+1, len(values[k]), len(ra))
		}
		sums[k], nums[k] = make([]float64, n), make([]float64, n)
	}
	for i := range ra {
		if math.IsNaN(ra[i]) || math.IsNaN(dec[i]) || dec[i] < -90 || dec[i] > 90 {
			return nil, nil, fmt.Errorf("healpix: galaxy %d at (%g, %g) is not a position", i+1, ra[i], dec[i])
		}
		p := Pixel(nside, o, ra[i], dec[i])
		counts[p]++
		for k := range values {
			if v := values[k][i]; !math.IsNaN(v) {
				sums[k][p] += v
				nums[k][p]++
			}
		}
	}
	means = make([][]float64, len(values))
	for k := range values {
		means[k] = make([]float64, n)
		for p := range means[k] {
			means[k][p] = math.NaN()
			if nums[k][p] > 0 {
				means[k][p] = sums[k][p] / nums[k][p]
			}
		}
	}
	return counts, means, nil
}

// WriteMap writes columns, each a full-sky map of nside in order o in
// equatorial coordinates, as a HEALPix FITS file (a binary table of one
// row per pixel, implicit indexing), with keys as extra header keywords
// (provenance).
func WriteMap(w io.Writer, nside int, o Order, cols []Column, keys []fitstable.Card) error {
	if err := CheckNside(nside); err != nil {
		return err
	}
	n := Npix(nside)
	fc := make([]fitstable.Column, len(cols))
	for i, c := range cols {
		if len(c.Values) != n {
			return fmt.Errorf("healpix: map %s has %d pixels, not the %d of nside %d", c.Name, len(c.Values), n, nside)
		}
		fc[i] = fitstable.Column{Name: c.Name, Kind: 'D', Unit: c.Unit}
	}
	head := append([]fitstable.Card{
		{Key: "PIXTYPE", Value: "HEALPIX", Comment: "HEALPix pixelisation"},
		{Key: "ORDERING", Value: o.String(), Comment: "pixel ordering scheme"},
		{Key: "NSIDE", Value: nside, Comment: "resolution parameter"},
		{Key: "FIRSTPIX", Value: 0, Comment: "first pixel (0 based)"},
		{Key: "LASTPIX", Value: n - 1, Comment: "last pixel (0 based)"},
		{Key: "INDXSCHM", Value: "IMPLICIT", Comment: "one row per pixel, in order"},
		{Key: "OBJECT", Value: "FULLSKY", Comment: "the whole sky"},
		{Key: "COORDSYS", Value: "C", Comment: "celestial (equatorial, RA and Dec)"},
		{Key: "BAD_DATA", Value: Unseen, Comment: "pixels without data"},
	}, keys...)
	return fitstable.Write(w, "HEALPIX", fc, head, n, func(p int, nums []float64, _ []string) error {
		for i, c := range cols {
			v := c.Values[p]
			if math.IsNaN(v) {
				v = Unseen
			}
			nums[i] = v
		}
		return nil
	})
}
