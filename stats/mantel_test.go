package stats

import (
	"errors"
	"math"
	"testing"
)

// Reference values from statsmodels 0.13.5 (Debian python3-statsmodels):
// StratifiedTable(tables).test_null_odds(correction=True) for the statistic
// and two-sided P, oddsratio_pooled for the odds ratio, and SciPy 1.10.1
// norm.sf(sign(delta) * sqrt(statistic)) for the one-sided P (R's
// alternative = "greater"). statsmodels prints the first two-sided P as 0
// (it subtracts the CDF from 1), so that row checks 2 * the one-sided P.
func TestMantelHaenszel(t *testing.T) {
	cases := []struct {
		name     string
		strata   []Stratum
		chi, p   float64
		greater  float64
		oddsRate float64
	}{
		{"strong shift", []Stratum{{{345, 655}, {120, 880}}, {{900, 100}, {700, 300}}}, 265.4593444257724, 2 * 5.540206434953518e-60, 5.540206434953518e-60, 3.860026917900404},
		{"three small strata", []Stratum{{{12, 30}, {8, 35}}, {{20, 5}, {15, 9}}, {{3, 7}, {4, 2}}}, 0.7685982410932858, 0.3806510472663427, 0.1903255236331713, 1.4727125227395643},
		{"null-like", []Stratum{{{505, 495}, {498, 502}}, {{880, 120}, {871, 129}}}, 0.3132159694705395, 0.5757134103699394, 0.28785670518496964, 1.0455801498447426},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := MantelHaenszel(c.strata)
			if err != nil {
				t.Fatal(err)
			}
			if !close(m.ChiSq, c.chi, 1e-10) || !close(m.P, c.p, 1e-8) || !close(m.PGreater, c.greater, 1e-8) || !close(m.OddsRatio, c.oddsRate, 1e-10) {
				t.Errorf("got chi2 %.16g P %.16g greater %.16g OR %.16g", m.ChiSq, m.P, m.PGreater, m.OddsRatio)
			}
			if !close(m.PGreater+m.PLess(), 1, 1e-12) {
				t.Errorf("one-sided P values %g + %g do not sum to 1", m.PGreater, m.PLess())
			}
		})
	}
	// Swapping the groups flips the direction and nothing else.
	m, _ := MantelHaenszel([]Stratum{{{345, 655}, {120, 880}}})
	s, _ := MantelHaenszel([]Stratum{{{120, 880}, {345, 655}}})
	if !close(m.ChiSq, s.ChiSq, 1e-12) || !close(m.PGreater, s.PLess(), 1e-12) || m.Z <= 0 || s.Z >= 0 {
		t.Errorf("swapped groups: %+v vs %+v", m, s)
	}
}

func TestMantelHaenszelBadInput(t *testing.T) {
	for _, c := range []struct {
		name   string
		strata []Stratum
	}{
		{"empty", nil},
		{"one outcome only", []Stratum{{{10, 0}, {12, 0}}}},
		{"one group only", []Stratum{{{10, 5}, {0, 0}}}},
	} {
		if _, err := MantelHaenszel(c.strata); !errors.Is(err, ErrNoInformation) {
			t.Errorf("%s: error %v, want ErrNoInformation", c.name, err)
		}
	}
	if _, err := MantelHaenszel([]Stratum{{{1, -1}, {3, 4}}}); err == nil {
		t.Error("negative count accepted")
	}
	// A stratum without information is skipped, not an error.
	m, err := MantelHaenszel([]Stratum{{{10, 0}, {12, 0}}, {{345, 655}, {120, 880}}})
	if err != nil || math.IsNaN(m.Z) {
		t.Errorf("uninformative stratum beside an informative one: %v %+v", err, m)
	}
}
