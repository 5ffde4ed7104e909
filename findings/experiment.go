package findings

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
	"github.com/skybias/skybias/stats"
)

// Run is one job of an experiment with its result.
type Run struct {
	Job    *dsl.Job
	Result *results.Result
}

// Experiment gathers an experiment's jobs and results by variant and repeat.
type Experiment struct {
	Plan *dsl.Plan
	// Variants in plan order; each holds its repeats in order.
	Variants  []string
	runs      map[string][]Run
	contrasts map[string]*FieldContrast // by variant, built once
}

func newExperiment(p *dsl.Plan, loaded map[string]*results.Result) (*Experiment, error) {
	e := &Experiment{Plan: p, runs: map[string][]Run{}}
	for _, j := range p.Jobs {
		r, ok := loaded[j.Hash()]
		if !ok {
			return nil, fmt.Errorf("experiment %s: no result for job %s (%s); run it first", p.Experiment, j.ShortHash(), j.Describe())
		}
		if _, seen := e.runs[j.Variant]; !seen {
			e.Variants = append(e.Variants, j.Variant)
		}
		e.runs[j.Variant] = append(e.runs[j.Variant], Run{j, r})
	}
	return e, nil
}

// Name is the experiment's name.
func (e *Experiment) Name() string { return e.Plan.Experiment }

// PaperTable is the number of the paper's table the experiment
// reproduces, or 0.
func (e *Experiment) PaperTable() int {
	if p := e.First().Job.Paper; p != nil {
		return p.Table
	}
	return 0
}

// PSpiral is the predicted spiral fraction on a test set (first variant,
// first repeat) and the number of test galaxies.
func (e *Experiment) PSpiral(test string) (float64, int, error) {
	ts, err := e.TestStats(e.Variants[0], test)
	if err != nil {
		return 0, 0, err
	}
	return ts.PSpiral, ts.N, nil
}

// First is the experiment's first job (first variant, first repeat) with
// its result.
func (e *Experiment) First() Run { return e.runs[e.Variants[0]][0] }

// Runs are a variant's jobs with their results, one per repeat.
func (e *Experiment) Runs(variant string) []Run { return e.runs[variant] }

// MainTest is the test set the experiment reports (paper.on, else the
// first).
func (e *Experiment) MainTest() string {
	j := e.First().Job
	if j.Paper != nil && j.Paper.On != "" {
		return j.Paper.On
	}
	return j.Tests[0].Name
}

// TestStats summarises one test set of one variant over its repeats.
type TestStats struct {
	Test string
	// Confusion is the first repeat's matrix; Mean is the mean over repeats.
	Confusion     [2][2]int
	MeanConfusion [2][2]float64
	N             int
	PSpiral       float64 // predicted spiral fraction (first repeat)
	Lo, Hi        float64 // its 95% Wilson interval
	Accuracy      stats.Summary
	PSpiralAll    stats.Summary
	MisE, MisS    stats.Summary // misclassified ellipticals and spirals over repeats
	Repeats       int
}

// TestStats summarises a variant's test set over its repeats.
func (e *Experiment) TestStats(variant, test string) (*TestStats, error) {
	rs := e.runs[variant]
	ts := &TestStats{Test: test, Repeats: len(rs)}
	var acc, ps, me, ms []float64
	for k, r := range rs {
		t := r.Result.Test(test)
		if t == nil {
			return nil, fmt.Errorf("experiment %s: result %s has no test set %s", e.Name(), r.Job.ShortHash(), test)
		}
		if k == 0 {
			ts.Confusion, ts.N, ts.PSpiral = t.Confusion, t.N(), t.PSpiral()
			ts.Lo, ts.Hi = stats.Wilson(t.PredictedSpiral(), t.N(), stats.Z95)
		}
		for a := 0; a < 2; a++ {
			for b := 0; b < 2; b++ {
				ts.MeanConfusion[a][b] += float64(t.Confusion[a][b]) / float64(len(rs))
			}
		}
		acc = append(acc, t.Accuracy())
		ps = append(ps, t.PSpiral())
		me = append(me, float64(t.Confusion[0][1]))
		ms = append(ms, float64(t.Confusion[1][0]))
	}
	ts.Accuracy, ts.PSpiralAll, ts.MisE, ts.MisS = stats.Summarise(acc), stats.Summarise(ps), stats.Summarise(me), stats.Summarise(ms)
	return ts, nil
}

