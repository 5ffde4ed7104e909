package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/skybias/skybias/cnn"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
)

// predictChunk is how many test galaxies are held as images at once.
const predictChunk = 1024

// OpenSource opens a job's data source and checks that its content is the
// one the job was planned on.
func OpenSource(job *dsl.Job) (sky.Source, error) {
	s, err := sky.OpenWith(job.Source.Path, job.Source.Overrides)
	if err != nil {
		return nil, err
	}
	if s.Digest() != job.Source.Digest {
		return nil, fmt.Errorf("source %s changed since job %s was planned (digest %s, job says %s); plan again",
			job.Source.Path, job.ShortHash(), s.Digest()[:12], job.Source.Digest[:min(12, len(job.Source.Digest))])
	}
	return s, nil
}

// Execute runs one job: draw, train, predict. show draws the progress of
// its image loading and training (nil for none). It returns the trained networks: one, or
// the members of an ensemble in order, whose mean p(spiral) the
// predictions are.
func Execute(ctx context.Context, job *dsl.Job, show *progress.Display) (*results.Result, *results.Manifest, []*cnn.Model, error) {
	man := results.NewManifest(job)
	t0 := time.Now()
	src, err := OpenSource(job)
	if err != nil {
		return nil, nil, nil, err
	}
	if job.Probe != nil {
		return executeProbe(ctx, job, src, man, show)
	}
	gals := src.Galaxies()
	split, err := job.Draw(gals)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s (%s): %w", job.ShortHash(), job.Experiment, err)
	}
	res := &results.Result{Hash: job.Hash(), TrainCounts: map[string]int{}}
	size := job.Model.Input
	set, err := loadTraining(ctx, job, src, gals, split, res, show, true)
	if err != nil {
		return nil, nil, nil, err
	}
	man.Seconds["load"] = time.Since(t0).Seconds()
	t1 := time.Now()
	// Member 0 trains on the job's draw; with training.redraw each later
	// member draws and loads its own training galaxies (one set held at a
	// time), its unreadable images added to the result's list.
	memberSet := func(k int) (cnn.Labelled, error) {
		if k == 0 || !job.Training.Redraw {
			return set, nil
		}
		set = nil
		sp, err := job.DrawMember(gals, k)
		if err != nil {
			return nil, fmt.Errorf("job %s (%s): network %d: %w", job.ShortHash(), job.Experiment, k+1, err)
		}
		s, err := loadTraining(ctx, job, src, gals, sp, res, show, false)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	members, err := trainMembers(ctx, job, memberSet, res, man, show)
	if err != nil {
		return nil, nil, nil, err
	}
	set = nil // the training images are no longer needed
	man.Seconds["train"] = time.Since(t1).Seconds()
	t2 := time.Now()
	for _, ts := range job.Tests {
		var tg []sky.Galaxy
		for _, c := range sky.Classes {
			for _, i := range split.Tests[ts.Name][c] {
				tg = append(tg, gals[i])
			}
		}
		tr := results.TestResult{Name: ts.Name}
		for start := 0; start < len(tg); start += predictChunk {
			chunk := tg[start:min(start+predictChunk, len(tg))]
			cs, err := sky.LoadImages(ctx, src, chunk, size, src.SkipBad())
			if err != nil {
				return nil, nil, nil, fmt.Errorf("job %s: test set %s: %w", job.ShortHash(), ts.Name, err)
			}
			for _, e := range cs.Bad {
				res.Bad = append(res.Bad, e.Error())
			}
			p, each, err := ensemblePredict(ctx, members, cs)
			if err != nil {
				return nil, nil, nil, err
			}
			for k, g := range cs.Galaxies {
				pred := 0
				if p[k] > 0.5 {
					pred = 1
				}
				tr.Confusion[g.Class][pred]++
				pr := results.Prediction{ID: g.ID, RA: g.RA, Dec: g.Dec, Class: g.Class, PSpiral: p[k]}
				if len(each) > 1 {
					pr.Members = make([]float64, len(each))
					for m := range each {
						pr.Members[m] = each[m][k]
					}
				}
				tr.Predictions = append(tr.Predictions, pr)
			}
		}
		res.Tests = append(res.Tests, tr)
	}
	man.Seconds["predict"] = time.Since(t2).Seconds()
	man.Finished = time.Now().UTC()
	return res, man, members, nil
}

