package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/dose"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/plots"
	"github.com/skybias/skybias/stats"
)

// dosePoint is one sweep point of a dose-response with its comparison.
type dosePoint struct {
	x float64
	c *findings.Comparison
}

// doses draws, for every experiment that sweeps one numeric parameter and
// is compared with its baseline at each value, the effect against that
// parameter: a dose-response; with two or more, all of them on one chart.
func (r *Report) doses(d *doc, figs *figureSet) {
	var all []plots.EffectSeries
	var keys []string
	// The dose-responses, and one trend test per condition, Holm-adjusted
	// over the conditions.
	type curve struct {
		e       *findings.Experiment
		key     string
		pts     []dosePoint
		repeats []dose.Point
		trend   dose.Trend // zero where no trend test could be made
		pHolm   float64
	}
	var curves []*curve
	var tested []*curve
	var ps []float64
	for _, e := range r.Experiments {
		key, pts := r.dosePoints(e)
		if len(pts) < 3 {
			continue
		}
		c := &curve{e: e, key: key, pts: pts, repeats: repeatPoints(pts)}
		curves = append(curves, c)
		if tr, err := dose.FitTrend(c.repeats); err == nil {
			c.trend = tr
			tested = append(tested, c)
			ps = append(ps, tr.P)
		}
	}
	for i, q := range stats.Holm(ps) {
		tested[i].pHolm = q
	}
	for _, cv := range curves {
		e, key, pts := cv.e, cv.key, cv.pts
		d.h(2, "Dose-response: %s", e.Name())
		d.p("%s", fmt.Sprintf("The effect of %s against %s on %s, at each value of `%s` (the baseline at the same value). "+
			"Filled markers are values where the verdict (Holm across this report) calls a shift. Each effect's interval covers %s.",
			e.Name(), pts[0].c.Baseline, pts[0].c.Test, key, pts[0].c.Effect.Noise()))
		var ep []plots.EffectPoint
		var rows [][]string
		for _, p := range pts {
			ef := p.c.Effect
			ep = append(ep, plots.EffectPoint{X: p.x, Effect: ef.Estimate, Lo: ef.Lo, Hi: ef.Hi, Significant: p.c.Significant()})
			rows = append(rows, []string{strconv.FormatFloat(p.x, 'g', -1, 64), fmtEffect(ef), fmtP(p.c.Decision.P), fmtP(p.c.Decision.PHolm), p.c.Verdict(),
				fmt.Sprintf("%.4f / %.4f", p.c.PSpiral, p.c.BaseSpiral)})
		}
		f, err := plots.EffectCurve(fmt.Sprintf("%s: effect against %s", e.Name(), key), key,
			[]plots.EffectSeries{{Name: fmt.Sprintf("%s vs %s on %s", e.Name(), pts[0].c.Baseline, pts[0].c.Test), Points: ep}})
		d.img(e.Name()+": the effect against "+key+", with 95% intervals", figs.add("dose-"+e.Name(), f, err))
		d.table([]string{key, "effect [95% interval]", "P", "P (Holm)", "verdict", "p(spiral) / baseline"}, rows)
		d.p("%s", doseThreshold(key, pts))
		d.p("%s", doseTrend(key, cv.repeats, cv.trend, cv.pHolm, len(tested)))
		if t := pts[0].c.Target; t != nil {
			d.p("%s", doseTarget(key, pts, *t))
		}
		all = append(all, plots.EffectSeries{Name: fmt.Sprintf("%s (%s)", e.Name(), key), Points: ep})
		keys = append(keys, key)
	}
	if len(all) < 2 {
		return
	}
	d.h(2, "Dose-response: all curves")
	d.p("%s", fmt.Sprintf("The %d dose-responses above on one chart. Each curve's x is its own swept parameter (%s); "+
		"where those are contrasts, 1 is the survey's fields as written and 0 the fields' mean sky, so the curves compare field differences "+
		"in units of the differences the survey declares.", len(all), strings.Join(uniq(keys), ", ")))
	f, err := plots.EffectCurve("effect against dose, every curve", "dose (each curve's swept parameter)", all)
	d.img("every dose-response on one chart, with 95% intervals", figs.add("dose-all", f, err))
}