// Comparison is an experiment against its baseline on the same test
// galaxies, per repeat.
type Comparison struct {
	Experiment, Baseline string
	Test, BaselineTest   string
	Variant              string
	PSpiral, BaseSpiral  float64 // first repeat
	N                    int     // test galaxies (first repeat)
	McNemar              []stats.McNemarTest
	Binomial             []stats.BinomialTest
	// Welch compares p(spiral) over the repeats of the two experiments
	// (nil without repeats): unlike McNemar on one pair of networks, it
	// allows for the spread between independently trained networks.
	Welch *stats.WelchTest
	// Contrast is this experiment's field contrast when the compared test
	// set lies in one of the fields its training took a single class
	// from, or in a field pair the comparison names (nil otherwise).
	Contrast *FieldContrast
	Note     string
	// Effects holds the design's effect per repeat (the design-by-field
	// interaction where the baseline was tested on both fields of the
	// contrast, else the paired shift on the compared test set); Effect
	// combines them (over repeats when there are several).
	Effects []analysis.Effect
	Effect  analysis.Effect
	// Decision is the verdict within the report's family (Holm).
	Decision analysis.Decision
	// Paper is the paper's binomial test on our first repeat, and
	// PaperPublished the same test on the published matrices of the two
	// tables (nil where it does not apply).
	Paper, PaperPublished *analysis.PaperBinomial
	// Truth is what a calibration study knows ("none", "bias" or "").
	Truth string
	// Family is the report family a study judges each repeat in too
	// (compare.family; 0: alone only).
	Family int
	// Target is the published effect the comparison is set against, if
	// the experiment names one (compare.target).
	Target *float64
}

// Label names the comparison in words: "table13 on f2 against table04",
// with the variant in brackets where the experiment sweeps.
func (c *Comparison) Label() string {
	name := c.Experiment
	if c.Variant != "" {
		name += " (" + c.Variant + ")"
	}
	return fmt.Sprintf("%s on %s against %s", name, c.Test, c.Baseline)
}

// RepeatVerdict is the verdict repeat k alone would get, as a family of
// one at analysis.FamilyAlpha: what a user running that one repeat would
// be told. A calibration study counts these.
func (c *Comparison) RepeatVerdict(k int) analysis.Verdict {
	return c.repeatVerdictAt(k, analysis.FamilyAlpha)
}

// repeatVerdictAt is repeat k's verdict on its own at level alpha.
func (c *Comparison) repeatVerdictAt(k int, alpha float64) analysis.Verdict {
	return analysis.Decide(c.Effects[k:k+1], alpha)[0].Verdict
}

// Rate counts the repeats whose verdict calls a shift (either way), with
// its exact interval.
func (c *Comparison) Rate() analysis.Rate { return c.RateAt(analysis.FamilyAlpha) }

// RateAt counts the repeats whose P is below alpha (each judged alone at
// that level: Holm's first step in a family of F at FamilyAlpha/F), with
// its exact interval.
func (c *Comparison) RateAt(alpha float64) analysis.Rate {
	n := 0
	for k := range c.Effects {
		if c.repeatVerdictAt(k, alpha) != analysis.NoShift {
			n++
		}
	}
	return analysis.NewRate(n, len(c.Effects))
}

// Toward is the direction the paper's effect predicts on the compared
// test set: "more" spirals than the baseline when the test field gave
// the training spirals, "fewer" when it gave the ellipticals, "" when
// the experiment has no field contrast.
func (c *Comparison) Toward() string {
	switch {
	case c.Contrast == nil:
		return ""
	case c.Test == c.Contrast.SpiralTest:
		return "more"
	}
	return "fewer"
}

// Significant reports whether the report's verdict calls a shift.
func (c *Comparison) Significant() bool { return c.Decision.Verdict != analysis.NoShift }

// CountBelow counts the repeats whose McNemar P is below a level.
func (c *Comparison) CountBelow(level float64) int {
	n := 0
	for _, m := range c.McNemar {
		if m.P < level {
			n++
		}
	}
	return n
}

// Verdict is the headline finding in words.
func (c *Comparison) Verdict() string {
	if len(c.Effects) == 0 {
		return "not compared"
	}
	switch c.Decision.Verdict {
	case analysis.ShiftFound:
		return "**shift**"
	case analysis.Reverse:
		return "**reverse shift**"
	}
	return "no shift"
}

