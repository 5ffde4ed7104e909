package findings

import (
	"fmt"
	"math"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/probe"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/stats"
)

// ChanceLevel is the P below which a probe repeat is said to name the
// region better than chance, in the per-repeat counts of a probe study.
const ChanceLevel = 0.01

// ProbeFinding is a region probe's outcome: can a network (and a simple
// logistic regression on image statistics) tell which of two regions a
// held-out image came from?
type ProbeFinding struct {
	Experiment string
	// Variant names the sweep point ("" for an experiment without a
	// sweep): a swept probe (an injected cue at graded strengths, say)
	// has one finding per point.
	Variant string
	Job     *dsl.Job   // the first repeat's
	Jobs    []*dsl.Job // every repeat's
	// Network and Simple are each repeat's outcome: the network's (the
	// ensemble mean) and the transparent probe's.
	Network, Simple []probe.Outcome
	// Accuracy is the network's balanced held-out accuracy with its 95%
	// interval: one repeat's Wilson interval (test sampling only), or,
	// with repeats, the mean over repeats with a t interval on their
	// spread (which covers training noise and the draw as well). Noise
	// says which.
	Accuracy, Lo, Hi float64
	Noise            string
	// P tests the network against chance (accuracy 1/2), one-sided: the
	// exact binomial test with one repeat, a t test on the repeats'
	// accuracies with several.
	P float64
	// AUC is the ROC area with its 95% interval (a stratified bootstrap
	// with one repeat; a t interval over repeats with several).
	AUC, AUCLo, AUCHi float64
	// SimpleAccuracy is the transparent probe's accuracy, its interval
	// and P made the same way.
	SimpleAccuracy, SimpleLo, SimpleHi, SimpleP float64
	// Confusion sums the network's confusion matrices over repeats
	// (rows: true region, columns: named region).
	Confusion [2][2]int
	// AtChance counts the repeats whose accuracy interval covers 1/2 and
	// whose P is at least ChanceLevel, among those whose network learned:
	// a probe on a sky without a regional cue should be at chance in
	// nearly all of them.
	AtChance int
	// TrainAccuracy is the networks' final-epoch training accuracy, the
	// mean over every network of every repeat, with its smallest and
	// largest (NaN where no history is stored).
	TrainAccuracy, TrainMin, TrainMax float64
	// NotLearned counts the repeats whose network did not learn
	// (probe.Judge), and Why says why for the first of them; such a
	// repeat is never "at chance".
	NotLearned int
	Why        string
}

// finalTrainAccuracy is each network's training accuracy at its last
// epoch (the members' where the result keeps them).
func finalTrainAccuracy(r *results.Result) []float64 {
	var out []float64
	for _, l := range lastEpochs(r) {
		out = append(out, l.Acc)
	}
	return out
}

// Repeats is how many repeats the finding is over.
func (p *ProbeFinding) Repeats() int { return len(p.Network) }

// Regions are the regions told apart (label 0, label 1).
func (p *ProbeFinding) Regions() []string { return p.Job.Probe.Regions }

