package results

import (
	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/sky"
)

// Result is what a job produced: per test set a confusion matrix and
// per-galaxy predictions, and the training history. It holds nothing that
// varies between two runs of the same job (timings live in the manifest).
type Result struct {
	Hash string `json:"hash"`
	// TrainCounts is the number of training galaxies per class.
	TrainCounts map[string]int   `json:"train_counts"`
	Tests       []TestResult     `json:"tests"`
	History     *netspec.History `json:"history"`
	// Members holds the training histories of an ensemble's other
	// networks, in order (History is the first's).
	Members []*netspec.History `json:"members,omitempty"`
	// Bad lists images skipped as unreadable (sources with skip_bad).
	Bad []string `json:"bad_images,omitempty"`
	// Probe is a region probe's outcome (probe jobs only; they have no
	// Tests).
	Probe *ProbeResult `json:"probe,omitempty"`
	// Checksummed says the folder was written with SHA256SUMS (every
	// result this version writes): without that file it is damaged, not
	// a result from before checksums were kept.
	Checksummed bool `json:"checksummed,omitempty"`
}

// ProbeResult is what a region probe produced: per held-out galaxy, the
// region it came from and both probes' answers. Stored as probe.csv
// beside the result, not in result.json.
type ProbeResult struct {
	// Regions are the regions told apart: label 0, then label 1.
	Regions     []string          `json:"regions"`
	Predictions []ProbePrediction `json:"-"`
}

// ProbePrediction is both probes' answer for one held-out galaxy.
type ProbePrediction struct {
	ID      string
	RA, Dec float64
	Class   sky.Class
	// Region is the label of the region the galaxy came from (0 or 1).
	Region int
	// P is the network's p(region 1) (the ensemble mean), Members each
	// member's when there are several, and Simple the transparent probe's
	// (logistic regression on image statistics).
	P       float64
	Members []float64
	Simple  float64
}

// Labels and answers of the held-out galaxies, for probe.Assess: the
// network's (or, with simple set, the transparent probe's).
func (p *ProbeResult) Labels(simple bool) ([]int, []float64) {
	labels := make([]int, len(p.Predictions))
	ps := make([]float64, len(p.Predictions))
	for i, q := range p.Predictions {
		labels[i], ps[i] = q.Region, q.P
		if simple {
			ps[i] = q.Simple
		}
	}
	return labels, ps
}

// TestResult is one test set's outcome.
type TestResult struct {
	Name string `json:"name"`
	// Confusion counts galaxies by true class (rows: elliptical, spiral)
	// and predicted class (columns: elliptical, spiral).
	Confusion [2][2]int `json:"confusion"`
	// Predictions are per galaxy, in the order of the test set; stored as
	// CSV beside the result, not in result.json.
	Predictions []Prediction `json:"-"`
}

// Prediction is the network's answer for one galaxy.
type Prediction struct {
	ID      string
	RA, Dec float64
	Class   sky.Class
	PSpiral float64
	// Members holds each ensemble member's p(spiral), in member order,
	// when more than one network was trained (PSpiral is their mean).
	Members []float64
}

// Networks is how many networks answered for the test set: the ensemble's
// members, or 1.
func (t *TestResult) Networks() int {
	if len(t.Predictions) > 0 && len(t.Predictions[0].Members) > 1 {
		return len(t.Predictions[0].Members)
	}
	return 1
}

// N is the number of test galaxies.
func (t *TestResult) N() int {
	return t.Confusion[0][0] + t.Confusion[0][1] + t.Confusion[1][0] + t.Confusion[1][1]
}

// PredictedSpiral is the number of galaxies predicted spiral.
func (t *TestResult) PredictedSpiral() int { return t.Confusion[0][1] + t.Confusion[1][1] }

// PSpiral is the fraction of the test set predicted spiral.
func (t *TestResult) PSpiral() float64 {
	if t.N() == 0 {
		return 0
	}
	return float64(t.PredictedSpiral()) / float64(t.N())
}

// Accuracy is the fraction classified correctly.
func (t *TestResult) Accuracy() float64 {
	if t.N() == 0 {
		return 0
	}
	return float64(t.Confusion[0][0]+t.Confusion[1][1]) / float64(t.N())
}

// Test returns the named test set's result, or nil.
func (r *Result) Test(name string) *TestResult {
	for i := range r.Tests {
		if r.Tests[i].Name == name {
			return &r.Tests[i]
		}
	}
	return nil
}
