package stats

import (
	"errors"
	"fmt"
	"math"
)

// Stratum is one 2x2 table of a stratified comparison: rows are the two
// groups, columns the outcome (yes, no). In skybias the groups are two test
// fields classified by one network, the outcome is "predicted spiral", and
// the strata are the galaxies' true classes.
type Stratum [2][2]int

// MantelHaenszelTest is the Cochran-Mantel-Haenszel test that the odds of
// "yes" are the same in both groups within every stratum.
type MantelHaenszelTest struct {
	// Delta is the sum over strata of the observed minus the expected
	// count of group 1's yes, given the margins.
	Delta float64
	// Variance is the sum of the strata's hypergeometric variances.
	Variance float64
	// ChiSq is the statistic with Yates' continuity correction, 1 df.
	ChiSq float64
	// Z is sign(Delta) * sqrt(ChiSq).
	Z float64
	// P is the two-sided p-value; PGreater is one-sided, against the
	// alternative that group 1 says yes more often (R's
	// mantelhaen.test(alternative = "greater")).
	P, PGreater float64
	// OddsRatio is the Mantel-Haenszel estimate of the common odds ratio
	// of group 1 against group 2 (NaN when undefined).
	OddsRatio float64
}

// PLess is the one-sided p-value against the alternative that group 1
// says yes less often.
func (t MantelHaenszelTest) PLess() float64 { return normalSF(-t.Z) }

// ErrNoInformation means no stratum could carry information: every
// stratum has one group or one outcome only.
var ErrNoInformation = errors.New("mantel-haenszel: no stratum has both groups and both outcomes")

// MantelHaenszel runs the test with continuity correction, as R's
// mantelhaen.test does by default for 2x2xK tables. Strata with fewer than
// two items are skipped; a stratum with a negative count is an error.
func MantelHaenszel(strata []Stratum) (MantelHaenszelTest, error) {
	var t MantelHaenszelTest
	var rNum, rDen float64
	for k, s := range strata {
		for _, row := range s {
			for _, v := range row {
				if v < 0 {
					return t, fmt.Errorf("mantel-haenszel: stratum %d has a negative count %d", k, v)
				}
			}
		}
		a, b, c, d := float64(s[0][0]), float64(s[0][1]), float64(s[1][0]), float64(s[1][1])
		n := a + b + c + d
		if n < 2 {
			continue
		}
		n1, n2 := a+b, c+d // group sizes
		m1, m2 := a+c, b+d // outcome totals
		t.Delta += a - n1*m1/n
		t.Variance += n1 * n2 * m1 * m2 / (n * n * (n - 1))
		rNum += a * d / n
		rDen += b * c / n
	}
	if t.Variance == 0 {
		return t, ErrNoInformation
	}
	yates := 0.0
	if math.Abs(t.Delta) >= 0.5 {
		yates = 0.5
	}
	t.ChiSq = math.Pow(math.Abs(t.Delta)-yates, 2) / t.Variance
	t.Z = math.Copysign(math.Sqrt(t.ChiSq), t.Delta)
	t.P = math.Min(1, 2*normalSF(math.Abs(t.Z)))
	t.PGreater = normalSF(t.Z)
	t.OddsRatio = math.NaN()
	if rDen > 0 {
		t.OddsRatio = rNum / rDen
	}
	return t, nil
}

// normalSF is the standard normal upper tail, accurate far into the tail.
func normalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }
