package stats

import (
	"errors"
	"math"
	"sort"
)

// KSTest is the one-sample Kolmogorov-Smirnov test of p-values against
// the uniform distribution on [0, 1].
type KSTest struct {
	N int
	// D is the largest distance between the empirical and the uniform
	// distribution function.
	D float64
	// P is the two-sided p-value, from the Kolmogorov distribution with
	// Stephens' small-sample correction (accurate to about 0.01 for
	// n >= 5).
	P float64
}

// KSUniform tests whether ps (p-values from repeats of a null study)
// look uniform: a calibrated test gives uniform p-values on null data.
func KSUniform(ps []float64) (KSTest, error) {
	n := len(ps)
	if n < 2 {
		return KSTest{}, errors.New("ks: need at least 2 values")
	}
	s := append([]float64(nil), ps...)
	sort.Float64s(s)
	var d float64
	for i, x := range s {
		if math.IsNaN(x) || x < 0 || x > 1 {
			return KSTest{}, errors.New("ks: values must lie in [0, 1]")
		}
		d = math.Max(d, math.Max(float64(i+1)/float64(n)-x, x-float64(i)/float64(n)))
	}
	return KSTest{N: n, D: d, P: ksP(n, d)}, nil
}

// ksP is the p-value of a KS distance d from n values.
func ksP(n int, d float64) float64 {
	sn := math.Sqrt(float64(n))
	return kolmogorovSF((sn + 0.12 + 0.11/sn) * d)
}

// kolmogorovSF is P(K > x) for the Kolmogorov distribution.
func kolmogorovSF(x float64) float64 {
	if x < 0.2 {
		return 1
	}
	var s float64
	for k := 1; k <= 100; k++ {
		t := 2 * math.Exp(-2*float64(k*k)*x*x)
		if k%2 == 0 {
			t = -t
		}
		s += t
		if math.Abs(t) < 1e-16 {
			break
		}
	}
	return math.Min(1, math.Max(0, s))
}
