package findings

import (
	"math"
	"sort"
)

// AgreementRow sets one of our tables beside the paper's: p(spiral) and
// accuracy on the table's test set (our first repeat), and, where the
// table is compared with a baseline table that the paper also printed,
// the shift of p(spiral) against it.
type AgreementRow struct {
	Table      int    `json:"table"`
	Experiment string `json:"experiment"`
	Test       string `json:"test"`
	// PSpiral and Accuracy are ours; Published* the paper's, computed
	// from its printed confusion matrix.
	PSpiral           float64 `json:"p_spiral"`
	PublishedPSpiral  float64 `json:"published_p_spiral"`
	Accuracy          float64 `json:"accuracy"`
	PublishedAccuracy float64 `json:"published_accuracy"`
	// Baseline is the table the shift is against (0: no shift).
	Baseline       int     `json:"baseline_table,omitempty"`
	Shift          float64 `json:"shift,omitempty"`
	PublishedShift float64 `json:"published_shift,omitempty"`
}

// SameSign reports whether our shift and the published one point the same
// way (a zero counts as neither).
func (a AgreementRow) SameSign() bool {
	return a.Baseline != 0 && a.Shift*a.PublishedShift > 0
}

// Agreement measures how close our tables are to the paper's.
type Agreement struct {
	Rows []AgreementRow `json:"rows"`
	// MeanAbsPSpiral and MeanAbsAccuracy are the mean absolute
	// differences over the rows.
	MeanAbsPSpiral  float64 `json:"mean_abs_diff_p_spiral"`
	MeanAbsAccuracy float64 `json:"mean_abs_diff_accuracy"`
	// SameSign of Shifts rows shift the same way as the paper's.
	SameSign int `json:"shifts_same_sign"`
	Shifts   int `json:"shifts"`
	// LevelBenchmarks sets the p(spiral) agreement beside null
	// predictors, for all, tuned and held-out tables.
	LevelBenchmarks []NullBenchmark `json:"level_null_predictors,omitempty"`
	// Effects compares design effects (half the design-by-mirror
	// interaction), ours and published; EffectBenchmarks sets them beside
	// the predictor "no effect".
	Effects          []EffectRow     `json:"effects,omitempty"`
	EffectBenchmarks []NullBenchmark `json:"effect_null_predictors,omitempty"`
	// Survival says which published comparisons stand out from the
	// noise of two independently trained networks.
	Survival []SurvivalRow `json:"survival,omitempty"`
	// Table4 sets the published Table 4 network beside its design's
	// bootstrap (nil without it).
	Table4 *Table4Check `json:"table4_against_bootstrap,omitempty"`
	// NoiseOurs is our networks' own spread of p(spiral) on the
	// ps1-paper survey that the survival table uses.
	NoiseOurs *NetworkNoise `json:"network_noise_ours,omitempty"`
}

func rate(c [2][2]int) (pSpiral, accuracy float64) {
	n := float64(c[0][0] + c[0][1] + c[1][0] + c[1][1])
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	return float64(c[0][1]+c[1][1]) / n, float64(c[0][0]+c[1][1]) / n
}

// Agreement compares every experiment that reproduces a published table
// (paper.table) with it; nil when there is none.
func (f *Findings) Agreement() *Agreement {
	a := &Agreement{}
	for _, e := range f.Experiments {
		pub := f.PublishedFor(e)
		if pub == nil {
			continue
		}
		test := e.MainTest()
		ts, err := e.TestStats(e.Variants[0], test)
		if err != nil {
			continue
		}
		row := AgreementRow{Table: pub.Table, Experiment: e.Name(), Test: test, PSpiral: ts.PSpiral, Accuracy: ts.Accuracy.Values[0]}
		row.PublishedPSpiral, row.PublishedAccuracy = rate(pub.Confusion)
		for _, c := range f.Comparisons {
			if c.Experiment != e.Name() || c.Test != test || len(c.McNemar) == 0 {
				continue
			}
			base := f.ByName[c.Baseline]
			if base == nil || f.PublishedFor(base) == nil {
				continue
			}
			bp, _ := rate(f.PublishedFor(base).Confusion)
			row.Baseline = f.PublishedFor(base).Table
			row.Shift, row.PublishedShift = c.PSpiral-c.BaseSpiral, row.PublishedPSpiral-bp
			break
		}
		a.Rows = append(a.Rows, row)
	}
	if len(a.Rows) == 0 {
		return nil
	}
	sort.Slice(a.Rows, func(i, j int) bool { return a.Rows[i].Table < a.Rows[j].Table })
	for _, r := range a.Rows {
		a.MeanAbsPSpiral += math.Abs(r.PSpiral-r.PublishedPSpiral) / float64(len(a.Rows))
		a.MeanAbsAccuracy += math.Abs(r.Accuracy-r.PublishedAccuracy) / float64(len(a.Rows))
		if r.Baseline != 0 {
			a.Shifts++
			if r.SameSign() {
				a.SameSign++
			}
		}
	}
	a.LevelBenchmarks = a.Benchmarks()
	a.Effects = f.EffectRows()
	a.EffectBenchmarks = EffectBenchmark(a.Effects)
	a.Survival = f.Survival()
	a.Table4 = f.Table4()
	if nn := f.NetworkNoise("ps1-paper"); nn.Tests > 0 {
		a.NoiseOurs = &nn
	}
	return a
}
