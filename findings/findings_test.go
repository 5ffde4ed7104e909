package findings

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/stats"
)

func TestPublishedTables(t *testing.T) {
	pub, err := PublishedTables()
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != 13 || pub[6].Confusion != [2][2]int{{7749, 251}, {408, 7592}} || pub[6].PSpiral != 0.49 || pub[12].Survey != "sdss" {
		t.Fatalf("published: %+v", pub[6])
	}
}

func TestVerdictFromEffects(t *testing.T) {
	eff := func(est, p float64) analysis.Effect { return analysis.Effect{Estimate: est, P: p} }
	cases := []struct {
		name    string
		effects []analysis.Effect // per repeat
		verdict string
		rate    int // repeats called a shift, each alone
	}{
		{"clear shift", []analysis.Effect{eff(0.2, 1e-9)}, "**shift**", 1},
		{"against the design", []analysis.Effect{eff(-0.2, 1e-9)}, "**reverse shift**", 1},
		{"within noise", []analysis.Effect{eff(0.05, 0.3)}, "no shift", 0},
		{"repeats, some called", []analysis.Effect{eff(0.1, 0.01), eff(0.02, 0.6), eff(0.12, 0.04)}, "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmp := &Comparison{Test: "f1", McNemar: make([]stats.McNemarTest, len(c.effects)), Effects: c.effects}
			var err error
			if cmp.Effect, err = analysis.OverRepeats(c.effects); err != nil {
				t.Fatal(err)
			}
			cmp.Decision = analysis.Decide([]analysis.Effect{cmp.Effect}, analysis.FamilyAlpha)[0]
			if c.verdict != "" {
				if got := cmp.Verdict(); got != c.verdict {
					t.Errorf("Verdict = %q, want %q", got, c.verdict)
				}
			}
			if got := cmp.Rate(); got.Calls != c.rate || got.Repeats != len(c.effects) {
				t.Errorf("Rate = %v, want %d of %d", got, c.rate, len(c.effects))
			}
		})
	}
}

func TestAgreementRates(t *testing.T) {
	tests := []struct {
		name     string
		c        [2][2]int
		pS, acc  float64
		row      AgreementRow
		sameSign bool
	}{
		{"table 6 as printed", [2][2]int{{7749, 251}, {408, 7592}}, 7843.0 / 16000, 15341.0 / 16000, AgreementRow{Baseline: 3, Shift: 0.1, PublishedShift: 0.028}, true},
		{"opposite shifts", [2][2]int{{1, 1}, {1, 1}}, 0.5, 0.5, AgreementRow{Baseline: 3, Shift: -0.16, PublishedShift: 0.029}, false},
		{"no baseline", [2][2]int{{3, 1}, {0, 4}}, 5.0 / 8, 7.0 / 8, AgreementRow{Shift: 0.1, PublishedShift: 0.1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, a := rate(tc.c)
			if p != tc.pS || a != tc.acc {
				t.Errorf("rate = %g, %g; want %g, %g", p, a, tc.pS, tc.acc)
			}
			if got := tc.row.SameSign(); got != tc.sameSign {
				t.Errorf("SameSign = %v, want %v", got, tc.sameSign)
			}
		})
	}
}

