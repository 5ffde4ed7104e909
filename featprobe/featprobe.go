package featprobe

import (
	"fmt"
	"math"

	"github.com/skybias/skybias/probe"
	"github.com/skybias/skybias/seeds"
)

// MaxFeatures is the widest feature vector fitted: the logistic fit
// solves a system of this size per step. Wider layers are reduced first
// (see ChannelMeans).
const MaxFeatures = 1024

// DefaultLambda is the ridge penalty on the standardised weights.
const DefaultLambda = 1.0

// Options set the probe.
type Options struct {
	// Lambda is the ridge penalty (0: DefaultLambda).
	Lambda float64
	// Seed fixes the split and the AUC bootstrap.
	Seed uint64
}

// Result is a probe's verdict on one layer.
type Result struct {
	// Width is the number of features per image.
	Width int `json:"width"`
	// Train and HeldOut count the images of each half.
	Train   int `json:"train"`
	HeldOut int `json:"held_out"`
	// TrainAccuracy is the probe's balanced accuracy on its own training
	// half: a probe that cannot fit its training half has not learned.
	TrainAccuracy float64 `json:"train_accuracy"`
	// Outcome judges the held-out answers: balanced accuracy with its
	// interval (test sampling of the held-out images), the binomial P
	// against guessing and the ROC AUC with its bootstrap interval.
	Outcome probe.Outcome `json:"held_out_outcome"`
	// Learning applies the "did not learn" rules to the probe.
	Learning probe.Learning `json:"learning"`
	// Detected is true when the probe learned and its held-out accuracy's
	// interval lies above 1/2: the features name the region.
	Detected bool `json:"detected"`
}

// Run probes features x (one row per image) for region (0 or 1), with
// class (any small integers) stratifying the split so that each half
// holds every region-class cell in proportion.
func Run(x [][]float64, region, class []int, opt Options) (Result, error) {
	var r Result
	if len(x) != len(region) || len(x) != len(class) {
		return r, fmt.Errorf("featprobe: %d feature rows, %d regions, %d classes", len(x), len(region), len(class))
	}
	if len(x) < 8 {
		return r, fmt.Errorf("featprobe: %d images; the probe needs at least 8", len(x))
	}
	r.Width = len(x[0])
	if r.Width == 0 || r.Width > MaxFeatures {
		return r, fmt.Errorf("featprobe: %d features per image (want 1 to %d; reduce a convolution's maps with channel means)", r.Width, MaxFeatures)
	}
	for i, row := range x {
		if len(row) != r.Width {
			return r, fmt.Errorf("featprobe: image %d has %d features, the first %d", i+1, len(row), r.Width)
		}
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return r, fmt.Errorf("featprobe: image %d has a feature that is not a finite number", i+1)
			}
		}
		if region[i] != 0 && region[i] != 1 {
			return r, fmt.Errorf("featprobe: image %d: region %d (want 0 or 1)", i+1, region[i])
		}
	}
	// Stratified split: within each region-class cell, a seeded
	// permutation; its first half trains.
	cells := map[[2]int][]int{}
	var order [][2]int
	for i := range x {
		k := [2]int{region[i], class[i]}
		if _, ok := cells[k]; !ok {
			order = append(order, k)
		}
		cells[k] = append(cells[k], i)
	}
	var trainX, testX [][]float64
	var trainY, testY []int
	for _, k := range order {
		idx := cells[k]
		rng := seeds.Rand(opt.Seed, "featprobe", "split", fmt.Sprint(k[0]), fmt.Sprint(k[1]))
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		h := len(idx) / 2
		for j, i := range idx {
			if j < h {
				trainX, trainY = append(trainX, x[i]), append(trainY, region[i])
			} else {
				testX, testY = append(testX, x[i]), append(testY, region[i])
			}
		}
	}
	r.Train, r.HeldOut = len(trainX), len(testX)
	lambda := opt.Lambda
	if lambda == 0 {
		lambda = DefaultLambda
	}
	fit, err := probe.FitLogistic(trainX, trainY, lambda)
	if err != nil {
		return r, fmt.Errorf("featprobe: %w", err)
	}
	answer := func(rows [][]float64) []float64 {
		p := make([]float64, len(rows))
		for i, row := range rows {
			p[i] = fit.Predict(row)
		}
		return p
	}
	r.TrainAccuracy = balanced(trainY, answer(trainX))
	p := answer(testX)
	if r.Outcome, err = probe.Assess(testY, p, opt.Seed); err != nil {
		return r, fmt.Errorf("featprobe: %w", err)
	}
	r.Learning = probe.Judge(p, r.TrainAccuracy)
	r.Detected = r.Learning.Learned && r.Outcome.Lo > 0.5
	return r, nil
}

// balanced is the mean of the two regions' recalls at p > 1/2.
func balanced(y []int, p []float64) float64 {
	var right, n [2]float64
	for i, l := range y {
		n[l]++
		if (p[i] > 0.5) == (l == 1) {
			right[l]++
		}
	}
	if n[0] == 0 || n[1] == 0 {
		return math.NaN()
	}
	return (right[0]/n[0] + right[1]/n[1]) / 2
}

// ChannelMeans reduces one image's C x H x W activations to the C
// channel means: the features of a convolution layer too wide to fit.
func ChannelMeans(v []float32, channels int) []float64 {
	out := make([]float64, channels)
	hw := len(v) / channels
	for c := range out {
		var s float64
		for _, x := range v[c*hw : (c+1)*hw] {
			s += float64(x)
		}
		out[c] = s / float64(hw)
	}
	return out
}
