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

// Learning says whether a trained network learned anything from its
// images: a network whose held-out answers do not depend on the image
// (it names one region, or one class, for every image, or gives every
// image the same answer) has not learned, and its accuracy is not
// "chance" but no measurement at all. A network whose final training
// accuracy stays within 0.02 of 1/2 has not learned even its training
// set.
type Learning struct {
	// Learned is false where one of the rules says the network did not
	// learn; Why says which.
	Learned bool
	Why     string
}

// NotLearnedTrainMargin is how close to 1/2 a final training accuracy
// must be for the network to count as not having learned its training
// set.
const NotLearnedTrainMargin = 0.02

// Judge applies the rules to held-out answers p (probability of label
// 1) and the network's final training accuracy (NaN when unknown).
func Judge(p []float64, trainAccuracy float64) Learning {
	if len(p) == 0 {
		return Learning{Why: "no held-out answers"}
	}
	lo, hi := p[0], p[0]
	named := 0
	for _, x := range p {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
		if x > 0.5 {
			named++
		}
	}
	switch {
	case hi-lo < 1e-6:
		return Learning{Why: fmt.Sprintf("the same answer (%.4g) for every held-out image", lo)}
	case named == 0 || named == len(p):
		return Learning{Why: "the same side named for every held-out image"}
	case !math.IsNaN(trainAccuracy) && math.Abs(trainAccuracy-0.5) <= NotLearnedTrainMargin:
		return Learning{Why: fmt.Sprintf("training accuracy %.3f: it did not learn its training set", trainAccuracy)}
	}
	return Learning{Learned: true}
}
