package runner

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
)

// writeCatalog makes a small real-style catalog of JPEG files, with the
// image of galaxy bad (if >= 0) corrupt.
func writeCatalog(t *testing.T, dir string, n, bad int) {
	t.Helper()
	csv := "id,class,img,field\n"
	for i := 0; i < n; i++ {
		cls, field := "spiral", "x"
		if i%2 == 0 {
			cls = "elliptical"
		}
		if i >= n/2 {
			field = "y"
		}
		name := filepath.Join("img", fmt.Sprintf("%03d.jpg", i))
		img := image.NewRGBA(image.Rect(0, 0, 20, 20))
		for p := 0; p < 400; p++ {
			img.Set(p%20, p/20, color.RGBA{uint8(i * 3), uint8(p), uint8(i % 2 * 200), 255})
		}
		var b bytes.Buffer
		jpeg.Encode(&b, img, nil)
		data := b.Bytes()
		if i == bad {
			data = data[:40]
		}
		os.MkdirAll(filepath.Join(dir, "img"), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		csv += strconv.Itoa(i) + "," + cls + "," + name + "," + field + "\n"
	}
	os.WriteFile(filepath.Join(dir, "cat.csv"), []byte(csv), 0o644)
	os.WriteFile(filepath.Join(dir, "source.yaml"), []byte("catalog: {file: cat.csv, columns: {id: id, class: class, image: img}}\nregions: {x: {where: {field: x}}, y: {where: {field: y}}}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "exp.yaml"), []byte(`source: source.yaml
model: {arch: lenet5x-small, input: 16, widths: [4, 4], pools: 2, dense: 4}
training: {epochs: 1, batch: 4}
train: {spiral: {from: x, n: 8}, elliptical: {from: x, n: 8}}
test: {y: {from: y, n: 8}}
`), 0o644)
}

func plan(t *testing.T, path string) *dsl.Plan {
	t.Helper()
	p, err := dsl.CompileFile(path, dsl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunStoresAndReuses(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	var log bytes.Buffer
	if err := Run(context.Background(), p.Jobs, Options{Store: store, Log: &log}); err != nil {
		t.Fatal(err)
	}
	h := p.Jobs[0].Hash()
	// What a job computes, run again outside the store, is what was stored.
	r, _, _, err := Execute(context.Background(), p.Jobs[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if r == nil || len(r.Tests) != 1 || r.Tests[0].N() != 16 || len(r.Tests[0].Predictions) != 16 {
		t.Fatalf("result %+v", r)
	}
	for _, f := range []string{"result.json", "job.json", "manifest.json", "predictions/y.csv"} {
		if _, err := os.Stat(filepath.Join(store.Path(h), f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	before, _ := os.ReadFile(filepath.Join(store.Path(h), "manifest.json"))
	log.Reset()
	if err := Run(context.Background(), p.Jobs, Options{Store: store, Log: &log}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(store.Path(h), "manifest.json"))
	if !bytes.Equal(before, after) || !strings.Contains(log.String(), "1 of 1 jobs already have results") {
		t.Errorf("second run re-ran the job:\n%s", log.String())
	}
	// Loaded predictions equal the ones computed.
	loaded, err := store.Load(h)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range loaded.Tests[0].Predictions {
		q := r.Tests[0].Predictions[i]
		if p.ID != q.ID || p.Class != q.Class || p.PSpiral != q.PSpiral || !math.IsNaN(p.RA) || !math.IsNaN(q.RA) {
			t.Fatalf("prediction %d: %+v stored, %+v computed", i, p, r.Tests[0].Predictions[i])
		}
	}
}

func TestBadImageLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, 30) // galaxy 30 is in region y, the test set
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	err := Run(context.Background(), p.Jobs, Options{Store: store})
	if err == nil || !strings.Contains(err.Error(), "030.jpg") {
		t.Fatalf("got %v, want an error naming img/030.jpg", err)
	}
	if left := storeEntries(store); len(left) != 0 {
		t.Errorf("a failed job left %d entries in the store (%s...)", len(left), left[0])
	}
}

// storeEntries lists a store folder's entries but its lock files.
func storeEntries(s *results.Store) []string {
	entries, _ := os.ReadDir(s.Dir)
	var out []string
	for _, e := range entries {
		if e.Name() != ".locks" {
			out = append(out, e.Name())
		}
	}
	return out
}

// A damaged stored result (a prediction file altered after it was
// written) stops a run before any training, naming the file; with Repair
// the job is retrained and stored again, identical to the first time.
func TestDamagedResult(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	if err := Run(context.Background(), p.Jobs, Options{Store: store}); err != nil {
		t.Fatal(err)
	}
	h := p.Jobs[0].Hash()
	preds := filepath.Join(store.Path(h), "predictions", "y.csv")
	good, _ := os.ReadFile(preds)
	bad := bytes.Replace(good, []byte("0."), []byte("1."), 1)
	if err := os.WriteFile(preds, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	err := Run(context.Background(), p.Jobs, Options{Store: store, Log: &log})
	if err == nil || !strings.Contains(err.Error(), preds) || !strings.Contains(err.Error(), "--repair") {
		t.Fatalf("run over a damaged result: %v, want an error naming %s and --repair", err, preds)
	}
	if strings.Contains(log.String(), "[1/") {
		t.Errorf("a job started although a stored result was damaged:\n%s", log.String())
	}
	if _, err := store.Load(h); err == nil {
		t.Error("Load read a damaged result")
	}
	log.Reset()
	if err := Run(context.Background(), p.Jobs, Options{Store: store, Log: &log, Repair: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "retraining it") {
		t.Errorf("repair did not say what it did:\n%s", log.String())
	}
	again, _ := os.ReadFile(preds)
	if !bytes.Equal(again, good) {
		t.Error("the retrained job's predictions differ from the first training's")
	}
	if err := store.Verify(h); err != nil {
		t.Errorf("after repair: %v", err)
	}
}

// A job whose lock another run holds is waited for and, once that run
// has stored it, reused rather than trained again: the job here cannot be
// trained (its images are gone), so only reuse lets it succeed.
func TestJobLockWaitsAndReuses(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	first := &results.Store{Dir: filepath.Join(dir, "first")}
	if err := Run(context.Background(), p.Jobs, Options{Store: first}); err != nil {
		t.Fatal(err)
	}
	h := p.Jobs[0].Hash()
	os.RemoveAll(filepath.Join(dir, "img"))
	store := &results.Store{Dir: filepath.Join(dir, "shared")}
	unlock, err := store.LockJob(context.Background(), h, nil)
	if err != nil {
		t.Fatal(err)
	}
	var log safeBuffer
	done := make(chan error, 1)
	go func() { done <- RunJob(context.Background(), p.Jobs[0], Options{Store: store, Log: &log}) }()
	select {
	case err := <-done:
		t.Fatalf("RunJob did not wait for the held lock: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	if !strings.Contains(log.String(), "waiting for its result") {
		t.Errorf("the waiting run said nothing: %q", log.String())
	}
	// The holder stores the result (here: a copy of the first store's).
	files := results.Files{}
	filepath.WalkDir(first.Path(h), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(path) != results.SumsFile {
			rel, _ := filepath.Rel(first.Path(h), path)
			files[rel], _ = os.ReadFile(path)
		}
		return nil
	})
	if err := store.Write(h, files); err != nil {
		t.Fatal(err)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("after the holder stored the job: %v", err)
	}
}

// safeBuffer is a bytes.Buffer for one writer and one reader goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCancelStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, p.Jobs, Options{Store: store}); err == nil {
		t.Fatal("a cancelled run succeeded")
	}
	if left := storeEntries(store); len(left) != 0 {
		t.Errorf("a cancelled run left %d entries", len(left))
	}
}

func TestSourceChanged(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	j := *p.Jobs[0]
	j.Source.Digest = strings.Repeat("0", 64)
	_, _, _, err := Execute(context.Background(), &j, nil)
	if err == nil || !strings.Contains(err.Error(), "changed since job") {
		t.Fatalf("got %v", err)
	}
}

// TestEnsembleAveragesMembers runs a job as a three-network ensemble and
// checks that its predictions are the mean of its members' (each trained
// from its own seed, the first from the job's), that every member is
// saved, and that "ensemble: 1" is the plain job.
func TestEnsembleAveragesMembers(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	exp, _ := os.ReadFile(filepath.Join(dir, "exp.yaml"))
	for _, k := range []int{1, 3} {
		body := strings.Replace(string(exp), "training: {epochs: 1, batch: 4}", fmt.Sprintf("training: {epochs: 1, batch: 4, ensemble: %d}", k), 1)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("ens%d.yaml", k)), []byte(body), 0o644)
	}
	single := plan(t, filepath.Join(dir, "exp.yaml")).Jobs[0]
	if one := plan(t, filepath.Join(dir, "ens1.yaml")).Jobs[0]; one.Hash() != single.Hash() {
		t.Errorf("ensemble: 1 changed the job's hash")
	}
	job := plan(t, filepath.Join(dir, "ens3.yaml")).Jobs[0]
	if job.Hash() == single.Hash() || job.Training.Members() != 3 {
		t.Fatalf("ensemble: 3 gave %d members, hash equal to the single network's: %v", job.Training.Members(), job.Hash() == single.Hash())
	}
	res, _, models, err := Execute(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 3 || len(res.Members) != 2 {
		t.Fatalf("%d networks, %d extra histories", len(models), len(res.Members))
	}
	plain, _, _, err := Execute(context.Background(), single, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild the mean from each member on the stored test images.
	src, err := OpenSource(job)
	if err != nil {
		t.Fatal(err)
	}
	preds := res.Tests[0].Predictions
	differs := false
	for i, p := range preds {
		if p.PSpiral != plain.Tests[0].Predictions[i].PSpiral {
			differs = true
		}
	}
	if !differs {
		t.Error("the ensemble predicts exactly what its first member alone does")
	}
	var gals = make([]sky.Galaxy, len(preds))
	byID := map[string]sky.Galaxy{}
	for _, g := range src.Galaxies() {
		byID[g.ID] = g
	}
	for i, p := range preds {
		gals[i] = byID[p.ID]
	}
	set, err := sky.LoadImages(context.Background(), src, gals, job.Model.Input, false)
	if err != nil {
		t.Fatal(err)
	}
	var sum []float64
	for k, m := range models {
		p, err := m.Predict(context.Background(), set, 64)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			for i := range p {
				if p[i] != plain.Tests[0].Predictions[i].PSpiral {
					t.Fatalf("member 1 is not the single network: %g vs %g", p[i], plain.Tests[0].Predictions[i].PSpiral)
				}
			}
			sum = p
			continue
		}
		for i := range p {
			sum[i] += p[i]
		}
	}
	for i, p := range preds {
		if want := sum[i] / 3; math.Abs(p.PSpiral-want) > 1e-12 {
			t.Fatalf("galaxy %s: ensemble p %g, mean of members %g", p.ID, p.PSpiral, want)
		}
	}
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	if err := Run(context.Background(), []*dsl.Job{job}, Options{Store: store, SaveModels: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"model.ckpt", "model-2.ckpt", "model-3.ckpt"} {
		if _, err := os.Stat(filepath.Join(store.Path(job.Hash()), f)); err != nil {
			t.Errorf("ensemble result lacks %s: %v", f, err)
		}
	}
}

// TestParallelRunsAreIdentical runs an ensemble experiment with repeats
// one job at a time and two at once: every stored file but the manifest
// (timings) must be byte-identical, and each member's answers must be
// stored and read back.
func TestParallelRunsAreIdentical(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	exp, _ := os.ReadFile(filepath.Join(dir, "exp.yaml"))
	body := strings.Replace(string(exp), "training: {epochs: 1, batch: 4}", "training: {epochs: 1, batch: 4, ensemble: 3}\nrepeat: 3", 1)
	os.WriteFile(filepath.Join(dir, "rep.yaml"), []byte(body), 0o644)
	jobs := plan(t, filepath.Join(dir, "rep.yaml")).Jobs
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	var stores [2]*results.Store
	for k, par := range []int{1, 2} {
		stores[k] = &results.Store{Dir: filepath.Join(dir, fmt.Sprintf("results-%d", par))}
		if err := Run(context.Background(), jobs, Options{Store: stores[k], Parallel: par, SaveModels: true}); err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			r, err := stores[k].Load(j.Hash())
			if err != nil {
				t.Fatal(err)
			}
			tr := r.Tests[0]
			if tr.Networks() != 3 {
				t.Fatalf("parallel %d: job %s read back with %d networks, want 3", par, j.ShortHash(), tr.Networks())
			}
			for _, p := range tr.Predictions {
				mean := (p.Members[0] + p.Members[1] + p.Members[2]) / 3
				if math.Abs(mean-p.PSpiral) > 1e-12 {
					t.Fatalf("galaxy %s: members %v, mean %g stored as %g", p.ID, p.Members, mean, p.PSpiral)
				}
			}
		}
	}
	for _, j := range jobs {
		for _, f := range []string{"result.json", "job.json", "predictions/y.csv", "model-3.ckpt"} {
			a, errA := os.ReadFile(filepath.Join(stores[0].Path(j.Hash()), f))
			b, errB := os.ReadFile(filepath.Join(stores[1].Path(j.Hash()), f))
			if errA != nil || errB != nil || !bytes.Equal(a, b) {
				t.Errorf("job %s: %s differs between one and two jobs at once (%v, %v)", j.ShortHash(), f, errA, errB)
			}
		}
	}
}

// Ctrl-C in the middle of training stops the run within a second or two
// and stores nothing of the job.
func TestCancelMidTraining(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	exp := filepath.Join(dir, "exp.yaml")
	b, _ := os.ReadFile(exp)
	os.WriteFile(exp, bytes.Replace(b, []byte("epochs: 1"), []byte("epochs: 100000"), 1), 0o644)
	p := plan(t, exp)
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	ctx, cancel := context.WithCancel(context.Background())
	var log safeBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, p.Jobs, Options{Store: store, Log: &log}) }()
	time.Sleep(700 * time.Millisecond) // images loaded, training under way
	if !strings.Contains(log.String(), "[1/1]") {
		t.Fatalf("the job did not start: %q", log.String())
	}
	cancel()
	t0 := time.Now()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a run cancelled mid-training succeeded")
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("stopped %v after the cancel, want under 2s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not stop within 5s of the cancel")
	}
	if left := storeEntries(store); len(left) != 0 {
		t.Errorf("a run cancelled mid-training left %v in the store", left)
	}
}

// TestRedrawTrainsMembersOnTheirOwnDraws: with training.redraw the first
// member is the network the same job without redraw trains (same draw,
// same seed, same answers), and the later members, trained on draws of
// their own, answer otherwise.
func TestRedrawTrainsMembersOnTheirOwnDraws(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	exp, _ := os.ReadFile(filepath.Join(dir, "exp.yaml"))
	for name, tr := range map[string]string{"shared": "ensemble: 3", "redraw": "ensemble: 3, redraw: true"} {
		body := strings.Replace(string(exp), "training: {epochs: 1, batch: 4}", "training: {epochs: 1, batch: 4, "+tr+"}", 1)
		os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(body), 0o644)
	}
	run := func(name string) *results.Result {
		t.Helper()
		res, _, models, err := Execute(context.Background(), plan(t, filepath.Join(dir, name+".yaml")).Jobs[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(models) != 3 {
			t.Fatalf("%s: %d networks, want 3", name, len(models))
		}
		return res
	}
	shared, redraw := run("shared"), run("redraw")
	if !reflect.DeepEqual(shared.TrainCounts, redraw.TrainCounts) {
		t.Errorf("training counts %v with redraw, %v without", redraw.TrainCounts, shared.TrainCounts)
	}
	differs := [3]bool{}
	for i, p := range redraw.Tests[0].Predictions {
		q := shared.Tests[0].Predictions[i]
		if p.ID != q.ID {
			t.Fatalf("redraw changed the test galaxies: %s vs %s", p.ID, q.ID)
		}
		for k := range 3 {
			if p.Members[k] != q.Members[k] {
				differs[k] = true
			}
		}
	}
	if differs[0] || !differs[1] || !differs[2] {
		t.Errorf("members whose answers differ with redraw: %v, want [false true true]", differs)
	}
}