// trainMembers trains the job's network, or each member of its ensemble
// from its own seed, on the set memberSet gives for it, keeping the
// histories in res and the epoch timings in man.
func trainMembers(ctx context.Context, job *dsl.Job, memberSet func(k int) (cnn.Labelled, error), res *results.Result, man *results.Manifest, show *progress.Display) ([]*cnn.Model, error) {
	members := make([]*cnn.Model, job.Training.Members())
	for k := range members {
		set, err := memberSet(k)
		if err != nil {
			return nil, err
		}
		seed := job.Training.MemberSeed(k)
		model, err := cnn.New(job.Model, seed)
		if err != nil {
			return nil, err
		}
		model.SetNormalisation(set)
		name := job.ShortHash()
		if len(members) > 1 {
			name += fmt.Sprintf(" net %d/%d", k+1, len(members))
		}
		task := show.Task(name, 0)
		hist, err := model.Train(ctx, set, cnn.TrainOptions{
			Epochs: job.Training.Epochs, Batch: job.Training.Batch, Seed: seed, Adam: job.Training.Adam,
			Validation: job.Training.Validation, Patience: job.Training.Patience, Augment: job.Training.Augment, Progress: task,
		})
		task.Done("")
		if err != nil {
			return nil, fmt.Errorf("job %s: network %d of %d: %w", job.ShortHash(), k+1, len(members), err)
		}
		model.Release() // its training graphs are done with
		for i := range hist.Epochs {
			man.EpochSecs = append(man.EpochSecs, hist.Epochs[i].Seconds)
			hist.Epochs[i].Seconds = 0 // timings live in the manifest, not the result
		}
		if k == 0 {
			res.History = hist
		} else {
			res.Members = append(res.Members, hist)
		}
		members[k] = model
	}
	return members, nil
}

// ensemblePredict is the members' mean p(spiral) per image, summed in
// member order, and each member's own answers.
func ensemblePredict(ctx context.Context, members []*cnn.Model, set *sky.ImageSet) ([]float64, [][]float64, error) {
	each := make([][]float64, len(members))
	for k, m := range members {
		p, err := m.Predict(ctx, set, 64)
		if err != nil {
			return nil, nil, err
		}
		if len(members) > 1 {
			m.Release() // hold one member's prediction graph at a time
		}
		each[k] = p
	}
	mean := append([]float64(nil), each[0]...)
	for _, p := range each[1:] {
		for i, v := range p {
			mean[i] += v
		}
	}
	if len(members) > 1 {
		for i := range mean {
			mean[i] /= float64(len(members))
		}
	}
	return mean, each, nil
}

// loadTraining loads the training images of split, adding unreadable
// images to res.Bad and, for the job's own draw (count), the images per
// class to res.TrainCounts. With skip_bad, a class whose images were all
// unreadable is an error: the network would learn the other class alone.
func loadTraining(ctx context.Context, job *dsl.Job, src sky.Source, gals []sky.Galaxy, split *sky.Split, res *results.Result, show *progress.Display, count bool) (*sky.ImageSet, error) {
	var train []sky.Galaxy
	for _, c := range sky.Classes {
		for _, i := range split.Train[c] {
			train = append(train, gals[i])
		}
	}
	load := show.Task(job.ShortHash()+" images", len(train))
	set, err := sky.LoadImagesWith(ctx, src, train, job.Model.Input, src.SkipBad(), func(done int) { load.Step(done, len(train), "training images") })
	load.Done("")
	if err != nil {
		return nil, fmt.Errorf("job %s: training images: %w", job.ShortHash(), err)
	}
	for _, e := range set.Bad {
		res.Bad = append(res.Bad, e.Error())
	}
	got := map[sky.Class]int{}
	for _, l := range set.Labels {
		got[l]++
	}
	for _, c := range sky.Classes {
		asked := 0
		for _, g := range train {
			if g.Class == c {
				asked++
			}
		}
		if asked > 0 && got[c] == 0 {
			return nil, fmt.Errorf("job %s: every one of the %d training %s images was unreadable (skip_bad skipped them: %d bad images in all); refusing to train on the other class alone", job.ShortHash(), asked, c, len(set.Bad))
		}
		if count && got[c] > 0 {
			res.TrainCounts[c.String()] += got[c]
		}
	}
	return set, nil
}

// modelBytes serialises a trained model for the result folder.
func modelBytes(m *cnn.Model) ([]byte, error) { return m.Checkpoint() }
