package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// Holm adjusts p-values for a family of tests by Holm's step-down method:
// the k-th smallest of m p-values is multiplied by m-k+1, the results made
// non-decreasing in that order and capped at 1. A test is significant at
// family-wise level alpha when its adjusted p-value is below alpha. The
// result is in the order of ps (as statsmodels' multipletests, method
// "holm").
func Holm(ps []float64) []float64 {
	m := len(ps)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	out := make([]float64, m)
	run := 0.0
	for k, i := range idx {
		v := math.Min(1, float64(m-k)*ps[i])
		if v < run {
			v = run
		}
		run = v
		out[i] = v
	}
	return out
}

// ClopperPearson is the exact (Clopper-Pearson) two-sided interval for a
// binomial proportion of k successes in n trials at confidence 1-alpha:
// the beta quantiles Beta(alpha/2; k, n-k+1) and Beta(1-alpha/2; k+1, n-k)
// (as statsmodels' proportion_confint, method "beta").
func ClopperPearson(k, n int, alpha float64) (lo, hi float64) {
	if n <= 0 || k < 0 || k > n {
		return math.NaN(), math.NaN()
	}
	if k > 0 {
		lo = betaQuantile(alpha/2, float64(k), float64(n-k+1))
	}
	hi = 1
	if k < n {
		hi = betaQuantile(1-alpha/2, float64(k+1), float64(n-k))
	}
	return lo, hi
}

// betaQuantile inverts the regularised incomplete beta function by
// bisection (monotone in x; 200 halvings reach float64 resolution).
func betaQuantile(q, a, b float64) float64 {
	lo, hi := 0.0, 1.0
	for i := 0; i < 200 && hi-lo > 1e-16; i++ {
		mid := (lo + hi) / 2
		if RegIncBeta(a, b, mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// StudentTQuantile is the q-quantile of Student's t with df degrees of
// freedom (df may be fractional, as Welch-Satterthwaite gives; +Inf is the
// normal quantile).
func StudentTQuantile(q, df float64) float64 {
	if q <= 0 || q >= 1 || math.IsNaN(q) {
		return math.NaN()
	}
	if q < 0.5 {
		return -StudentTQuantile(1-q, df)
	}
	if math.IsInf(df, 1) || df > 1e7 {
		return math.Sqrt2 * math.Erfinv(2*q-1)
	}
	// P(T >= t) = 1-q; the survival function falls monotonically in t.
	lo, hi := 0.0, 1.0
	for StudentTSF(hi, df) > 1-q {
		hi *= 2
	}
	for i := 0; i < 200 && hi-lo > 1e-14*hi; i++ {
		mid := (lo + hi) / 2
		if StudentTSF(mid, df) > 1-q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// BootstrapCI is a percentile bootstrap interval at confidence 1-alpha for
// a statistic of one sample: B resamples with replacement of the same
// size, drawn from a PCG generator seeded with seed, so the interval is
// reproducible bit for bit. It returns the statistic on the sample and
// the alpha/2 and 1-alpha/2 percentiles of its resampled values (linear
// interpolation, as numpy's percentile; SciPy's bootstrap with method
// "percentile" gives the same interval up to its own random draws).
func BootstrapCI(xs []float64, stat func([]float64) float64, b int, alpha float64, seed uint64) (est, lo, hi float64, err error) {
	if len(xs) == 0 {
		return 0, 0, 0, errors.New("bootstrap: empty sample")
	}
	if b < 2 {
		return 0, 0, 0, errors.New("bootstrap: needs at least 2 resamples")
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	vals := make([]float64, b)
	buf := make([]float64, len(xs))
	for r := range vals {
		for i := range buf {
			buf[i] = xs[rng.IntN(len(xs))]
		}
		vals[r] = stat(buf)
	}
	sort.Float64s(vals)
	return stat(xs), Percentile(vals, 100*alpha/2), Percentile(vals, 100*(1-alpha/2)), nil
}

// Mean is the arithmetic mean (NaN for no values).
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
