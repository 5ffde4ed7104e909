package findings

import (
	"fmt"
	"math"

	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/probe"
	"github.com/skybias/skybias/results"
)

// DivergedLoss is the final training loss above which a network counts as
// diverged: ten times the loss of guessing (ln 2 for two classes).
var DivergedLoss = 10 * math.Ln2

// Training is what an experiment's networks did with their training set:
// the final-epoch training accuracy over every network of every repeat
// (mean, smallest, largest), and the networks that diverged (a final loss
// that is not finite or above DivergedLoss) or did not learn (a final
// training accuracy within probe.NotLearnedTrainMargin of 1/2).
type Training struct {
	Networks           int
	Mean, Min, Max     float64
	Diverged, NotLearn []string
}

// Training judges an experiment's networks from their stored histories
// (first variant).
func (e *Experiment) Training() Training {
	t := Training{Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	for _, r := range e.runs[e.Variants[0]] {
		for _, last := range lastEpochs(r.Result) {
			name := fmt.Sprintf("repeat %d network %d", r.Job.Repeat+1, last.Network)
			if math.IsNaN(last.Loss) || math.IsInf(last.Loss, 0) || last.Loss > DivergedLoss {
				t.Diverged = append(t.Diverged, fmt.Sprintf("%s (loss %.3g)", name, last.Loss))
			} else if math.Abs(last.Acc-0.5) <= probe.NotLearnedTrainMargin {
				t.NotLearn = append(t.NotLearn, fmt.Sprintf("%s (training accuracy %.3f)", name, last.Acc))
			}
			t.Networks++
			sum += last.Acc
			t.Min, t.Max = math.Min(t.Min, last.Acc), math.Max(t.Max, last.Acc)
		}
	}
	if t.Networks == 0 {
		return Training{Mean: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	t.Mean = sum / float64(t.Networks)
	return t
}

// lastEpoch is one network's last training epoch; Network counts from 1
// in member order.
type lastEpoch struct {
	Network int
	netspec.EpochStats
}

// lastEpochs lists each network's last epoch, in member order: the
// members' histories where the result keeps them, else its one history.
// A network without a history is left out; the others keep their numbers.
func lastEpochs(r *results.Result) []lastEpoch {
	hs := r.Members
	if len(hs) == 0 && r.History != nil {
		hs = []*netspec.History{r.History}
	}
	var out []lastEpoch
	for k, h := range hs {
		if h != nil && len(h.Epochs) > 0 {
			out = append(out, lastEpoch{k + 1, h.Epochs[len(h.Epochs)-1]})
		}
	}
	return out
}

// Words says it in one sentence for a report.
func (t Training) Words() string {
	if t.Networks == 0 {
		return "No training history is stored."
	}
	s := fmt.Sprintf("Training accuracy at the last epoch: %.3f (%.3f to %.3f over %d networks).", t.Mean, t.Min, t.Max, t.Networks)
	if len(t.Diverged) > 0 {
		s += fmt.Sprintf(" **Diverged: %d** (%s).", len(t.Diverged), t.Diverged[0])
	}
	if len(t.NotLearn) > 0 {
		s += fmt.Sprintf(" **Did not learn its training set: %d** (%s).", len(t.NotLearn), t.NotLearn[0])
	}
	return s
}
