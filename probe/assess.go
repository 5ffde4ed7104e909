package probe

import (
	"fmt"
	"math"
	"sort"

	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/stats"
)

// Bootstraps is how many resamples AUC intervals draw.
const Bootstraps = 2000

// Outcome judges a probe's held-out answers: label 0 or 1 (which region
// an image came from) and p, the probe's probability of label 1.
type Outcome struct {
	// N counts held-out images; Correct those named right (p > 0.5 is
	// label 1).
	N, Correct int
	// Accuracy is balanced over the two regions (the mean of the two
	// recalls), with its 95% interval (Wilson on the pooled count: it
	// covers test sampling only).
	Accuracy, Lo, Hi float64
	// P is the one-sided exact binomial P of as many correct or more if
	// the probe guessed (1/2 each).
	P float64
	// AUC is the area under the ROC curve (the chance that a random image
	// of region 1 gets a higher p than one of region 0), with a 95%
	// stratified bootstrap percentile interval.
	AUC, AUCLo, AUCHi float64
	// Confusion counts images by true region (rows) and named region
	// (columns).
	Confusion [2][2]int
}

// Assess judges held-out answers; seed fixes the bootstrap.
func Assess(labels []int, p []float64, seed uint64) (Outcome, error) {
	var o Outcome
	if len(labels) != len(p) {
		return o, fmt.Errorf("probe: %d labels and %d answers", len(labels), len(p))
	}
	for i, l := range labels {
		if l != 0 && l != 1 {
			return o, fmt.Errorf("probe: label %d of image %d is not 0 or 1", l, i)
		}
		if math.IsNaN(p[i]) {
			return o, fmt.Errorf("probe: answer %d is NaN", i)
		}
		named := 0
		if p[i] > 0.5 {
			named = 1
		}
		o.Confusion[l][named]++
	}
	n0, n1 := o.Confusion[0][0]+o.Confusion[0][1], o.Confusion[1][0]+o.Confusion[1][1]
	if n0 == 0 || n1 == 0 {
		return o, fmt.Errorf("probe: held-out images from one region only (%d and %d)", n0, n1)
	}
	o.N, o.Correct = n0+n1, o.Confusion[0][0]+o.Confusion[1][1]
	o.Accuracy = (float64(o.Confusion[0][0])/float64(n0) + float64(o.Confusion[1][1])/float64(n1)) / 2
	lo, hi := stats.Wilson(o.Correct, o.N, stats.Z95)
	raw := float64(o.Correct) / float64(o.N)
	o.Lo, o.Hi = math.Max(0, o.Accuracy-(raw-lo)), math.Min(1, o.Accuracy+(hi-raw))
	o.P = stats.BinomSF(o.Correct, o.N, 0.5)
	var pos, neg []float64
	for i, l := range labels {
		if l == 1 {
			pos = append(pos, p[i])
		} else {
			neg = append(neg, p[i])
		}
	}
	o.AUC = AUC(pos, neg)
	r := seeds.Rand(seed, "probe", "auc-bootstrap")
	boot := make([]float64, Bootstraps)
	bp, bn := make([]float64, len(pos)), make([]float64, len(neg))
	for b := range boot {
		for i := range bp {
			bp[i] = pos[r.IntN(len(pos))]
		}
		for i := range bn {
			bn[i] = neg[r.IntN(len(neg))]
		}
		boot[b] = AUC(bp, bn)
	}
	sort.Float64s(boot)
	o.AUCLo, o.AUCHi = stats.Percentile(boot, 2.5), stats.Percentile(boot, 97.5)
	return o, nil
}

// AUC is the Mann-Whitney estimate of P(pos > neg) + P(pos = neg)/2.
func AUC(pos, neg []float64) float64 {
	type v struct {
		x   float64
		pos bool
	}
	all := make([]v, 0, len(pos)+len(neg))
	for _, x := range pos {
		all = append(all, v{x, true})
	}
	for _, x := range neg {
		all = append(all, v{x, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].x < all[j].x })
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].x == all[i].x {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j, averaged over ties
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}