// TestFamilyCountsDistinctComparisons: two rows that run the same jobs and
// give the same effect (Tables 12 and 13 tested on each other's field, a
// dose-0 job in several studies) are one test in Holm's family; a row
// with other jobs is another.
func TestFamilyCountsDistinctComparisons(t *testing.T) {
	exp := func(name string, seed uint64) *Experiment {
		j := &dsl.Job{Experiment: name, SplitSeed: seed}
		return &Experiment{Plan: &dsl.Plan{Experiment: name}, Variants: []string{""}, runs: map[string][]Run{"": {{Job: j}}}}
	}
	f := &Findings{ByName: map[string]*Experiment{}}
	for _, e := range []*Experiment{exp("table12", 1), exp("table13", 1), exp("other", 2), exp("base", 3)} {
		f.ByName[e.Name()] = e
	}
	same := analysis.Effect{Kind: "interaction", Estimate: 0.04, SE: 0.015, P: 0.012}
	other := analysis.Effect{Kind: "interaction", Estimate: 0.01, SE: 0.02, P: 0.6}
	f.Comparisons = []*Comparison{
		{Experiment: "table12", Test: "A", Baseline: "base", Effect: same},
		{Experiment: "table13", Test: "B", Baseline: "base", Effect: same},
		{Experiment: "other", Test: "A", Baseline: "base", Effect: other},
	}
	f.decide()
	if f.Family != 2 || len(f.Same) != 1 || !strings.Contains(f.Same[0], "table13 on B against base equals table12 on A against base") {
		t.Fatalf("family %d, same %q; want 2 distinct and table13 named as table12's twin", f.Family, f.Same)
	}
	// Holm over two: the smaller P doubles (three rows would triple it).
	if got := f.Comparisons[0].Decision.PHolm; math.Abs(got-0.024) > 1e-12 || f.Comparisons[1].Decision != f.Comparisons[0].Decision {
		t.Errorf("P (Holm) %g and twin %+v; want 0.024 for both", got, f.Comparisons[1].Decision)
	}
}

// TestProbeNotLearned: a probe network that gives every held-out image
// the same answer (the real RA-band probe's identical confusion rows) is
// reported as "did not learn", never as a repeat at chance, and its
// training accuracy is carried; one that learned is judged as before.
func TestProbeNotLearned(t *testing.T) {
	probeExp := func(answer func(i, region int) float64, trainAcc float64) *Experiment {
		job := &dsl.Job{Experiment: "p", Probe: &dsl.Probe{Regions: []string{"a", "b"}, Class: "spiral", N: 40, Test: 40}}
		pr := &results.ProbeResult{Regions: []string{"a", "b"}}
		for i := 0; i < 80; i++ {
			region := i % 2
			pr.Predictions = append(pr.Predictions, results.ProbePrediction{ID: fmt.Sprint(i), Region: region, P: answer(i, region), Simple: 0.5 + 0.01*float64(region)})
		}
		res := &results.Result{Probe: pr, History: &netspec.History{Epochs: []netspec.EpochStats{{Epoch: 1, Acc: 0.5}, {Epoch: 2, Acc: trainAcc}}}}
		return &Experiment{Plan: &dsl.Plan{Experiment: "p"}, Variants: []string{""}, runs: map[string][]Run{"": {{Job: job, Result: res}}}}
	}
	constant, err := newProbeFinding(probeExp(func(int, int) float64 { return 0.4 }, 0.93), "")
	if err != nil {
		t.Fatal(err)
	}
	if constant.NotLearned != 1 || constant.AtChance != 0 || !strings.Contains(constant.Why, "same answer") || constant.TrainAccuracy != 0.93 {
		t.Errorf("constant output: not learned %d (%q), at chance %d, training accuracy %g; want 1, 0 and 0.93",
			constant.NotLearned, constant.Why, constant.AtChance, constant.TrainAccuracy)
	}
	// A network whose answers vary but carry no region: at chance.
	noise, err := newProbeFinding(probeExp(func(i, _ int) float64 { return 0.3 + 0.4*float64((i/2)%2) }, 0.9), "")
	if err != nil {
		t.Fatal(err)
	}
	if noise.NotLearned != 0 || noise.AtChance != 1 {
		t.Errorf("varying answers without a cue: not learned %d (%q), at chance %d; want 0 and 1", noise.NotLearned, noise.Why, noise.AtChance)
	}
}

