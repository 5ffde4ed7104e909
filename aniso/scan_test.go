package aniso

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skybias/skybias/stats"
)

// TestScanFindsAnInjectedDipole: the scan's best axis lies within 15
// degrees of a dipole put into a full-sky catalog, and both its P values
// call it.
func TestScanFindsAnInjectedDipole(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	ra, dec := fullSky(r, 3000)
	axis := Direction{RA: 140, Dec: -20}
	a := axis.Unit()
	v := make([]float64, len(ra))
	for i := range v {
		v[i] = 0.5 + 0.08*dot3(Direction{ra[i], dec[i]}.Unit(), a) + 0.3*r.NormFloat64()
	}
	s, err := ScanAxes(context.Background(), ra, dec, v, 2000, Options{Permutations: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sep := Separation(s.Best, axis); sep > 15 || s.P > 0.01 || s.PUncorrected > 1e-4 {
		t.Errorf("best axis %+v (%.1f deg off), P %.3g, uncorrected %.3g", s.Best, sep, s.P, s.PUncorrected)
	}
}

// TestScanFalsePositives: on isotropic full-sky catalogs, the best
// axis's own P calls far more than 5% of them anisotropic (the look-
// elsewhere effect of quoting the best of a scan); the permutation P,
// which repeats the scan on permuted values, stays near 5%.
func TestScanFalsePositives(t *testing.T) {
	if testing.Short() {
		t.Skip("400 catalogs")
	}
	r := rand.New(rand.NewPCG(12, 13))
	const catalogs = 400
	uncorrected, corrected := 0, 0
	for c := range catalogs {
		ra, dec := fullSky(r, 1000)
		v := make([]float64, len(ra))
		for i := range v {
			v[i] = 0.5 + 0.3*r.NormFloat64()
		}
		s, err := ScanAxes(context.Background(), ra, dec, v, 1000, Options{Permutations: 100, Seed: uint64(c)})
		if err != nil {
			t.Fatal(err)
		}
		if s.PUncorrected < 0.05 {
			uncorrected++
		}
		if s.P < 0.05 {
			corrected++
		}
	}
	ul, uh := stats.ClopperPearson(uncorrected, catalogs, 0.05)
	cl, ch := stats.ClopperPearson(corrected, catalogs, 0.05)
	t.Logf("isotropic catalogs called at P < 0.05: best axis's own P %d of %d = %.3f [%.3f, %.3f]; scan-corrected P %d of %d = %.3f [%.3f, %.3f]",
		uncorrected, catalogs, float64(uncorrected)/catalogs, ul, uh, corrected, catalogs, float64(corrected)/catalogs, cl, ch)
	if ul < 0.1 {
		t.Errorf("the uncorrected scan called %d of %d; want far above 5%%", uncorrected, catalogs)
	}
	if cl < 0.01 || ch > 0.09 || math.IsNaN(cl) {
		t.Errorf("the corrected scan called %d of %d [%.3f, %.3f]; want the interval within [0.01, 0.09]", corrected, catalogs, cl, ch)
	}
}
