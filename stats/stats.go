package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// logPMF is log P(X = i) for X ~ Binomial(n, p), 0 < p < 1.
func logPMF(i, n int, p float64) float64 {
	return lchoose(n, i) + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p)
}

// sumPMF adds P(X = i) for i in [lo, hi], in log space around the largest
// term so that tails far below 1e-300 relative to it still add exactly.
func sumPMF(lo, hi, n int, p float64) float64 {
	if lo > hi {
		return 0
	}
	mode := int(math.Floor(float64(n+1) * p))
	peak := min(max(mode, lo), hi)
	m := logPMF(peak, n, p)
	var s float64
	for i := lo; i <= hi; i++ {
		s += math.Exp(logPMF(i, n, p) - m)
	}
	return math.Exp(m + math.Log(s))
}

// BinomCDF is P(X <= k) for X ~ Binomial(n, p): the lower tail the paper
// reports ("7,394 or fewer predicted spirals of 16,000 when p = 0.4902").
func BinomCDF(k, n int, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	case p <= 0:
		return 1
	case p >= 1:
		return 0
	}
	if float64(k) > float64(n)*p {
		return 1 - BinomSF(k+1, n, p)
	}
	return math.Min(1, sumPMF(0, k, n, p))
}

// BinomSF is P(X >= k) for X ~ Binomial(n, p): the upper tail.
func BinomSF(k, n int, p float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	case p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	if float64(k) < float64(n)*p {
		return 1 - BinomCDF(k-1, n, p)
	}
	return math.Min(1, sumPMF(k, n, n, p))
}

// BinomialTest is the one-sided exact binomial test of k successes in n
// trials against a baseline proportion p0, in the direction the data
// moved: the lower tail when k/n < p0, the upper tail otherwise.
type BinomialTest struct {
	K, N      int
	P0        float64
	Direction string // "fewer" or "more"
	P         float64
}

// Binomial runs the one-sided exact binomial test.
func Binomial(k, n int, p0 float64) BinomialTest {
	t := BinomialTest{K: k, N: n, P0: p0}
	if float64(k) < float64(n)*p0 {
		t.Direction, t.P = "fewer", BinomCDF(k, n, p0)
	} else {
		t.Direction, t.P = "more", BinomSF(k, n, p0)
	}
	return t
}

// McNemarTest is McNemar's exact test on paired binary outcomes: of the
// galaxies both classifiers saw, B changed from no to yes, C from yes to
// no; under the null hypothesis either change is equally likely.
type McNemarTest struct {
	B, C int
	// P is the two-sided exact p-value, min(1, 2 P(X <= min(B,C))) for
	// X ~ Binomial(B+C, 1/2).
	P float64
	// POneSided is P(X >= B) for X ~ Binomial(B+C, 1/2): the chance of as
	// many or more changes towards yes.
	POneSided float64
}

// McNemar runs the exact test on b (no -> yes) and c (yes -> no) counts.
func McNemar(b, c int) McNemarTest {
	t := McNemarTest{B: b, C: c, P: 1, POneSided: 1}
	n := b + c
	if n == 0 {
		return t
	}
	t.P = math.Min(1, 2*BinomCDF(min(b, c), n, 0.5))
	t.POneSided = BinomSF(b, n, 0.5)
	return t
}

// McNemarPairs counts the discordant pairs of two prediction vectors over
// the same items (true = predicted spiral) and tests them: b counts items
// that base called false and other called true.
func McNemarPairs(base, other []bool) (McNemarTest, error) {
	if len(base) != len(other) {
		return McNemarTest{}, fmt.Errorf("mcnemar: %d and %d predictions; the test needs the same items", len(base), len(other))
	}
	var b, c int
	for i := range base {
		switch {
		case !base[i] && other[i]:
			b++
		case base[i] && !other[i]:
			c++
		}
	}
	return McNemar(b, c), nil
}

// Wilson is the Wilson score interval for k successes in n trials at the
// given normal quantile z (1.96 for 95%).
func Wilson(k, n int, z float64) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(k) / nf
	d := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / d
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / d
	return math.Max(0, c-h), math.Min(1, c+h)
}

