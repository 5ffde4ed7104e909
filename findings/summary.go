package findings

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/skybias/skybias/analysis"
)

// ComparisonRow is one comparison of a report in summary.json and
// comparisons.csv.
type ComparisonRow struct {
	Experiment string `json:"experiment"`
	Variant    string `json:"variant,omitempty"`
	Test       string `json:"test"`
	Baseline   string `json:"baseline"`
	// Kind is interaction, shift or repeats (see analysis.Effect).
	Kind   string  `json:"kind"`
	Effect float64 `json:"effect"`
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`
	// Noise says what the interval covers.
	Noise   string           `json:"noise"`
	P       float64          `json:"p"`
	PHolm   float64          `json:"p_holm"`
	Verdict analysis.Verdict `json:"verdict"`
	// NNetworks counts the trained networks behind the effect, both
	// sides and all repeats.
	NNetworks int `json:"n_networks"`
	Repeats   int `json:"repeats"`
	// The classical views, first repeat (null where they do not apply).
	McNemarP        float64  `json:"mcnemar_p"`
	PaperP          *float64 `json:"paper_binomial_p"`
	PaperPPublished *float64 `json:"paper_binomial_p_published"`
	PSpiral         float64  `json:"p_spiral"`
	BaselinePSpiral float64  `json:"baseline_p_spiral"`
	// Power is the chance of calling an effect of
	// analysis.ReferenceEffect with this comparison's standard error
	// and degrees of freedom: alone (P < family_alpha) and at Holm's
	// first step over the family (P < family_alpha / family).
	// GalaxiesFor80 is the test galaxies per class and field with which
	// the same networks reach 80% at Holm's first step (0: no test size
	// does; more networks are needed). For effects over repeats the power
	// is that of the repeated study (its SE from the spread over repeats)
	// and RepeatsFor80 replaces GalaxiesFor80: the repeats with which it
	// reaches 80% at Holm's first step (0: more than analysis.MaxRepeatsFor).
	// TrainAccuracy is the compared experiment's networks' final
	// training accuracy (mean over networks and repeats), and
	// NetworksFlagged counts its networks that diverged or did not learn
	// their training set (see the report).
	TrainAccuracy   *float64 `json:"train_accuracy,omitempty"`
	NetworksFlagged int      `json:"networks_flagged"`
	Power           *float64 `json:"power_reference,omitempty"`
	PowerHolm       *float64 `json:"power_reference_holm,omitempty"`
	GalaxiesFor80   *int     `json:"galaxies_per_class_field_for_80,omitempty"`
	RepeatsFor80    *int     `json:"repeats_for_80,omitempty"`
}

// Column is one column of a table of rows R as a report shows it: its
// header and how a row fills its cell.
type Column[R any] struct {
	Header string
	Cell   func(R) string
}

// ComparisonColumns are the columns of a report's comparisons table (in
// Markdown; the README's copies come from it). A field added to
// ComparisonRow reaches summary.json and comparisons.csv by itself, and
// this table by a line here: the row is the one schema of a comparison.
var ComparisonColumns = []Column[ComparisonRow]{
	{"experiment", func(c ComparisonRow) string {
		if c.Variant != "" {
			return c.Experiment + " (" + c.Variant + ")"
		}
		return c.Experiment
	}},
	{"test", func(c ComparisonRow) string { return c.Test }},
	{"baseline", func(c ComparisonRow) string { return c.Baseline }},
	{"effect [95% interval]", func(c ComparisonRow) string {
		return fmt.Sprintf("%+.3f [%+.3f, %+.3f]", c.Effect, c.CILow, c.CIHigh)
	}},
	{"interval covers", func(c ComparisonRow) string { return c.Noise }},
	{"P", func(c ComparisonRow) string { return FormatP(c.P) }},
	{"P (Holm)", func(c ComparisonRow) string { return FormatP(c.PHolm) }},
	{"verdict", func(c ComparisonRow) string { return c.Verdict.String() }},
	{fmt.Sprintf("power at %+.3f: alone / Holm", analysis.ReferenceEffect), func(c ComparisonRow) string {
		if c.Power == nil {
			return "-"
		}
		return fmt.Sprintf("%.2f / %.2f", *c.Power, *c.PowerHolm)
	}},
	{"test galaxies per class and field for 80% (Holm)", func(c ComparisonRow) string {
		switch {
		case c.Power == nil:
			return "-"
		case c.RepeatsFor80 != nil && *c.RepeatsFor80 > 0:
			return fmt.Sprintf("- (%d repeats)", *c.RepeatsFor80)
		case c.RepeatsFor80 != nil:
			return "- (more repeats)"
		case *c.GalaxiesFor80 > 0:
			return fmt.Sprint(*c.GalaxiesFor80)
		}
		return "none (more networks)"
	}},
	{"binomial rule P (our networks / published matrices)", func(c ComparisonRow) string {
		return formatPOrDash(c.PaperP) + " / " + formatPOrDash(c.PaperPPublished)
	}},
}

// FormatP writes a P value as reports print it: three decimals, or
// scientific below 1e-3, and "< 1e-300" below what a float64 holds.
func FormatP(p float64) string {
	switch {
	case p == 0 || p < 1e-300:
		return "< 1e-300"
	case p < 1e-3:
		return fmt.Sprintf("%.1e", p)
	}
	return fmt.Sprintf("%.3f", p)
}

func formatPOrDash(p *float64) string {
	if p == nil {
		return "-"
	}
	return FormatP(*p)
}

// StudyRow is one repeated comparison: how often its repeats, each judged
// alone, were called a shift. FalsePositiveRate is set where the study
// has no bias by construction, DetectionRate where it has one, ShiftRate
// always.
type StudyRow struct {
	Experiment string `json:"experiment"`
	// Variant names the sweep point (absent without a sweep): a swept
	// power study has one row per effect size.
	Variant           string   `json:"variant,omitempty"`
	Baseline          string   `json:"baseline"`
	Test              string   `json:"test"`
	Truth             string   `json:"truth,omitempty"`
	Repeats           int      `json:"repeats"`
	Shifts            int      `json:"shifts"`
	ShiftRate         float64  `json:"shift_rate"`
	FalsePositiveRate *float64 `json:"false_positive_rate,omitempty"`
	DetectionRate     *float64 `json:"detection_rate,omitempty"`
	RateCILow         float64  `json:"rate_ci_low"`
	RateCIHigh        float64  `json:"rate_ci_high"`
	// Family, where the study names one (compare.family), is the report
	// family each repeat is also judged in, at Holm's first step
	// (FamilyAlpha/Family): the shifts called there, their rate and its
	// interval.
	Family         int      `json:"family,omitempty"`
	ShiftsHolm     *int     `json:"shifts_holm,omitempty"`
	RateHolm       *float64 `json:"rate_holm,omitempty"`
	RateHolmCILow  *float64 `json:"rate_holm_ci_low,omitempty"`
	RateHolmCIHigh *float64 `json:"rate_holm_ci_high,omitempty"`
	// Effect is the mean of the repeats' effects with its 95% t
	// interval over the repeats: the effect size whose detection rate
	// the row measures.
	Effect       *float64 `json:"effect,omitempty"`
	EffectCILow  *float64 `json:"effect_ci_low,omitempty"`
	EffectCIHigh *float64 `json:"effect_ci_high,omitempty"`
	// ModelRate is the rate the variance model predicts: the power
	// (analysis.Power) of each repeat's own test, with its standard
	// error and degrees of freedom, at the mean effect, averaged over
	// the repeats; ModelRateHolm the same at Holm's first step of the
	// family. Beside the measured rate it checks the model the power
	// column of the comparisons comes from.
	ModelRate     *float64 `json:"model_rate,omitempty"`
	ModelRateHolm *float64 `json:"model_rate_holm,omitempty"`
}

// ProbeRow is one region probe in summary.json: the network's held-out
// accuracy at telling the regions apart, its interval and P against
// chance, its ROC AUC, and the simple probe's accuracy beside it.
type ProbeRow struct {
	Experiment string `json:"experiment"`
	// Variant names the sweep point (absent without a sweep).
	Variant string   `json:"variant,omitempty"`
	Regions []string `json:"regions"`
	Class   string   `json:"class"`
	// N and Test are training and held-out images per region (per class
	// with class "both").
	N        int     `json:"n"`
	Test     int     `json:"test"`
	Repeats  int     `json:"repeats"`
	Accuracy float64 `json:"accuracy"`
	CILow    float64 `json:"ci_low"`
	CIHigh   float64 `json:"ci_high"`
	// Noise says what the interval covers.
	Noise               string  `json:"noise"`
	P                   float64 `json:"p"`
	AUC                 float64 `json:"auc"`
	AUCLow              float64 `json:"auc_ci_low"`
	AUCHigh             float64 `json:"auc_ci_high"`
	SimpleProbeAccuracy float64 `json:"simple_probe_accuracy"`
	SimpleProbeCILow    float64 `json:"simple_probe_ci_low"`
	SimpleProbeCIHigh   float64 `json:"simple_probe_ci_high"`
	// RepeatsAtChance counts repeats whose interval covers 1/2 with P of
	// at least findings.ChanceLevel, among those whose network learned.
	RepeatsAtChance int `json:"repeats_at_chance"`
	// TrainAccuracy is the networks' final training accuracy (mean over
	// networks and repeats, with the smallest and largest); absent when
	// no training history is stored.
	TrainAccuracy    *float64 `json:"train_accuracy,omitempty"`
	TrainAccuracyMin *float64 `json:"train_accuracy_min,omitempty"`
	TrainAccuracyMax *float64 `json:"train_accuracy_max,omitempty"`
	// RepeatsNotLearned counts repeats whose network did not learn (one
	// answer or one side for every held-out image, or a training accuracy
	// at 1/2); NotLearned says why for the first.
	RepeatsNotLearned int    `json:"repeats_not_learned"`
	NotLearned        string `json:"not_learned,omitempty"`
}

// Summary is summary.json: the machine-readable outcome of a report.
type Summary struct {
	Title       string  `json:"title"`
	FamilyAlpha float64 `json:"family_alpha"`
	// Family is the number of distinct comparisons Holm's method adjusts
	// over; SameAs lists the rows that repeat another and count once.
	Family      int             `json:"family"`
	SameAs      []string        `json:"same_as,omitempty"`
	Comparisons []ComparisonRow `json:"comparisons"`
	Studies     []StudyRow      `json:"studies"`
	Probes      []ProbeRow      `json:"probes,omitempty"`
	// Anisotropy holds the dipole of every annotated catalog tested.
	Anisotropy []AnisotropyRow `json:"anisotropy,omitempty"`
	// Multipoles holds every order of every multipole fit of those
	// catalogs (where the study asks for lmax).
	Multipoles []MultipoleRow `json:"multipoles,omitempty"`
	// Agreement sets our tables beside the paper's (absent when no
	// experiment reproduces a published table).
	Agreement *Agreement `json:"agreement,omitempty"`
}

// Summary gathers the comparisons and repeated studies under a title.
func (r *Findings) Summary(title string) Summary {
	s := Summary{Title: title, FamilyAlpha: analysis.FamilyAlpha, Family: r.Family, SameAs: r.Same, Comparisons: []ComparisonRow{}, Studies: []StudyRow{}}
	for _, c := range r.Comparisons {
		if len(c.Effects) == 0 {
			continue
		}
		row := ComparisonRow{Experiment: c.Experiment, Variant: c.Variant, Test: c.Test, Baseline: c.Baseline, Kind: c.Effect.Kind,
			Effect: c.Effect.Estimate, CILow: c.Effect.Lo, CIHigh: c.Effect.Hi, Noise: c.Effect.Noise(), P: c.Decision.P, PHolm: c.Decision.PHolm,
			Verdict: c.Decision.Verdict, NNetworks: c.Effect.NX + c.Effect.NB, Repeats: len(c.Effects),
			McNemarP: c.McNemar[0].P, PSpiral: c.PSpiral, BaselinePSpiral: c.BaseSpiral}
		if c.Paper != nil {
			row.PaperP = &c.Paper.P
		}
		if c.PaperPublished != nil {
			row.PaperPPublished = &c.PaperPublished.P
		}
		if x := r.ByName[c.Experiment]; x != nil {
			if tr := x.Training(); tr.Networks > 0 {
				m := tr.Mean
				row.TrainAccuracy, row.NetworksFlagged = &m, len(tr.Diverged)+len(tr.NotLearn)
			}
		}
		if e := c.Effect; e.Kind == "interaction" || e.Kind == "shift" {
			alpha, holm := analysis.FamilyAlpha, analysis.FamilyAlpha/float64(max(1, r.Family))
			pw, ph := analysis.Power(e.SE, e.DF, analysis.ReferenceEffect, alpha), analysis.Power(e.SE, e.DF, analysis.ReferenceEffect, holm)
			// Strata: two classes on each field of an interaction,
			// two classes on the one test set of a shift.
			strata := 2
			if e.Kind == "interaction" {
				strata = 4
			}
			g := (e.GalaxiesFor(analysis.ReferenceEffect, holm, 0.8) + strata - 1) / strata
			row.Power, row.PowerHolm, row.GalaxiesFor80 = &pw, &ph, &g
		} else if e.Kind == "repeats" && e.SE > 0 {
			alpha, holm := analysis.FamilyAlpha, analysis.FamilyAlpha/float64(max(1, r.Family))
			pw, ph := analysis.Power(e.SE, e.DF, analysis.ReferenceEffect, alpha), analysis.Power(e.SE, e.DF, analysis.ReferenceEffect, holm)
			n := e.RepeatsFor(analysis.ReferenceEffect, holm, 0.8)
			row.Power, row.PowerHolm, row.RepeatsFor80 = &pw, &ph, &n
		}
		s.Comparisons = append(s.Comparisons, row)
		if len(c.Effects) < 2 {
			continue
		}
		rate := c.Rate()
		st := StudyRow{Experiment: c.Experiment, Variant: c.Variant, Baseline: c.Baseline, Test: c.Test, Truth: c.Truth, Repeats: rate.Repeats, Shifts: rate.Calls,
			ShiftRate: rate.Rate, RateCILow: rate.Lo, RateCIHigh: rate.Hi}
		if c.Family > 0 {
			h := c.RateAt(analysis.FamilyAlpha / float64(c.Family))
			st.Family, st.ShiftsHolm, st.RateHolm, st.RateHolmCILow, st.RateHolmCIHigh = c.Family, &h.Calls, &h.Rate, &h.Lo, &h.Hi
		}
		if e := c.Effect; e.Kind == "repeats" {
			est, lo, hi := e.Estimate, e.Lo, e.Hi
			st.Effect, st.EffectCILow, st.EffectCIHigh = &est, &lo, &hi
			m := modelRate(c.Effects, est, analysis.FamilyAlpha)
			st.ModelRate = &m
			if c.Family > 0 {
				mh := modelRate(c.Effects, est, analysis.FamilyAlpha/float64(c.Family))
				st.ModelRateHolm = &mh
			}
		}
		v := rate.Rate
		switch c.Truth {
		case "none":
			st.FalsePositiveRate = &v
		case "bias":
			st.DetectionRate = &v
		}
		s.Studies = append(s.Studies, st)
	}
	s.Agreement = r.Agreement()
	s.Anisotropy = anisotropyRows(r.Anisotropy)
	s.Multipoles = multipoleRows(r.Anisotropy)
	for _, p := range r.Probes {
		pr := p.Job.Probe
		s.Probes = append(s.Probes, ProbeRow{Experiment: p.Experiment, Variant: p.Variant, Regions: pr.Regions, Class: pr.Class, N: pr.N, Test: pr.Test,
			Repeats: p.Repeats(), Accuracy: p.Accuracy, CILow: p.Lo, CIHigh: p.Hi, Noise: p.Noise, P: p.P,
			AUC: p.AUC, AUCLow: p.AUCLo, AUCHigh: p.AUCHi, SimpleProbeAccuracy: p.SimpleAccuracy,
			SimpleProbeCILow: p.SimpleLo, SimpleProbeCIHigh: p.SimpleHi, RepeatsAtChance: p.AtChance,
			RepeatsNotLearned: p.NotLearned, NotLearned: p.Why})
		if !math.IsNaN(p.TrainAccuracy) {
			row := &s.Probes[len(s.Probes)-1]
			a, lo, hi := p.TrainAccuracy, p.TrainMin, p.TrainMax
			row.TrainAccuracy, row.TrainAccuracyMin, row.TrainAccuracyMax = &a, &lo, &hi
		}
	}
	return s
}

// JSON encodes the summary as summary.json holds it.
func (s Summary) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	return append(b, '\n'), err
}

// CSV writes comparisons.csv: one row per comparison, the columns of
// ComparisonRow (FlatCSV).
func (s Summary) CSV() ([]byte, error) { return FlatCSV(s.Comparisons) }

// Tables are the flat tables of a report folder beside summary.json, by
// file name: comparisons.csv always, probes.csv and anisotropy.csv where
// the report has probes or catalogs.
func (s Summary) Tables() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, t := range []struct {
		name string
		rows any
		keep bool
	}{
		{"comparisons.csv", s.Comparisons, true},
		{"probes.csv", s.Probes, len(s.Probes) > 0},
		{"anisotropy.csv", s.Anisotropy, len(s.Anisotropy) > 0},
		{"multipoles.csv", s.Multipoles, len(s.Multipoles) > 0},
	} {
		if !t.keep {
			continue
		}
		b, err := FlatCSV(t.rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		out[t.name] = b
	}
	return out, nil
}

// ReadSummary reads a report folder's summary.json.
func ReadSummary(path string) (Summary, error) {
	var s Summary
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// modelRate is the rate at which the variance model expects repeats to
// be called at level alpha when the true effect is delta: each repeat's
// power with its own standard error and degrees of freedom, averaged.
func modelRate(effs []analysis.Effect, delta, alpha float64) float64 {
	var sum float64
	for _, e := range effs {
		sum += analysis.Power(e.SE, e.DF, delta, alpha)
	}
	return sum / float64(len(effs))
}
