package cnn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/skybias/skybias/seeds"
)

// TrainOptions are the settings of a training run.
type TrainOptions struct {
	Epochs int    `json:"epochs"`
	Batch  int    `json:"batch"`
	Seed   uint64 `json:"seed"`
	Adam   Adam   `json:"adam"`
	// Validation is the fraction of the training images held out to
	// measure loss and accuracy after each epoch (0: none).
	Validation float64 `json:"validation"`
	// Patience stops training when the validation loss has not improved
	// for that many epochs (0: never; the paper trains all epochs).
	Patience int `json:"patience"`
	// Augment trains on random flips and quarter turns of the images.
	Augment bool `json:"augment"`
	// Progress, when set, receives the batches done and each epoch's
	// summary.
	Progress Progress `json:"-"`
}

// Train fits the model to a labelled image set. The order of the batches,
// the validation split and the augmentations are drawn from opts.Seed, so
// the same model, data and options give bit-identical weights whatever the
// number of cores. Cancelling ctx stops between batches with ctx's error.
func (m *Model) Train(ctx context.Context, set Labelled, opts TrainOptions) (*History, error) {
	if set.Side() != m.Config.Input {
		return nil, fmt.Errorf("train: images are %dx%d, the network takes %dx%d", set.Side(), set.Side(), m.Config.Input, m.Config.Input)
	}
	if opts.Epochs <= 0 {
		return nil, fmt.Errorf("train: epochs must be positive, not %d", opts.Epochs)
	}
	if opts.Batch <= 0 {
		opts.Batch = 32
	}
	if opts.Validation < 0 || opts.Validation >= 1 {
		return nil, fmt.Errorf("train: validation fraction %g is outside [0, 1)", opts.Validation)
	}
	adam := opts.Adam.WithDefaults()
	order := make([]int, set.Len())
	for i := range order {
		order[i] = i
	}
	shuffle(order, opts.Seed, "split")
	nVal := int(math.Round(opts.Validation * float64(len(order))))
	val, train := order[:nVal], order[nVal:]
	if len(train) == 0 {
		return nil, errors.New("train: no training images")
	}
	if m.adam == nil {
		m.adam = newAdamState(m.Params)
	}
	hist := &History{}
	bar := newProgress(opts.Progress, opts.Epochs, (len(train)+opts.Batch-1)/opts.Batch)
	best, since := math.Inf(1), 0
	side := m.Config.Input
	per := 3 * side * side
	for epoch := 1; epoch <= opts.Epochs; epoch++ {
		t0 := time.Now()
		perm := append([]int(nil), train...)
		shuffle(perm, opts.Seed, "epoch", fmt.Sprint(epoch))
		var lossSum float64
		var correct, seen int
		for b, start := 0, 0; start < len(perm); b, start = b+1, start+opts.Batch {
			if err := ctx.Err(); err != nil {
				return hist, err
			}
			idx := perm[start:min(start+opts.Batch, len(perm))]
			g, err := m.trainGraph(len(idx))
			if err != nil {
				return hist, err
			}
			x, t := g.x.Data().([]float32), g.t.Data().([]float32)
			parallelFor(len(idx), func(_, k int) {
				tr := 0
				if opts.Augment {
					tr = int(seeds.Sub(opts.Seed, "augment", fmt.Sprint(epoch), fmt.Sprint(idx[k])) % 8)
				}
				m.fillImage(x[k*per:(k+1)*per], set.At(idx[k]), side, tr)
				t[k] = float32(set.Label(idx[k]))
			})
			if err := g.run(); err != nil {
				return hist, fmt.Errorf("train: epoch %d batch %d: %w", epoch, b+1, err)
			}
			grads := make([][]float32, len(g.grads))
			for i, gv := range g.grads {
				grads[i] = gv.Data().([]float32)
			}
			m.adam.step(adam, m.Params, grads)
			loss := g.lossValue()
			lossSum += loss * float64(len(idx))
			z := g.logits.Data().([]float32)
			for k := range idx {
				if (z[k] > 0) == (t[k] > 0.5) {
					correct++
				}
			}
			seen += len(idx)
			bar.update(epoch, b+1, lossSum/float64(seen), float64(correct)/float64(seen), seen)
		}
		st := EpochStats{Epoch: epoch, Loss: lossSum / float64(seen), Acc: float64(correct) / float64(seen)}
		if len(val) > 0 {
			p, err := m.PredictFunc(ctx, len(val), opts.Batch, func(i int, dst []uint8) error {
				copy(dst, set.At(val[i]))
				return nil
			})
			if err != nil {
				return hist, err
			}
			st.ValLoss, st.ValAcc = lossAcc(p, val, set)
		}
		st.Seconds = time.Since(t0).Seconds()
		hist.Epochs = append(hist.Epochs, st)
		bar.epochDone(st)
		if opts.Patience > 0 && len(val) > 0 {
			if st.ValLoss < best {
				best, since = st.ValLoss, 0
			} else if since++; since >= opts.Patience {
				hist.Stopped = fmt.Sprintf("validation loss did not improve for %d epochs", opts.Patience)
				break
			}
		}
	}
	return hist, nil
}

// lossAcc is the mean cross-entropy and accuracy of predictions p for the
// images idx with the given labels.
func lossAcc(p []float64, idx []int, labels Labelled) (float64, float64) {
	var loss float64
	correct := 0
	for k, i := range idx {
		t := float64(labels.Label(i))
		q := math.Min(math.Max(p[k], 1e-7), 1-1e-7)
		loss -= t*math.Log(q) + (1-t)*math.Log(1-q)
		if (p[k] > 0.5) == (t > 0.5) {
			correct++
		}
	}
	return loss / float64(len(idx)), float64(correct) / float64(len(idx))
}

// shuffle permutes idx with a generator seeded from seed and path.
func shuffle(idx []int, seed uint64, path ...string) {
	r := seeds.Rand(seed, path...)
	for i := len(idx) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
}
