package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/probe"
)

// probes renders the region probes: can a network tell which region a
// held-out image came from, and can a simple statistic?
func (r *Report) probes(d *doc) {
	ps := r.Findings.Probes
	if len(ps) == 0 {
		return
	}
	d.h(2, "Can a network tell where an image came from?")
	d.p("%s", "A **region probe** trains the paper's network to name the region each image came from (its label is the region, not the galaxy's class) and judges it on held-out images of both regions, drawn first and never trained on. "+
		"Accuracy is balanced over the two regions; its P is one-sided against guessing (1/2); AUC is the area under the ROC curve. "+
		"Beside it, on the same split, a **simple probe**: a logistic regression on twelve image statistics (channel means, sky level and noise in the border, a star-count proxy, fine-scale texture, JPEG block edges). "+
		"If the network names the region and the simple probe does not, the cue is not a simple sky statistic; if neither does, the images of the two regions look alike to both.")
	var rows [][]string
	for _, p := range ps {
		pr := p.Job.Probe
		name := p.Experiment
		if p.Variant != "" {
			name += " (" + p.Variant + ")"
		}
		rows = append(rows, []string{name, "`" + p.Job.Source.Name + "`", strings.Join(pr.Regions, " vs "), pr.Class,
			fmt.Sprintf("%d / %d", pr.N, pr.Test), fmt.Sprint(p.Repeats()),
			fmt.Sprintf("%.3f [%.3f, %.3f]", p.Accuracy, p.Lo, p.Hi), p.Noise, fmtP(p.P),
			fmt.Sprintf("%.3f [%.3f, %.3f]", p.AUC, p.AUCLo, p.AUCHi),
			fmt.Sprintf("%.3f [%.3f, %.3f]", p.SimpleAccuracy, p.SimpleLo, p.SimpleHi),
			fmt.Sprintf("%d %d / %d %d", p.Confusion[0][0], p.Confusion[0][1], p.Confusion[1][0], p.Confusion[1][1]),
			trainWords(p.TrainAccuracy, p.TrainMin, p.TrainMax), notLearnedWords(p.NotLearned, p.Repeats(), p.Why),
			fmt.Sprintf("%d of %d", p.AtChance, p.Repeats())})
	}
	d.table([]string{"probe", "source", "regions (0 vs 1)", "class", "train / held out per region", "repeats", "network accuracy [95% interval]", "interval covers",
		"P (vs chance)", "AUC [95% interval]", "simple probe accuracy", "confusion (0->0 0->1 / 1->0 1->1)", "training accuracy (range over networks)", "did not learn", "repeats at chance"}, rows)
	d.p("%s", fmt.Sprintf("A repeat is *at chance* when its network learned, its own accuracy interval covers 1/2 and its P is at least %.2g; on a sky whose regions do not differ, nearly every repeat should be. "+
		"A network *did not learn* when it gives every held-out image the same answer or names the same region for all of them, or when its final training accuracy is within %.2g of 1/2: such a repeat measures nothing and is never counted at chance. "+
		"Training accuracy is each network's at its last epoch (mean over networks and repeats, with the range).", findings.ChanceLevel, probe.NotLearnedTrainMargin))
}

// trainWords writes a training accuracy with its range over networks.
func trainWords(mean, lo, hi float64) string {
	if math.IsNaN(mean) {
		return "not stored"
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f]", mean, lo, hi)
}

// notLearnedWords writes how many repeats did not learn, and why.
func notLearnedWords(n, of int, why string) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprintf("%d of %d (%s)", n, of, why)
}
