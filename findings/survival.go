package findings

import (
	"math"

	"github.com/skybias/skybias/analysis"
)

// paperBootstrap is what section 4 of the paper says of 100 random
// train/test splits of two designs (Pan-STARRS, 8,000 test galaxies per
// class): the mean number of misclassified ellipticals and spirals, each
// "+-" a spread, and the largest count of misclassified ellipticals.
type paperBootstrap struct {
	table                        int // the design's table
	meanE, pmE, maxE, meanS, pmS float64
}

// paperBootstraps: Table 6's design (tested on field 1) and Table 4's
// (field 2), as printed.
var paperBootstraps = map[int]paperBootstrap{
	6: {6, 247.4, 1.1, 291, 406.1, 1.4},
	4: {4, 216.2, 1.0, 277, 473, 1.4},
}

// BootstrapSplits is the number of splits the paper's "+-" is over.
const BootstrapSplits = 100

// expectedMax100 is the expected largest of 100 standard normal draws.
const expectedMax100 = 2.508

// networkSD is one network's standard deviation of p(spiral) on n test
// galaxies per class, from a bootstrap: read as standard errors over the
// splits (fromSE: SD = pm x sqrt(100)), or from the largest count of
// misclassified ellipticals (SD of that count = (max - mean) / 2.508,
// the spirals' SD scaled alike). The two kinds of error are taken as
// independent.
func (b paperBootstrap) networkSD(n int, fromSE bool) float64 {
	sdE, sdS := b.pmE*math.Sqrt(BootstrapSplits), b.pmS*math.Sqrt(BootstrapSplits)
	if !fromSE {
		scale := (b.maxE - b.meanE) / expectedMax100 / sdE
		sdE, sdS = sdE*scale, sdS*scale
	}
	return math.Hypot(sdE, sdS) / float64(2*n)
}

// survivalPair is one of the paper's comparisons: design table against
// baseline table on one test field; sign +1 where that field gave the
// design's training spirals (the bias predicts more spirals), -1 where it
// gave its ellipticals. Printed marks the comparisons whose binomial test
// the paper printed.
type survivalPair struct {
	design, baseline, sign int
	printed                bool
}

// survivalPairs: every published design against the published baseline
// trained and tested on the same field (Pan-STARRS; the paper printed no
// SDSS baseline, and its SDSS tests compare one network on two fields).
var survivalPairs = []survivalPair{
	{6, 3, 1, true}, {7, 4, -1, true}, {8, 3, -1, false}, {9, 4, 1, false}, {10, 4, -1, false}, {11, 4, 1, false},
}

// SurvivalRow says whether one published comparison's shift stands out
// from the noise two independently trained networks would show on the
// same test set. Shift is the published p(spiral) of the design's table
// minus the baseline's, signed so the paper's bias is positive. Each
// Noise is the standard deviation of the difference between two
// networks' p(spiral); Z the shift over it.
type SurvivalRow struct {
	Design   int  `json:"design_table"`
	Baseline int  `json:"baseline_table"`
	Printed  bool `json:"printed_by_paper"`
	// N is the test galaxies per class.
	N     int     `json:"test_per_class"`
	Shift float64 `json:"shift"`
	// NoiseBootstrapSE reads the paper's "+-" as a standard error over
	// its 100 splits; NoiseBootstrapMax takes the spread from the
	// largest count; NoiseOurs is our networks' spread (training and the
	// network-by-galaxy interaction), projected to N.
	NoiseBootstrapSE  float64 `json:"noise_bootstrap_se"`
	NoiseBootstrapMax float64 `json:"noise_bootstrap_max"`
	NoiseOurs         float64 `json:"noise_ours"`
	ZBootstrapSE      float64 `json:"z_bootstrap_se"`
	ZBootstrapMax     float64 `json:"z_bootstrap_max"`
	ZOurs             float64 `json:"z_ours"`
}

// StandsOut says, for each reading of the noise (bootstrap as SE,
// bootstrap from the largest count, our networks), whether the shift
// exceeds 2 SD of it.
func (r SurvivalRow) StandsOut() [3]bool {
	return [3]bool{math.Abs(r.ZBootstrapSE) > 2, math.Abs(r.ZBootstrapMax) > 2, math.Abs(r.ZOurs) > 2}
}