// newProbeFinding assesses every repeat of one variant of a probe
// experiment.
func newProbeFinding(e *Experiment, variant string) (*ProbeFinding, error) {
	runs := e.Runs(variant)
	pf := &ProbeFinding{Experiment: e.Name(), Variant: variant, Job: runs[0].Job, TrainMin: math.Inf(1), TrainMax: math.Inf(-1)}
	var trainSum float64
	var trainN int
	for _, r := range runs {
		pf.Jobs = append(pf.Jobs, r.Job)
		pr := r.Result.Probe
		if pr == nil {
			return nil, fmt.Errorf("probe %s: result %s holds no probe answers", e.Name(), r.Job.ShortHash())
		}
		seed := r.Job.SplitSeed
		labels, netP := pr.Labels(false)
		net, err := probe.Assess(labels, netP, seed)
		if err != nil {
			return nil, fmt.Errorf("probe %s, repeat %d: %w", e.Name(), r.Job.Repeat+1, err)
		}
		labels, simpleP := pr.Labels(true)
		simple, err := probe.Assess(labels, simpleP, seed)
		if err != nil {
			return nil, fmt.Errorf("probe %s, repeat %d (simple probe): %w", e.Name(), r.Job.Repeat+1, err)
		}
		pf.Network, pf.Simple = append(pf.Network, net), append(pf.Simple, simple)
		for a := 0; a < 2; a++ {
			for b := 0; b < 2; b++ {
				pf.Confusion[a][b] += net.Confusion[a][b]
			}
		}
		train := finalTrainAccuracy(r.Result)
		mean := math.NaN()
		if len(train) > 0 {
			mean = stats.Mean(train)
		}
		for _, a := range train {
			trainSum += a
			trainN++
			pf.TrainMin, pf.TrainMax = math.Min(pf.TrainMin, a), math.Max(pf.TrainMax, a)
		}
		if l := probe.Judge(netP, mean); !l.Learned {
			if pf.NotLearned == 0 {
				pf.Why = fmt.Sprintf("repeat %d: %s", r.Job.Repeat+1, l.Why)
			}
			pf.NotLearned++
		} else if net.Lo <= 0.5 && 0.5 <= net.Hi && net.P >= ChanceLevel {
			pf.AtChance++
		}
	}
	pf.TrainAccuracy = math.NaN()
	if trainN > 0 {
		pf.TrainAccuracy = trainSum / float64(trainN)
	} else {
		pf.TrainMin, pf.TrainMax = math.NaN(), math.NaN()
	}
	acc := func(os []probe.Outcome) (est, lo, hi, p float64) {
		if len(os) == 1 {
			return os[0].Accuracy, os[0].Lo, os[0].Hi, os[0].P
		}
		xs := make([]float64, len(os))
		for i, o := range os {
			xs[i] = o.Accuracy
		}
		return overRepeats(xs)
	}
	pf.Accuracy, pf.Lo, pf.Hi, pf.P = acc(pf.Network)
	pf.SimpleAccuracy, pf.SimpleLo, pf.SimpleHi, pf.SimpleP = acc(pf.Simple)
	pf.Noise = "test sampling only"
	if len(pf.Network) > 1 {
		pf.Noise = "training noise, the draw and test sampling"
		xs := make([]float64, len(pf.Network))
		for i, o := range pf.Network {
			xs[i] = o.AUC
		}
		pf.AUC, pf.AUCLo, pf.AUCHi, _ = overRepeats(xs)
	} else {
		o := pf.Network[0]
		pf.AUC, pf.AUCLo, pf.AUCHi = o.AUC, o.AUCLo, o.AUCHi
	}
	return pf, nil
}

// overRepeats is the mean of per-repeat values with a 95% t interval and
// the one-sided P of a t test against 1/2 (values above 1/2 make it
// small).
func overRepeats(xs []float64) (mean, lo, hi, p float64) {
	s := stats.Summarise(xs)
	n := float64(len(xs))
	se := s.SD / math.Sqrt(n)
	if se == 0 {
		p = 1
		if s.Mean > 0.5 {
			p = 0
		}
		return s.Mean, s.Mean, s.Mean, p
	}
	q := stats.StudentTQuantile(0.975, n-1)
	return s.Mean, s.Mean - q*se, s.Mean + q*se, stats.StudentTSF((s.Mean-0.5)/se, n-1)
}

// isProbe reports whether a result set belongs to a probe experiment.
func isProbe(p *dsl.Plan) bool { return len(p.Jobs) > 0 && p.Jobs[0].Probe != nil }

// probeFindings builds the findings of the probe experiments.
func probeFindings(plans []*dsl.Plan, loaded map[string]*results.Result) ([]*ProbeFinding, error) {
	var out []*ProbeFinding
	for _, p := range plans {
		if !isProbe(p) {
			continue
		}
		e, err := newExperiment(p, loaded)
		if err != nil {
			return nil, err
		}
		for _, v := range e.Variants {
			pf, err := newProbeFinding(e, v)
			if err != nil {
				return nil, err
			}
			out = append(out, pf)
		}
	}
	return out, nil
}
