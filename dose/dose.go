package dose

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/skybias/skybias/stats"
)

// Point is one repeat's effect at one dose.
type Point struct {
	Dose, Effect float64
}

// Trend is the least-squares line of effect on dose through every repeat
// of every dose. SE comes from the scatter about the line (repeat-to-repeat
// noise and any departure from a line), on DF = points - 2 degrees of
// freedom; P is one-sided, against a slope of zero or less, since a design
// predicts the direction before the data are seen.
type Trend struct {
	Slope, SE float64
	DF        int
	P         float64
	// Lo and Hi are the slope's two-sided 95% interval.
	Lo, Hi        float64
	Doses, Points int
}

// FitTrend fits the trend; it needs three distinct doses and four points.
func FitTrend(pts []Point) (Trend, error) {
	doses := map[float64]bool{}
	var mx, my float64
	for _, p := range pts {
		if math.IsNaN(p.Dose) || math.IsNaN(p.Effect) || math.IsInf(p.Dose, 0) || math.IsInf(p.Effect, 0) {
			return Trend{}, fmt.Errorf("dose-response: point (%g, %g) is not a number", p.Dose, p.Effect)
		}
		doses[p.Dose] = true
		mx += p.Dose
		my += p.Effect
	}
	n := len(pts)
	if len(doses) < 3 || n < 4 {
		return Trend{}, fmt.Errorf("dose-response: %d points at %d doses; a trend needs at least 3 doses and 4 points", n, len(doses))
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, sxy float64
	for _, p := range pts {
		sxx += (p.Dose - mx) * (p.Dose - mx)
		sxy += (p.Dose - mx) * (p.Effect - my)
	}
	slope := sxy / sxx
	var rss float64
	for _, p := range pts {
		r := p.Effect - my - slope*(p.Dose-mx)
		rss += r * r
	}
	df := n - 2
	se := math.Sqrt(rss / float64(df) / sxx)
	tr := Trend{Slope: slope, SE: se, DF: df, Doses: len(doses), Points: n}
	q := stats.StudentTQuantile(0.975, float64(df))
	tr.Lo, tr.Hi = slope-q*se, slope+q*se
	switch {
	case se > 0:
		tr.P = stats.StudentTSF(slope/se, float64(df))
	case slope > 0:
		tr.P = 0
	default:
		tr.P = 1
	}
	return tr, nil
}

// Level is one dose's mean effect over its N repeats with its two-sided
// t interval at the level asked for (NaN bounds with one repeat).
type Level struct {
	Dose, Mean, Lo, Hi float64
	N                  int
}

// Levels groups points by dose, in increasing dose.
func Levels(pts []Point, confidence float64) []Level {
	by := map[float64][]float64{}
	for _, p := range pts {
		by[p.Dose] = append(by[p.Dose], p.Effect)
	}
	var out []Level
	for d, es := range by {
		l := Level{Dose: d, N: len(es), Lo: math.NaN(), Hi: math.NaN()}
		for _, e := range es {
			l.Mean += e
		}
		l.Mean /= float64(len(es))
		if len(es) >= 2 {
			var ss float64
			for _, e := range es {
				ss += (e - l.Mean) * (e - l.Mean)
			}
			half := stats.StudentTQuantile(1-(1-confidence)/2, float64(len(es)-1)) * math.Sqrt(ss/float64(len(es)-1)/float64(len(es)))
			l.Lo, l.Hi = l.Mean-half, l.Mean+half
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Level) int {
		switch {
		case a.Dose < b.Dose:
			return -1
		case a.Dose > b.Dose:
			return 1
		}
		return 0
	})
	return out
}

// Monotone is the non-decreasing fit of the levels' means, weighted by
// their repeats (pool-adjacent-violators): the effect as a dose-response
// curve that never falls as the condition grows.
func Monotone(levels []Level) []float64 {
	type block struct {
		sum, w float64
		n      int
	}
	var bs []block
	for _, l := range levels {
		bs = append(bs, block{l.Mean * float64(l.N), float64(l.N), 1})
		for len(bs) >= 2 && bs[len(bs)-2].sum/bs[len(bs)-2].w > bs[len(bs)-1].sum/bs[len(bs)-1].w {
			a, b := bs[len(bs)-2], bs[len(bs)-1]
			bs = append(bs[:len(bs)-2], block{a.sum + b.sum, a.w + b.w, a.n + b.n})
		}
	}
	var out []float64
	for _, b := range bs {
		for range b.n {
			out = append(out, b.sum/b.w)
		}
	}
	return out
}

// Threshold brackets the dose at which a non-decreasing dose-response
// reaches an effect Delta. Below is the largest dose at which the effect
// is below Delta with confidence: where even the smallest upper bound at
// that dose or any larger one (the effect cannot fall) is under Delta.
// Above is the smallest dose at which it is at least Delta with
// confidence: where the largest lower bound at that dose or any smaller
// one is. The threshold lies between them; NaN Below means no dose was
// below with confidence, NaN Above that none reached it (the threshold
// may lie beyond the largest dose). Fitted is the smallest dose at which
// the monotone fit reaches Delta (NaN if none does).
type Threshold struct {
	Delta                float64
	Below, Above, Fitted float64
}

// ErrFewRepeats says that a bracket needs two repeats at every dose.
var ErrFewRepeats = errors.New("dose-response: a threshold's bracket needs at least two repeats at every dose")

// FindThreshold brackets the dose at which the effect reaches delta from
// levels (increasing dose, each with its interval).
func FindThreshold(levels []Level, delta float64) (Threshold, error) {
	th := Threshold{Delta: delta, Below: math.NaN(), Above: math.NaN(), Fitted: math.NaN()}
	for _, l := range levels {
		if l.N < 2 {
			return th, ErrFewRepeats
		}
	}
	for i, m := range Monotone(levels) {
		if m >= delta {
			th.Fitted = levels[i].Dose
			break
		}
	}
	// Upper band from the right, lower band from the left.
	upper := math.Inf(1)
	for i := len(levels) - 1; i >= 0; i-- {
		upper = math.Min(upper, levels[i].Hi)
		if upper < delta && math.IsNaN(th.Below) {
			th.Below = levels[i].Dose
		}
	}
	lower := math.Inf(-1)
	for _, l := range levels {
		lower = math.Max(lower, l.Lo)
		if lower >= delta {
			th.Above = l.Dose
			break
		}
	}
	return th, nil
}