// TestSingleClassNetworkDoesNotStopTheReport: a network that calls every
// galaxy spiral leaves the field contrast without information; the
// findings are still made, the repeat flagged (issue 34: the whole
// report, run.json included, was not written).
func TestSingleClassNetworkDoesNotStopTheReport(t *testing.T) {
	allSpiral := results.TestResult{Name: "f1", Confusion: [2][2]int{{0, 50}, {0, 50}}}
	other := results.TestResult{Name: "f2", Confusion: [2][2]int{{0, 50}, {0, 50}}}
	allSpiral.Predictions = make([]results.Prediction, 100)
	other.Predictions = make([]results.Prediction, 100)
	job := &dsl.Job{Experiment: "x", Train: map[string][]dsl.Part{"spiral": {{From: []string{"f1"}, N: 10}}, "elliptical": {{From: []string{"f2"}, N: 10}}},
		Tests: []dsl.Test{{Name: "f1", From: []string{"f1"}, N: 50}, {Name: "f2", From: []string{"f2"}, N: 50}}}
	e := &Experiment{Plan: &dsl.Plan{Experiment: "x"}, Variants: []string{""}, runs: map[string][]Run{"": {{Job: job, Result: &results.Result{Tests: []results.TestResult{allSpiral, other}}}}}}
	fc, err := e.Contrast("")
	if err != nil {
		t.Fatalf("a single-class network: %v", err)
	}
	if fc == nil || fc.Uninformative != 1 || fc.Tests[0].PGreater != 1 {
		t.Fatalf("contrast %+v; want one uninformative repeat with P 1", fc)
	}
}

// TestTrainingFlagsDivergedAndNotLearned: a network whose loss blew up
// (adam.lr far too large) and one whose training accuracy stayed at 1/2
// are each named, and the accuracy over networks is carried.
func TestTrainingFlagsDivergedAndNotLearned(t *testing.T) {
	h := func(loss, acc float64) *netspec.History {
		return &netspec.History{Epochs: []netspec.EpochStats{{Epoch: 1, Loss: 0.69, Acc: 0.5}, {Epoch: 2, Loss: loss, Acc: acc}}}
	}
	res := &results.Result{History: h(0.2, 0.93), Members: []*netspec.History{h(0.2, 0.93), h(math.NaN(), 0.5), h(0.69, 0.51)}}
	e := &Experiment{Plan: &dsl.Plan{Experiment: "x"}, Variants: []string{""}, runs: map[string][]Run{"": {{Job: &dsl.Job{Experiment: "x"}, Result: res}}}}
	tr := e.Training()
	if tr.Networks != 3 || len(tr.Diverged) != 1 || len(tr.NotLearn) != 1 || tr.Max != 0.93 {
		t.Fatalf("%+v; want 3 networks, one diverged, one that did not learn", tr)
	}
	if w := tr.Words(); !strings.Contains(w, "Diverged: 1") || !strings.Contains(w, "Did not learn its training set: 1") {
		t.Errorf("words: %s", w)
	}
}

// TestRepeatedRowsCarryPower holds a comparison over repeats to the power
// of its repeated study and the repeats it needs, in the table.
func TestRepeatedRowsCarryPower(t *testing.T) {
	eff := func(est float64) analysis.Effect { return analysis.Effect{Estimate: est, P: 0.2} }
	e, err := analysis.OverRepeats([]analysis.Effect{eff(0.03), eff(0.05), eff(0.02), eff(0.04)})
	if err != nil {
		t.Fatal(err)
	}
	r := &Findings{ByName: map[string]*Experiment{}, Family: 1}
	r.Comparisons = []*Comparison{{Experiment: "x", Test: "f1", Baseline: "b", Effect: e,
		Effects: make([]analysis.Effect, 4), McNemar: make([]stats.McNemarTest, 4), Decision: analysis.Decision{P: e.P, PHolm: e.P}}}
	row := r.Summary("t").Comparisons[0]
	if row.Power == nil || row.RepeatsFor80 == nil || row.GalaxiesFor80 != nil {
		t.Fatalf("row %+v", row)
	}
	want := analysis.Power(e.SE, e.DF, analysis.ReferenceEffect, analysis.FamilyAlpha)
	if *row.Power != want || *row.RepeatsFor80 != e.RepeatsFor(analysis.ReferenceEffect, analysis.FamilyAlpha, 0.8) || *row.RepeatsFor80 < 2 {
		t.Errorf("power %v (want %v), repeats %d", *row.Power, want, *row.RepeatsFor80)
	}
	var cell string
	for _, c := range ComparisonColumns {
		if strings.HasPrefix(c.Header, "test galaxies per class and field") {
			cell = c.Cell(row)
		}
	}
	if cell != fmt.Sprintf("- (%d repeats)", *row.RepeatsFor80) {
		t.Errorf("table cell %q", cell)
	}
}