// uniq returns the distinct strings of xs in first-seen order.
func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// doseTarget says where the effect first reaches a published target,
// interpolating linearly between the two swept values around it.
func doseTarget(key string, pts []dosePoint, target float64) string {
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		ea, eb := a.c.Effect.Estimate, b.c.Effect.Estimate
		if (ea-target)*(eb-target) > 0 || ea == eb {
			continue
		}
		x := a.x + (target-ea)/(eb-ea)*(b.x-a.x)
		return fmt.Sprintf("The effect reaches the target %+.3f (compare.target) at %s = %.3g, interpolated linearly between %g (%+.4f) and %g (%+.4f). "+
			"Each effect has the interval in the table, so the crossing is uncertain by about the spread of the values around it.",
			target, key, x, a.x, ea, b.x, eb)
	}
	return fmt.Sprintf("The effect does not reach the target %+.3f (compare.target) between %s = %g (%+.4f) and %g (%+.4f).",
		target, key, pts[0].x, pts[0].c.Effect.Estimate, pts[len(pts)-1].x, pts[len(pts)-1].c.Effect.Estimate)
}

// dosePoints pairs each sweep value of an experiment with its comparison;
// none unless every variant sweeps the same single numeric parameter.
func (r *Report) dosePoints(e *findings.Experiment) (string, []dosePoint) {
	key := ""
	var pts []dosePoint
	for _, c := range r.Comparisons {
		if c.Experiment != e.Name() || c.Variant == "" || len(c.Effects) == 0 {
			continue
		}
		runs := e.Runs(c.Variant)
		if len(runs) == 0 || len(runs[0].Job.Params) != 1 {
			return "", nil
		}
		for k, v := range runs[0].Job.Params {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || (key != "" && k != key) {
				return "", nil
			}
			key = k
			pts = append(pts, dosePoint{x, c})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	return key, pts
}

// repeatPoints are each repeat's effect at each swept value.
func repeatPoints(pts []dosePoint) []dose.Point {
	var out []dose.Point
	for _, p := range pts {
		for _, e := range p.c.Effects {
			out = append(out, dose.Point{Dose: p.x, Effect: e.Estimate})
		}
	}
	return out
}

// doseTrend words a condition's trend test (one-sided: the effect rises
// with the dose), Holm-adjusted over the report's conditions, and the
// bracket of the value at which the effect reaches the reference effect.
func doseTrend(key string, repeats []dose.Point, tr dose.Trend, pHolm float64, conditions int) string {
	if tr.Points == 0 {
		return fmt.Sprintf("No trend test: it needs at least 3 values of %s and 4 effects.", key)
	}
	w := fmt.Sprintf("Trend: the effect changes by %+.4f per unit of %s [%+.4f, %+.4f] (least squares through the %d repeats' effects at %d values; the interval from their scatter about the line, %d degrees of freedom); "+
		"one-sided P that it does not rise %s, Holm-adjusted over the report's %d dose-responses %s.",
		tr.Slope, key, tr.Lo, tr.Hi, tr.Points, tr.Doses, tr.DF, fmtP(tr.P), conditions, fmtP(pHolm))
	th, err := dose.FindThreshold(dose.Levels(repeats, 0.95), analysis.ReferenceEffect)
	if err != nil {
		return w + fmt.Sprintf(" The value of %s at which the effect reaches %+.3f is not bracketed: that needs at least two repeats at every value.", key, analysis.ReferenceEffect)
	}
	below := "no value is below it with 95% confidence"
	if !math.IsNaN(th.Below) {
		below = fmt.Sprintf("the effect is below it with 95%% confidence up to %s = %g", key, th.Below)
	}
	above := "no value is at or above it with 95% confidence (the crossing may lie beyond the largest value)"
	if !math.IsNaN(th.Above) {
		above = fmt.Sprintf("it is at or above it with 95%% confidence from %s = %g on", key, th.Above)
	}
	fitted := "does not reach it"
	if !math.IsNaN(th.Fitted) {
		fitted = fmt.Sprintf("reaches it at %g", th.Fitted)
	}
	return w + fmt.Sprintf(" Where does the effect reach %+.3f? Taking it as never falling with the dose, %s, and %s; the non-decreasing fit of the mean effects %s.",
		analysis.ReferenceEffect, below, above, fitted)
}

// doseThreshold says from which value on the verdict calls a shift.
func doseThreshold(key string, pts []dosePoint) string {
	from := -1
	for i := len(pts) - 1; i >= 0; i-- {
		if !pts[i].c.Significant() {
			break
		}
		from = i
	}
	switch {
	case from < 0:
		return fmt.Sprintf("The verdict calls no shift at the largest %s swept (%g).", key, pts[len(pts)-1].x)
	case from == 0:
		return fmt.Sprintf("The verdict calls a shift at every %s swept, down to %g.", key, pts[0].x)
	}
	return fmt.Sprintf("The verdict calls a shift at %s = %g and above, and none at %g.", key, pts[from].x, pts[from-1].x)
}
