package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/skybias/skybias/cnn"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/probe"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
)

// regionSet is an image set labelled by region (0 or 1) instead of class.
type regionSet struct {
	*sky.ImageSet
	labels []int
}

// Label is image i's region.
func (s *regionSet) Label(i int) int { return s.labels[i] }

// loadRegions loads the images of the galaxies of each region (gals by
// index per region) and labels each by its region; unreadable images are
// left out when the source skips them.
func loadRegions(ctx context.Context, src sky.Source, gals []sky.Galaxy, byRegion [][]int, size int, task *progress.Task, what string) (*regionSet, error) {
	var list []sky.Galaxy
	region := map[string]int{}
	for k, idx := range byRegion {
		for _, i := range idx {
			list = append(list, gals[i])
			region[gals[i].ID] = k
		}
	}
	set, err := sky.LoadImagesWith(ctx, src, list, size, src.SkipBad(), func(done int) { task.Step(done, len(list), what) })
	if err != nil {
		return nil, err
	}
	rs := &regionSet{ImageSet: set, labels: make([]int, set.Len())}
	for i, g := range set.Galaxies {
		rs.labels[i] = region[g.ID]
	}
	return rs, nil
}

// features measures the transparent probe's image statistics of a set.
func features(set *sky.ImageSet) [][]float64 {
	out := make([][]float64, set.Len())
	for i := range out {
		out[i] = probe.Features(set.At(i), set.Size)
	}
	return out
}

// executeProbe runs a region probe: the network (or ensemble) and the
// transparent probe learn to tell the two regions' training images apart
// and answer for each held-out image.
func executeProbe(ctx context.Context, job *dsl.Job, src sky.Source, man *results.Manifest, show *progress.Display) (*results.Result, *results.Manifest, []*cnn.Model, error) {
	t0 := time.Now()
	gals := src.Galaxies()
	split, err := job.DrawProbe(gals)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s (%s): %w", job.ShortHash(), job.Experiment, err)
	}
	res := &results.Result{Hash: job.Hash(), TrainCounts: map[string]int{}, Probe: &results.ProbeResult{Regions: job.Probe.Regions}}
	load := show.Task(job.ShortHash()+" images", 0)
	set, err := loadRegions(ctx, src, gals, split.Train, job.Model.Input, load, "training images")
	load.Done("")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s: training images: %w", job.ShortHash(), err)
	}
	for _, e := range set.Bad {
		res.Bad = append(res.Bad, e.Error())
	}
	for _, l := range set.labels {
		res.TrainCounts[job.Probe.Regions[l]]++
	}
	man.Seconds["load"] = time.Since(t0).Seconds()
	t1 := time.Now()
	simple, err := probe.FitLogistic(features(set.ImageSet), set.labels, 1e-3)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s: the simple probe: %w", job.ShortHash(), err)
	}
	members, err := trainMembers(ctx, job, func(int) (cnn.Labelled, error) { return set, nil }, res, man, show)
	if err != nil {
		return nil, nil, nil, err
	}
	set = nil
	man.Seconds["train"] = time.Since(t1).Seconds()
	t2 := time.Now()
	held := show.Task(job.ShortHash()+" held out", 0)
	test, err := loadRegions(ctx, src, gals, split.Test, job.Model.Input, held, "held-out images")
	held.Done("")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s: held-out images: %w", job.ShortHash(), err)
	}
	for _, e := range test.Bad {
		res.Bad = append(res.Bad, e.Error())
	}
	p, each, err := ensemblePredict(ctx, members, test.ImageSet)
	if err != nil {
		return nil, nil, nil, err
	}
	feats := features(test.ImageSet)
	for i, g := range test.Galaxies {
		pr := results.ProbePrediction{ID: g.ID, RA: g.RA, Dec: g.Dec, Class: g.Class, Region: test.labels[i], P: p[i], Simple: simple.Predict(feats[i])}
		if len(each) > 1 {
			pr.Members = make([]float64, len(each))
			for m := range each {
				pr.Members[m] = each[m][i]
			}
		}
		res.Probe.Predictions = append(res.Probe.Predictions, pr)
	}
	man.Seconds["predict"] = time.Since(t2).Seconds()
	man.Finished = time.Now().UTC()
	return res, man, members, nil
}