// FieldContrast tests one trained network on two of its test sets: one in
// the field(s) its training spirals alone came from, one in the field(s)
// its training ellipticals alone came from. The paper's effect predicts
// more galaxies called spiral in the first than in the second for the
// same mix of true classes. The comparison is within one network, so a
// network's overall leaning towards one class, which varies from one
// training run to the next, moves both test sets alike and cancels; and
// the two test sets hold different galaxies, so on a sky whose fields do
// not differ the test holds its level however the network was trained.
type FieldContrast struct {
	SpiralTest, EllipticalTest string
	// PSpiralS and PSpiralE are p(spiral) on each test set (first repeat).
	PSpiralS, PSpiralE float64
	// Tests holds the Cochran-Mantel-Haenszel test per repeat, stratified
	// by true class; group 1 is the spiral field's test set and PGreater
	// is the one-sided P in the direction the effect predicts.
	Tests []stats.MantelHaenszelTest
	// Uninformative counts repeats whose networks called one class for
	// every galaxy of both fields (a network that did not learn): the
	// test has no information there, and its P is recorded as 1.
	Uninformative int
}

// Contrast is a variant's field contrast, or nil when the design has no
// test set in a field of one training class only.
func (e *Experiment) Contrast(variant string) (*FieldContrast, error) {
	if fc, ok := e.contrasts[variant]; ok {
		return fc, nil
	}
	fc, err := e.buildContrast(variant)
	if err != nil {
		return nil, err
	}
	if e.contrasts == nil {
		e.contrasts = map[string]*FieldContrast{}
	}
	e.contrasts[variant] = fc
	return fc, nil
}

func (e *Experiment) buildContrast(variant string) (*FieldContrast, error) {
	j := e.runs[variant][0].Job
	only := map[sky.Class]map[string]bool{}
	for _, c := range sky.Classes {
		only[c] = map[string]bool{}
		for _, p := range j.Train[c.String()] {
			for _, f := range p.From {
				only[c][f] = true
			}
		}
	}
	for f := range only[sky.Spiral] {
		if only[sky.Elliptical][f] {
			delete(only[sky.Spiral], f)
			delete(only[sky.Elliptical], f)
		}
	}
	within := func(t dsl.Test, c sky.Class) bool {
		for _, f := range t.From {
			if !only[c][f] {
				return false
			}
		}
		return len(t.From) > 0
	}
	fc := &FieldContrast{}
	for _, t := range j.Tests {
		if fc.SpiralTest == "" && within(t, sky.Spiral) {
			fc.SpiralTest = t.Name
		}
		if fc.EllipticalTest == "" && within(t, sky.Elliptical) {
			fc.EllipticalTest = t.Name
		}
	}
	if fc.SpiralTest == "" || fc.EllipticalTest == "" {
		return nil, nil
	}
	return e.fieldContrast(variant, fc.SpiralTest, fc.EllipticalTest)
}

// fieldContrast tests a variant's networks on the named pair of test sets.
func (e *Experiment) fieldContrast(variant, spiralTest, ellTest string) (*FieldContrast, error) {
	fc := &FieldContrast{SpiralTest: spiralTest, EllipticalTest: ellTest}
	for k, r := range e.runs[variant] {
		s, el := r.Result.Test(fc.SpiralTest), r.Result.Test(fc.EllipticalTest)
		if s == nil || el == nil {
			return nil, fmt.Errorf("experiment %s: result %s lacks test set %s or %s", e.Name(), r.Job.ShortHash(), fc.SpiralTest, fc.EllipticalTest)
		}
		var strata []stats.Stratum
		for c := 0; c < 2; c++ { // true class: elliptical, spiral
			strata = append(strata, stats.Stratum{{s.Confusion[c][1], s.Confusion[c][0]}, {el.Confusion[c][1], el.Confusion[c][0]}})
		}
		m, err := stats.MantelHaenszel(strata)
		if errors.Is(err, stats.ErrNoInformation) {
			// One class called for everything: the report is still
			// written, with the repeat flagged.
			m = stats.MantelHaenszelTest{P: 1, PGreater: 1, OddsRatio: math.NaN()}
			fc.Uninformative++
		} else if err != nil {
			return nil, fmt.Errorf("experiment %s: field contrast %s against %s: %w", e.Name(), fc.SpiralTest, fc.EllipticalTest, err)
		}
		fc.Tests = append(fc.Tests, m)
		if k == 0 {
			fc.PSpiralS, fc.PSpiralE = s.PSpiral(), el.PSpiral()
		}
	}
	return fc, nil
}

