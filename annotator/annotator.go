package annotator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/skybias/skybias/aniso"
	"github.com/skybias/skybias/annotate"
	"github.com/skybias/skybias/cnn"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/sky"
)

// Key identifies the catalog a job's networks make of an annotation: the
// job, what is annotated and the catalog format.
func Key(job *dsl.Job, a *dsl.Annotate) string {
	spec := *a
	spec.Anisotropy = nil // the test reads the catalog; it does not change it
	b, _ := json.Marshal(struct {
		Job, Version string
		Spec         dsl.Annotate
	}{job.Hash(), annotate.Version, spec})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CatalogPath is where the store keeps a job's catalog of an annotation.
func CatalogPath(store *results.Store, job *dsl.Job, a *dsl.Annotate) string {
	return store.CatalogPath(Key(job, a))
}

// Options say where and how a catalog is written.
type Options struct {
	// Out is the catalog file (CatalogPath when empty).
	Out string
	// Batch, Shard and Shards are as annotate.Options'.
	Batch, Shard, Shards int
	Log                  io.Writer
	Progress             *progress.Display
}

// Job has a stored job's networks (an ensemble's members and their mean)
// label the galaxies an annotation names, leaving out the job's own
// training galaxies when the source is the one it trained on, and writes
// the catalog; a complete one is left alone, a partial one continued.
func Job(ctx context.Context, store *results.Store, job *dsl.Job, a *dsl.Annotate, opts Options) (*annotate.Catalog, error) {
	if err := store.Verify(job.Hash()); err != nil {
		return nil, err
	}
	out := opts.Out
	if out == "" {
		out = CatalogPath(store, job, a)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	models, digests, err := loadMembers(store, job)
	if err != nil {
		return nil, err
	}
	src, err := sky.OpenWith(a.Source.Path, a.Source.Overrides)
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	if src.Digest() != a.Source.Digest {
		return nil, fmt.Errorf("annotate: source %s changed since the experiment was compiled; compile again", a.Source.Path)
	}
	if u, ok := src.(interface{ Unwrap() sky.Source }); ok {
		src = u.Unwrap() // each image is seen once: no cache
	}
	meta := annotate.Meta{Networks: digests, Result: job.Hash(), Source: src.Name(), SourceDigest: src.Digest()}
	for _, r := range a.Regions {
		meta.Regions = append(meta.Regions, r.Name)
	}
	var exclude map[string]bool
	if src.Digest() == job.Source.Digest {
		trainSrc, err := runner.OpenSource(job)
		if err != nil {
			return nil, err
		}
		gals := trainSrc.Galaxies()
		trained, err := job.TrainingUnion(gals) // every member's training galaxies
		if err != nil {
			return nil, fmt.Errorf("annotate: job %s: %w", job.ShortHash(), err)
		}
		exclude = map[string]bool{}
		for _, idx := range trained {
			for _, i := range idx {
				exclude[gals[i].ID] = true
			}
		}
		meta.Design = Design(gals, trained)
	}
	// Each repeat of a study annotates its own subset: its catalog is a
	// new sample of the sky, as its networks are new.
	seed := seeds.Sub(a.Seed, "repeat", strconv.Itoa(job.Repeat))
	return write(ctx, models, src, a, exclude, seed, meta, out, "job "+job.ShortHash(), opts)
}

// Models has networks that skybias did not train (an ONNX model of the
// user's, say; digests name them, each file's SHA-256) label the galaxies
// an annotation names, leaving out the galaxies whose IDs exclude holds
// (the networks' own training set, where the user knows it), and writes
// the catalog as Job does.
func Models(ctx context.Context, models []annotate.Predictor, digests []string, a *dsl.Annotate, exclude map[string]bool, opts Options) (*annotate.Catalog, error) {
	if opts.Out == "" {
		return nil, fmt.Errorf("annotate: name the catalog to write")
	}
	if err := os.MkdirAll(filepath.Dir(opts.Out), 0o755); err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	src, err := sky.OpenWith(a.Source.Path, a.Source.Overrides)
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	if u, ok := src.(interface{ Unwrap() sky.Source }); ok {
		src = u.Unwrap()
	}
	meta := annotate.Meta{Networks: digests, Source: src.Name(), SourceDigest: src.Digest()}
	for _, r := range a.Regions {
		meta.Regions = append(meta.Regions, r.Name)
	}
	return write(ctx, models, src, a, exclude, a.Seed, meta, opts.Out, "model", opts)
}

// write selects the galaxies and runs the networks over them.
func write(ctx context.Context, models []annotate.Predictor, src sky.Source, a *dsl.Annotate, exclude map[string]bool, seed uint64,
	meta annotate.Meta, out, label string, opts Options) (*annotate.Catalog, error) {
	meta.Seed = seed
	sel, err := annotate.Select(src, a.Regions, exclude, a.N, seed)
	if err != nil {
		return nil, err
	}
	meta.Excluded, meta.Balanced, meta.Subset = sel.Excluded, sel.Balanced, sel.Subset
	task := opts.Progress.Task(label+" catalog", len(sel.Galaxies))
	sum, err := annotate.Run(ctx, annotate.Options{
		Models: models, Source: src, Galaxies: sel.Galaxies, Out: out, Meta: meta,
		Batch: opts.Batch, Shard: opts.Shard, Shards: opts.Shards,
		Progress: func(done, total int, status string) { task.Step(done, total, status) },
	})
	if err != nil {
		task.Done("")
		return nil, err
	}
	switch {
	case sum.Complete:
		task.Done("")
	case sum.Resumed > 0:
		task.Done(fmt.Sprintf("%d galaxies (continued from %d)", sum.Rows, sum.Resumed))
	default:
		task.Done(fmt.Sprintf("%d galaxies", sum.Rows))
	}
	if opts.Log != nil && !sum.Complete {
		fmt.Fprintf(opts.Log, "catalog of %s: %d galaxies of %s (%d training galaxies left out) -> %s\n", label, sum.Rows, src.Name(), sel.Excluded, out)
	}
	return annotate.Open(out)
}

// Design is the direction on the sky the training design points along:
// from the ellipticals' mean position to the spirals', rounded to 1e-4
// degrees, given the galaxies and the training indices by class. Training
// classes drawn alike give a direction of noise, so only a clear
// separation (mean positions more than a tenth of a radian apart) points;
// nil otherwise, and where either class has no position.
func Design(gals []sky.Galaxy, train map[sky.Class][]int) *[2]float64 {
	var mean [2][3]float64
	var count [2]int
	for c, idx := range train {
		if c != sky.Elliptical && c != sky.Spiral {
			continue
		}
		for _, i := range idx {
			if math.IsNaN(gals[i].RA) || math.IsNaN(gals[i].Dec) {
				continue
			}
			u := aniso.Direction{RA: gals[i].RA, Dec: gals[i].Dec}.Unit()
			for k := range 3 {
				mean[c][k] += u[k]
			}
			count[c]++
		}
	}
	if count[sky.Elliptical] == 0 || count[sky.Spiral] == 0 {
		return nil
	}
	var d [3]float64
	for k := range 3 {
		d[k] = mean[sky.Spiral][k]/float64(count[sky.Spiral]) - mean[sky.Elliptical][k]/float64(count[sky.Elliptical])
	}
	if r := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2]); r <= 0.1 {
		return nil
	}
	dir := aniso.DirectionOf(d)
	return &[2]float64{math.Round(dir.RA*1e4) / 1e4, math.Round(dir.Dec*1e4) / 1e4}
}

// loadMembers reads a stored job's networks, in member order, and the
// SHA-256 of each checkpoint.
func loadMembers(store *results.Store, job *dsl.Job) ([]annotate.Predictor, []string, error) {
	var models []annotate.Predictor
	var digests []string
	for k := 1; k <= job.Training.Members(); k++ {
		p := store.CheckpointPath(job.Hash(), k-1)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("annotate: job %s: network %d: %w (the result was stored without its networks; rerun it)", job.ShortHash(), k, err)
		}
		sum := sha256.Sum256(b)
		digests = append(digests, hex.EncodeToString(sum[:]))
		m, err := cnn.Load(p)
		if err != nil {
			return nil, nil, fmt.Errorf("annotate: %w", err)
		}
		models = append(models, m)
	}
	return models, digests, nil
}
