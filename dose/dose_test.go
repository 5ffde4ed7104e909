package dose

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skybias/skybias/stats"
)

var doses = []float64{0, 0.25, 0.5, 0.75, 1, 1.5}

// simulate draws repeats at every dose of an effect curve with Gaussian
// noise of sd.
func simulate(r *rand.Rand, curve func(float64) float64, repeats int, sd float64) []Point {
	var pts []Point
	for _, d := range doses {
		for range repeats {
			pts = append(pts, Point{Dose: d, Effect: curve(d) + sd*r.NormFloat64()})
		}
	}
	return pts
}

// TestTrendCalibrated: where the effect does not grow with the dose the
// one-sided trend P calls 5% of 2,000 studies (within [0.04, 0.06]), and
// where it grows as the paper's designs do it calls nearly all.
func TestTrendCalibrated(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name     string
		curve    func(float64) float64
		min, max float64
	}{
		{"flat", func(float64) float64 { return 0.01 }, 0.04, 0.06},
		{"rising", func(d float64) float64 { return 0.1 * d * d }, 0.95, 1},
	} {
		calls := 0
		const studies = 2000
		for range studies {
			tr, err := FitTrend(simulate(r, c.curve, 3, 0.02))
			if err != nil {
				t.Fatal(err)
			}
			if tr.P < 0.05 {
				calls++
			}
		}
		lo, hi := stats.ClopperPearson(calls, studies, 0.05)
		rate := float64(calls) / studies
		t.Logf("%s: trend called in %d of %d = %.3f [%.3f, %.3f]", c.name, calls, studies, rate, lo, hi)
		if rate < c.min || rate > c.max {
			t.Errorf("%s: rate %.3f outside [%.2f, %.2f]", c.name, rate, c.min, c.max)
		}
	}
}

// TestThresholdBracketCovers: with 3 repeats per dose (t intervals on 2
// degrees of freedom), a rising curve that reaches the effect exactly at
// one of the doses (the hardest place for a bracket: Below must stay
// under it, Above may be it) is bracketed correctly in 93-99% of 2,000
// studies, and not merely safely: most brackets name a dose on each side.
func TestThresholdBracketCovers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const delta, truth = 0.035, 0.75
	curve := func(d float64) float64 { return delta * (d / truth) * (d / truth) }
	covered, both := 0, 0
	const studies = 2000
	for range studies {
		th, err := FindThreshold(Levels(simulate(r, curve, 3, 0.01), 0.95), delta)
		if err != nil {
			t.Fatal(err)
		}
		if (math.IsNaN(th.Below) || th.Below < truth) && (math.IsNaN(th.Above) || th.Above >= truth) {
			covered++
		}
		if !math.IsNaN(th.Below) && !math.IsNaN(th.Above) {
			both++
		}
	}
	rate := float64(covered) / studies
	lo, hi := stats.ClopperPearson(covered, studies, 0.05)
	t.Logf("threshold at dose %.2f: bracket right in %d of %d = %.3f [%.3f, %.3f]; bracketed on both sides in %d", truth, covered, studies, rate, lo, hi, both)
	if rate < 0.93 || rate > 0.99 {
		t.Errorf("coverage %.3f outside [0.93, 0.99]", rate)
	}
	if both < studies/2 {
		t.Errorf("only %d of %d studies bracket the threshold on both sides", both, studies)
	}
}

// TestMonotone: pool-adjacent-violators on a dip gives the weighted mean
// of the pooled doses and leaves rising runs alone.
func TestMonotone(t *testing.T) {
	levels := []Level{{Dose: 0, Mean: 0.0, N: 2}, {Dose: 1, Mean: 0.3, N: 1}, {Dose: 2, Mean: 0.1, N: 3}, {Dose: 3, Mean: 0.5, N: 2}}
	got := Monotone(levels)
	want := []float64{0, 0.15, 0.15, 0.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("monotone fit %v, want %v", got, want)
		}
	}
}

// TestRefusals: too few doses for a trend, one repeat for a bracket, and
// a value that is not a number are errors that say so.
func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		pts  []Point
		want string
	}{
		{[]Point{{0, 0}, {1, 0.1}, {0, 0.01}, {1, 0.12}}, "at least 3 doses"},
		{[]Point{{0, 0}, {1, math.NaN()}, {2, 0.1}, {3, 0.2}}, "not a number"},
	} {
		if _, err := FitTrend(c.pts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.pts, err, c.want)
		}
	}
	if _, err := FindThreshold(Levels([]Point{{0, 0}, {1, 0.1}, {2, 0.2}}, 0.95), 0.1); err != ErrFewRepeats {
		t.Errorf("one repeat per dose: %v", err)
	}
}