// compare pairs an experiment's predictions with its baseline's, galaxy
// by galaxy, for every variant and repeat the two share.
func compare(e, base *Experiment, c dsl.Compare) ([]*Comparison, error) {
	var out []*Comparison
	for _, v := range e.Variants {
		brs, ok := base.runs[v]
		if !ok {
			brs = base.runs[base.Variants[0]]
		}
		cmp := &Comparison{Experiment: e.Name(), Baseline: base.Name(), Test: c.On, BaselineTest: c.BaselineOn, Variant: v}
		fc, err := e.Contrast(v)
		if err != nil {
			return nil, err
		}
		if c.SpiralField != "" {
			if fc, err = e.fieldContrast(v, c.SpiralField, c.ElliptField); err != nil {
				return nil, err
			}
		}
		if fc != nil && (c.On == fc.SpiralTest || c.On == fc.EllipticalTest || c.SpiralField != "") {
			cmp.Contrast = fc
		}
		cmp.Truth = c.Truth
		cmp.Family = c.Family
		cmp.Target = c.Target
		var ours, theirs []float64
		for _, br := range brs {
			if bt := br.Result.Test(c.BaselineOn); bt != nil {
				theirs = append(theirs, bt.PSpiral())
			}
		}
		for _, r := range e.runs[v] {
			if t := r.Result.Test(c.On); t != nil {
				ours = append(ours, t.PSpiral())
			}
		}
		if len(ours) >= 2 && len(theirs) >= 2 {
			if w, err := stats.Welch(ours, theirs); err == nil {
				cmp.Welch = &w
			}
		}
		for k, r := range e.runs[v] {
			if k >= len(brs) {
				cmp.Note = fmt.Sprintf("the baseline has %d repeats, this experiment %d; compared the first %d", len(brs), len(e.runs[v]), len(brs))
				break
			}
			t, bt := r.Result.Test(c.On), brs[k].Result.Test(c.BaselineOn)
			if t == nil || bt == nil {
				return nil, fmt.Errorf("compare %s with %s: test set %s or %s missing", e.Name(), base.Name(), c.On, c.BaselineOn)
			}
			if len(t.Predictions) != len(bt.Predictions) {
				return nil, fmt.Errorf("compare %s with %s on %s: %d and %d test galaxies; a paired test needs the same galaxies", e.Name(), base.Name(), c.On, len(t.Predictions), len(bt.Predictions))
			}
			byID := make(map[string]float64, len(bt.Predictions))
			for _, p := range bt.Predictions {
				byID[p.ID] = p.PSpiral
			}
			var b, cc int
			for _, p := range t.Predictions {
				q, ok := byID[p.ID]
				if !ok {
					return nil, fmt.Errorf("compare %s with %s on %s: galaxy %s is not in the baseline's test set (different seeds or regions?)", e.Name(), base.Name(), c.On, p.ID)
				}
				switch {
				case q <= 0.5 && p.PSpiral > 0.5:
					b++
				case q > 0.5 && p.PSpiral <= 0.5:
					cc++
				}
			}
			cmp.McNemar = append(cmp.McNemar, stats.McNemar(b, cc))
			cmp.Binomial = append(cmp.Binomial, stats.Binomial(t.PredictedSpiral(), t.N(), bt.PSpiral()))
			eff, err := cmp.effect(r.Result, brs[k].Result)
			if err != nil {
				return nil, fmt.Errorf("compare %s with %s on %s, repeat %d: %w", e.Name(), base.Name(), c.On, k+1, err)
			}
			cmp.Effects = append(cmp.Effects, eff)
			if k == 0 {
				cmp.PSpiral, cmp.BaseSpiral, cmp.N = t.PSpiral(), bt.PSpiral(), t.N()
				if cmp.Toward() != "" && cmp.Test != "" {
					pb, err := analysis.PaperTest(analysis.Confusion(t.Confusion), analysis.Confusion(bt.Confusion), cmp.Toward() == "more")
					if err == nil {
						cmp.Paper = &pb
					}
				}
			}
		}
		if cmp.Effect, err = analysis.OverRepeats(cmp.Effects); err != nil {
			return nil, fmt.Errorf("compare %s with %s on %s: %w", e.Name(), base.Name(), c.On, err)
		}
		out = append(out, cmp)
	}
	return out, nil
}

// effect measures the design's effect for one repeat: the
// design-by-field interaction when the comparison has a field contrast
// and the baseline was tested on both of its fields, else the paired
// shift on the compared test set, signed so that the paper's bias is
// positive.
func (c *Comparison) effect(x, b *results.Result) (analysis.Effect, error) {
	if f := c.Contrast; f != nil {
		xs, xe := x.Test(f.SpiralTest), x.Test(f.EllipticalTest)
		bs, be := b.Test(f.SpiralTest), b.Test(f.EllipticalTest)
		if xs != nil && xe != nil && bs != nil && be != nil {
			return analysis.Interaction(Calls(xs), Calls(xe), Calls(bs), Calls(be))
		}
	}
	sign := 1
	if c.Toward() == "fewer" {
		sign = -1
	}
	return analysis.PairedShift(Calls(x.Test(c.Test)), Calls(b.Test(c.BaselineTest)), sign)
}

