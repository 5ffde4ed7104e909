package stats

import (
	"errors"
	"math"
)

// WelchTest is Welch's two-sample t-test (unequal variances).
type WelchTest struct {
	T, DF float64
	// P is the two-sided p-value.
	P float64
	// MeanA and MeanB are the sample means.
	MeanA, MeanB float64
}

// Welch tests whether two samples have the same mean without assuming
// equal variances: here, p(spiral) over repeats of two designs, which
// allows for the spread between independently trained networks.
func Welch(a, b []float64) (WelchTest, error) {
	if len(a) < 2 || len(b) < 2 {
		return WelchTest{}, errors.New("welch: each sample needs at least 2 values")
	}
	sa, sb := Summarise(a), Summarise(b)
	va, vb := sa.SD*sa.SD/float64(sa.N), sb.SD*sb.SD/float64(sb.N)
	w := WelchTest{MeanA: sa.Mean, MeanB: sb.Mean}
	se := math.Sqrt(va + vb)
	if se == 0 {
		if sa.Mean == sb.Mean {
			w.P = 1
		}
		w.T = math.Inf(1)
		return w, nil
	}
	w.T = (sa.Mean - sb.Mean) / se
	w.DF = (va + vb) * (va + vb) / (va*va/float64(sa.N-1) + vb*vb/float64(sb.N-1))
	w.P = math.Min(1, 2*StudentTSF(math.Abs(w.T), w.DF))
	return w, nil
}

// StudentTSF is P(T >= t) for Student's t with df degrees of freedom.
func StudentTSF(t, df float64) float64 {
	p := 0.5 * RegIncBeta(df/2, 0.5, df/(df+t*t))
	if t < 0 {
		return 1 - p
	}
	return p
}

// RegIncBeta is the regularised incomplete beta function I_x(a, b),
// by its continued fraction (modified Lentz), using the symmetry
// I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
func RegIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log1p(-x))
	if x > (a+1)/(a+b+2) {
		return 1 - front*betaCF(b, a, 1-x)/b
	}
	return front * betaCF(a, b, x) / a
}

func betaCF(a, b, x float64) float64 {
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < lentzTiny {
		d = lentzTiny
	}
	d = 1 / d
	h := d
	for m := 1; m < 10000; m++ {
		fm := float64(m)
		var del float64
		c, d, del = lentzStep(fm*(b-fm)*x/((a+2*fm-1)*(a+2*fm)), 1, c, d)
		h *= del
		c, d, del = lentzStep(-(a+fm)*(a+b+fm)*x/((a+2*fm)*(a+2*fm+1)), 1, c, d)
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return h
}