// Z95 is the normal quantile of a two-sided 95% interval.
const Z95 = 1.959963984540054

// Summary describes a sample: as bootstrap statistics over repeats.
type Summary struct {
	N                  int
	Mean, SD, SE       float64
	Min, Max           float64
	P025, Median, P975 float64
	Values             []float64 `json:"-"`
}

// Summarise computes the mean, sample standard deviation (n-1), standard
// error, extremes and the 2.5, 50 and 97.5 percentiles (linear
// interpolation between order statistics, as numpy's default).
func Summarise(xs []float64) Summary {
	s := Summary{N: len(xs), Values: xs}
	if len(xs) == 0 {
		return s
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	var sum float64
	for _, x := range xs {
		sum += x
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(ss / float64(len(xs)-1))
		s.SE = s.SD / math.Sqrt(float64(len(xs)))
	}
	s.Min, s.Max = sorted[0], sorted[len(sorted)-1]
	s.P025, s.Median, s.P975 = Percentile(sorted, 2.5), Percentile(sorted, 50), Percentile(sorted, 97.5)
	return s
}

// Percentile of sorted data by linear interpolation.
func Percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q / 100 * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}

// ChiSquare is Pearson's chi-square test of homogeneity of a table whose
// rows are groups (regions) and columns categories (predicted class).
type ChiSquare struct {
	Stat float64
	DF   int
	P    float64
}

// Homogeneity tests whether the rows of a contingency table share one
// distribution over the columns (no continuity correction).
func Homogeneity(table [][]int) (ChiSquare, error) {
	if len(table) < 2 || len(table[0]) < 2 {
		return ChiSquare{}, errors.New("chi-square: need at least 2 rows and 2 columns")
	}
	cols := len(table[0])
	rowSum := make([]float64, len(table))
	colSum := make([]float64, cols)
	var total float64
	for i, r := range table {
		if len(r) != cols {
			return ChiSquare{}, fmt.Errorf("chi-square: row %d has %d columns, want %d", i, len(r), cols)
		}
		for j, v := range r {
			if v < 0 {
				return ChiSquare{}, fmt.Errorf("chi-square: negative count %d", v)
			}
			rowSum[i] += float64(v)
			colSum[j] += float64(v)
			total += float64(v)
		}
	}
	var stat float64
	for i, r := range table {
		for j, v := range r {
			e := rowSum[i] * colSum[j] / total
			if e == 0 {
				return ChiSquare{}, errors.New("chi-square: a row or column is empty")
			}
			d := float64(v) - e
			stat += d * d / e
		}
	}
	df := (len(table) - 1) * (cols - 1)
	return ChiSquare{Stat: stat, DF: df, P: ChiSquareSF(stat, df)}, nil
}

// ChiSquareSF is P(X >= x) for X ~ chi-square with df degrees of freedom:
// the regularised upper incomplete gamma function Q(df/2, x/2).
func ChiSquareSF(x float64, df int) float64 {
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(df)/2, x/2)
}

// gammaQ is the regularised upper incomplete gamma function, by series
// for x < a+1 and by continued fraction otherwise (Numerical Recipes'
// method, written here from the formulas).
func gammaQ(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 10000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lg)
	}
	b := x + 1 - a
	c := 1 / lentzTiny
	d := 1 / b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		var del float64
		c, d, del = lentzStep(an, b, c, d)
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}

// lentzTiny keeps the modified Lentz recurrences away from division by zero.
const lentzTiny = 1e-300

// lentzStep advances a continued fraction's modified Lentz evaluation by
// one term an/(bn + ...): it returns the new C and D and the factor by
// which the running value is multiplied (1 at convergence).
func lentzStep(an, bn, c, d float64) (float64, float64, float64) {
	d = bn + an*d
	if math.Abs(d) < lentzTiny {
		d = lentzTiny
	}
	c = bn + an/c
	if math.Abs(c) < lentzTiny {
		c = lentzTiny
	}
	d = 1 / d
	return c, d, c * d
}