// Calls lists which galaxies of a test set each network called spiral:
// every ensemble member where the result keeps them, else the one
// (ensemble-mean) answer.
func Calls(t *results.TestResult) *analysis.Calls {
	k := t.Networks()
	c := &analysis.Calls{IDs: make([]string, len(t.Predictions)), Class: make([]int, len(t.Predictions)), Spiral: make([][]bool, k)}
	for m := range c.Spiral {
		c.Spiral[m] = make([]bool, len(t.Predictions))
	}
	for i, p := range t.Predictions {
		c.IDs[i], c.Class[i] = p.ID, int(p.Class)
		if k == 1 {
			c.Spiral[0][i] = p.PSpiral > 0.5
			continue
		}
		for m, v := range p.Members {
			c.Spiral[m][i] = v > 0.5
		}
	}
	return c
}

// CurvePoint is the test accuracy at one training size: the mean over
// every network (ensemble members of every repeat) with a 95% t interval
// over them, so it covers training noise; Networks counts them.
type CurvePoint struct {
	X, Mean, Lo, Hi float64
	Networks        int
}

// Curve collects accuracy on a test set against the swept training size
// (train.n), one point per size; false when the experiment does not sweep
// train.n.
func (e *Experiment) Curve(test string) ([]CurvePoint, bool) {
	var pts []CurvePoint
	for _, v := range e.Variants {
		r := e.runs[v][0]
		n, ok := r.Job.Params["train.n"]
		if !ok {
			return nil, false
		}
		x, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return nil, false
		}
		var acc []float64
		for _, rr := range e.runs[v] {
			t := rr.Result.Test(test)
			if t == nil {
				continue
			}
			c := Calls(t)
			for m := range c.Spiral {
				right := 0
				for i, k := range c.Class {
					if c.Spiral[m][i] == (k == 1) {
						right++
					}
				}
				acc = append(acc, float64(right)/float64(len(c.Class)))
			}
		}
		s := stats.Summarise(acc)
		p := CurvePoint{X: x, Mean: s.Mean, Lo: s.Mean, Hi: s.Mean, Networks: len(acc)}
		if len(acc) > 1 {
			q := stats.StudentTQuantile(0.975, float64(len(acc)-1))
			p.Lo, p.Hi = math.Max(0, s.Mean-q*s.SE), math.Min(1, s.Mean+q*s.SE)
		}
		pts = append(pts, p)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
	return pts, len(pts) > 0
}

// DesignLabel writes a job's training design the way Table 16 does:
// "S f1, E f2 -> f1".
func DesignLabel(j *dsl.Job, test string) string {
	part := func(c sky.Class) string {
		var names []string
		for _, p := range j.Train[c.String()] {
			for _, f := range p.From {
				names = append(names, f)
			}
		}
		return c.Short() + " " + joinUnique(names)
	}
	return part(sky.Spiral) + ", " + part(sky.Elliptical) + " -> " + test
}

func joinUnique(names []string) string {
	seen := map[string]bool{}
	out := ""
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if out != "" {
			out += "+"
		}
		out += n
	}
	return out
}

// Fraction is the predicted spiral fraction on a test set (first
// variant) as the mean over the experiment's networks and repeats, with a
// 95% interval that covers training noise as well as test sampling where
// there are several networks (Effect.Noise says which).
func (e *Experiment) Fraction(test string) (analysis.Effect, error) {
	return e.VariantFraction(e.Variants[0], test)
}

// VariantFraction is a variant's predicted spiral fraction on a test set,
// the mean over its networks, with an interval covering training noise
// where there are several networks or repeats.
func (e *Experiment) VariantFraction(variant, test string) (analysis.Effect, error) {
	var per []analysis.Effect
	for _, r := range e.runs[variant] {
		t := r.Result.Test(test)
		if t == nil {
			return analysis.Effect{}, fmt.Errorf("experiment %s: result %s has no test set %s", e.Name(), r.Job.ShortHash(), test)
		}
		f, err := analysis.SpiralFraction(Calls(t))
		if err != nil {
			return analysis.Effect{}, fmt.Errorf("experiment %s, test %s: %w", e.Name(), test, err)
		}
		per = append(per, f)
	}
	f, err := analysis.OverRepeats(per)
	if err != nil {
		return f, err
	}
	if len(per) > 1 {
		f.Galaxies /= len(per) // one repeat's test set, for the logit's edge
		f.ProportionBounds()
	}
	return f, nil
}