// Table4Check is how far the published Table 4 network's count of
// misclassified ellipticals lies from the mean of the paper's own 100
// splits of that design: the excess count, and in units of one network's
// SD under the two readings of the bootstrap's "+-".
type Table4Check struct {
	Published int     `json:"published_ellipticals_misclassified"`
	Mean      float64 `json:"bootstrap_mean"`
	Max       float64 `json:"bootstrap_max"`
	Excess    float64 `json:"excess"`
	ZSE       float64 `json:"z_bootstrap_se"`
	ZMax      float64 `json:"z_bootstrap_max"`
}

// NetworkNoise is one trained network's own spread in p(spiral),
// measured from the ensembles of a set of experiments: Train is the
// variance of a network's p(spiral) between networks trained alike (the
// network part), Interaction the network-by-galaxy variance of one call,
// which adds Interaction/N for a test set of N galaxies.
type NetworkNoise struct {
	Train       float64 `json:"train_var"`
	Interaction float64 `json:"interaction_var"`
	// Tests counts the test sets (with two or more networks) averaged.
	Tests int `json:"tests"`
}

// SD is one network's standard deviation of p(spiral) on n galaxies.
func (nn NetworkNoise) SD(n int) float64 { return math.Sqrt(nn.Train + nn.Interaction/float64(n)) }

// NetworkNoise averages, over the first repeat of every experiment whose
// source is survey and whose networks are two or more, the network part
// and the interaction of p(spiral) on each test set.
func (f *Findings) NetworkNoise(survey string) NetworkNoise {
	var nn NetworkNoise
	for _, e := range f.Experiments {
		r := e.First()
		if r.Job.Source.Name != survey {
			continue
		}
		for i := range r.Result.Tests {
			c := Calls(&r.Result.Tests[i])
			if c.Networks() < 2 {
				continue
			}
			fe, err := analysis.SpiralFraction(c)
			if err != nil {
				continue
			}
			m, n := float64(fe.NX), float64(fe.Galaxies)
			nn.Train += fe.VarTrain * m
			nn.Interaction += fe.VarShared * m * n
			nn.Tests++
		}
	}
	if nn.Tests > 0 {
		nn.Train /= float64(nn.Tests)
		nn.Interaction /= float64(nn.Tests)
	}
	return nn
}

// Survival builds the survival table of the paper's Pan-STARRS
// comparisons: the published shift against the noise of two networks by
// the paper's bootstrap (two readings) and by our networks of the
// ps1-paper survey. Nil without the published tables.
func (f *Findings) Survival() []SurvivalRow {
	nn := f.NetworkNoise("ps1-paper")
	var out []SurvivalRow
	for _, p := range survivalPairs {
		d, b := f.Published[p.design], f.Published[p.baseline]
		if d == nil || b == nil {
			continue
		}
		pd, _ := rate(d.Confusion)
		pb, _ := rate(b.Confusion)
		_, n := classRates(d.Confusion)
		row := SurvivalRow{Design: p.design, Baseline: p.baseline, Printed: p.printed, N: n[0], Shift: float64(p.sign) * (pd - pb)}
		// The bootstrap covers Table 6's design and Table 4's; the
		// other designs are taken to spread like Table 6's.
		bd, bb := paperBootstraps[6], paperBootstraps[4]
		row.NoiseBootstrapSE = math.Hypot(bd.networkSD(n[0], true), bb.networkSD(n[0], true))
		row.NoiseBootstrapMax = math.Hypot(bd.networkSD(n[0], false), bb.networkSD(n[0], false))
		row.ZBootstrapSE, row.ZBootstrapMax = row.Shift/row.NoiseBootstrapSE, row.Shift/row.NoiseBootstrapMax
		if nn.Tests > 0 {
			row.NoiseOurs = math.Sqrt2 * nn.SD(2*n[0])
			row.ZOurs = row.Shift / row.NoiseOurs
		}
		out = append(out, row)
	}
	return out
}

// Table4 checks the published Table 4 network against its design's
// bootstrap; nil without the published table.
func (f *Findings) Table4() *Table4Check {
	p := f.Published[4]
	if p == nil {
		return nil
	}
	b := paperBootstraps[4]
	c := &Table4Check{Published: p.Confusion[0][1], Mean: b.meanE, Max: b.maxE}
	c.Excess = float64(c.Published) - b.meanE
	c.ZSE = c.Excess / (b.pmE * math.Sqrt(BootstrapSplits))
	c.ZMax = c.Excess / ((b.maxE - b.meanE) / expectedMax100)
	return c
}