// TestRateAtHolmStep: each repeat judged alone at 0.05 and at Holm's
// first step of a family of 8 (P < 0.00625).
func TestRateAtHolmStep(t *testing.T) {
	c := &Comparison{Family: 8}
	for _, p := range []float64{0.001, 0.004, 0.02, 0.3, 0.0062, 0.0063} {
		c.Effects = append(c.Effects, analysis.Effect{Estimate: 0.03, SE: 0.01, P: p})
	}
	alone, holm := c.Rate(), c.RateAt(analysis.FamilyAlpha/float64(c.Family))
	if alone.Calls != 5 || holm.Calls != 3 || alone.Repeats != 6 || !(holm.Lo < 0.5 && 0.5 < holm.Hi) {
		t.Errorf("alone %+v (want 5 of 6), at Holm's first step %+v (want 3 of 6)", alone, holm)
	}
}

// TestStudyRowsCarryModelRate: a repeated study's row carries the mean
// effect over its repeats and the rate the variance model predicts at it
// (each repeat's power at the mean effect, averaged), alone and at Holm's
// first step.
func TestStudyRowsCarryModelRate(t *testing.T) {
	var effs []analysis.Effect
	for i, est := range []float64{0.03, 0.05, 0.02, 0.04} {
		se := 0.01 + 0.002*float64(i)
		effs = append(effs, analysis.Effect{Kind: "interaction", Estimate: est, SE: se, DF: 4, P: 0.01 * float64(i+1)})
	}
	e, err := analysis.OverRepeats(effs)
	if err != nil {
		t.Fatal(err)
	}
	r := &Findings{ByName: map[string]*Experiment{}, Family: 8}
	r.Comparisons = []*Comparison{{Experiment: "x", Variant: "source.contrast=1", Test: "f1", Baseline: "b", Truth: "bias", Family: 8, Effect: e,
		Effects: effs, McNemar: make([]stats.McNemarTest, 4), Decision: analysis.Decision{P: e.P, PHolm: e.P}}}
	s := r.Summary("t")
	if len(s.Studies) != 1 {
		t.Fatalf("%d study rows", len(s.Studies))
	}
	st := s.Studies[0]
	if st.Effect == nil || *st.Effect != 0.035 || !(*st.EffectCILow < 0.035 && 0.035 < *st.EffectCIHigh) {
		t.Fatalf("mean effect %v [%v, %v], want 0.035 inside its interval", st.Effect, st.EffectCILow, st.EffectCIHigh)
	}
	var want, wantHolm float64
	for _, x := range effs {
		want += analysis.Power(x.SE, x.DF, 0.035, analysis.FamilyAlpha) / 4
		wantHolm += analysis.Power(x.SE, x.DF, 0.035, analysis.FamilyAlpha/8) / 4
	}
	if st.ModelRate == nil || st.ModelRateHolm == nil || math.Abs(*st.ModelRate-want) > 1e-12 || math.Abs(*st.ModelRateHolm-wantHolm) > 1e-12 || !(*st.ModelRateHolm < *st.ModelRate) {
		t.Fatalf("model rate %v / %v, want %v / %v", st.ModelRate, st.ModelRateHolm, want, wantHolm)
	}
}
