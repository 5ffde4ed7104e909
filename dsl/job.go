package dsl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/skybias/skybias/internal/input"
	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/sky"
)

// ResultVersion is part of every job's hash; it changes when the meaning
// of a job's result changes (training, sampling or the result format), so
// stored results of older code are never reused.
const ResultVersion = "skybias-result-3"

// Job is one training run and the predictions it makes: plain data that
// says everything needed to run it, here or on a cluster node.
type Job struct {
	Experiment string `json:"experiment"`
	// File is the experiment file the job came from.
	File    string `json:"file"`
	Profile string `json:"profile"`
	// Variant names the sweep point ("train.n=500"); empty without sweeps.
	Variant string `json:"variant,omitempty"`
	// Params are the swept parameters and their values.
	Params map[string]string `json:"params,omitempty"`
	// Repeat numbers the re-drawn train/test split (0 .. repeat-1).
	Repeat int       `json:"repeat"`
	Source SourceRef `json:"source"`
	// Regions are the definitions of every region the job draws from.
	Regions map[string]*sky.Region `json:"regions"`
	// Train lists, per class name, the parts of the training set.
	Train map[string][]Part `json:"train"`
	// Tests are the named test sets (galaxies per class).
	Tests    []Test         `json:"tests"`
	Model    netspec.Config `json:"model"`
	Training Training       `json:"training"`
	// SplitSeed seeds the draw of training and test galaxies.
	SplitSeed uint64 `json:"split_seed"`
	// TrainSeed, when not 0, seeds the draw of training galaxies alone
	// (the experiment's train_seed): the test galaxies still follow
	// SplitSeed, so two jobs that differ only here are tested on the same
	// galaxies and trained on different ones.
	TrainSeed uint64    `json:"train_seed,omitempty"`
	Compare   []Compare `json:"compare,omitempty"`
	Paper     *PaperRef `json:"paper,omitempty"`
	// Probe is set for a region probe, which has no Train or Tests.
	Probe *Probe `json:"probe,omitempty"`
}

// drawn keeps the splits drawn when jobs were compiled (repeat 0 of each
// sweep point, to check the counts), by job hash, so that running such a
// job does not draw again while the job itself stays plain data. A split
// is what the job's hash determines, so any job of that hash may reuse
// it. The memo is bounded: past maxDrawn entries it starts over.
var drawn struct {
	sync.Mutex
	m map[string]any // *sky.Split or *sky.ProbeSplit
}

const maxDrawn = 4096

// remember keeps a split drawn for the job.
func remember(j *Job, split any) {
	h := j.Hash()
	drawn.Lock()
	defer drawn.Unlock()
	if drawn.m == nil || len(drawn.m) >= maxDrawn {
		drawn.m = map[string]any{}
	}
	drawn.m[h] = split
}

// recall returns a split remembered for the job's hash, or nil.
func recall(j *Job) any {
	h := j.Hash()
	drawn.Lock()
	defer drawn.Unlock()
	return drawn.m[h]
}

// DrawProbe draws a probe job's training and held-out galaxies from gals,
// reusing the draw made when the job was compiled.
func (j *Job) DrawProbe(gals []sky.Galaxy) (*sky.ProbeSplit, error) {
	if j.Probe == nil {
		return nil, fmt.Errorf("job %s is not a probe", j.ShortHash())
	}
	if s, ok := recall(j).(*sky.ProbeSplit); ok {
		return s, nil
	}
	var regions []*sky.Region
	for _, n := range j.Probe.Regions {
		r, ok := j.Regions[n]
		if !ok {
			return nil, fmt.Errorf("job %s: probe region %q is not defined", j.Experiment, n)
		}
		regions = append(regions, r)
	}
	return sky.DrawProbe(gals, regions, j.Probe.Classes(), j.Probe.N, j.Probe.Test, j.SplitSeed)
}

// Draw draws the job's training and test galaxies from gals, the
// galaxies of its source (whose digest the caller has checked), reusing
// the draw made when the job was compiled.
func (j *Job) Draw(gals []sky.Galaxy) (*sky.Split, error) {
	if s, ok := recall(j).(*sky.Split); ok {
		return s, nil
	}
	plan, err := j.DrawPlan()
	if err != nil {
		return nil, err
	}
	return sky.Draw(gals, plan, j.SplitSeed)
}

// DrawMember draws the training and test galaxies of ensemble member k:
// the job's own draw for the first member, or whenever Training.Redraw is
// off; with Redraw, the same test galaxies and a training draw of its own,
// seeded from the job's training seed and k.
func (j *Job) DrawMember(gals []sky.Galaxy, k int) (*sky.Split, error) {
	if k == 0 || !j.Training.Redraw {
		return j.Draw(gals)
	}
	plan, err := j.DrawPlan()
	if err != nil {
		return nil, err
	}
	base := j.TrainSeed
	if base == 0 {
		base = j.SplitSeed
	}
	plan.TrainSeed = sky.SubSeed(base, "member", strconv.Itoa(k))
	return sky.Draw(gals, plan, j.SplitSeed)
}

// TrainingUnion is every galaxy (index into gals, per class, sorted) that
// some member of the job trained on: the job's training draw, joined with
// each member's own where Training.Redraw is on.
func (j *Job) TrainingUnion(gals []sky.Galaxy) (map[sky.Class][]int, error) {
	out := map[sky.Class][]int{}
	seen := map[int]bool{}
	draws := 1
	if j.Training.Redraw {
		draws = j.Training.Members()
	}
	for k := range draws {
		sp, err := j.DrawMember(gals, k)
		if err != nil {
			return nil, err
		}
		for _, c := range sky.Classes {
			for _, i := range sp.Train[c] {
				if !seen[i] {
					seen[i] = true
					out[c] = append(out[c], i)
				}
			}
		}
	}
	for _, c := range sky.Classes {
		slices.Sort(out[c])
	}
	return out, nil
}

// SourceRef names a data source file and the digest of its content.
type SourceRef struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Overrides is YAML laid over a survey's keys (an experiment's source:
	// {file, ...} or a sweep over source.KEY); the digest covers the
	// result.
	Overrides string `json:"overrides,omitempty"`
	Digest    string `json:"digest"`
	// Unused counts a catalog's rows whose class is neither elliptical nor
	// spiral, by label as written ("spirall": 2), for the report to say
	// what was left out; counted when compiled, not hashed.
	Unused map[string]int `json:"-"`
}

// Part is one draw of a class's training galaxies: N from the union of
// the named regions.
type Part struct {
	From []string `json:"from"`
	N    int      `json:"n"`
}

// Test is a named test set: N galaxies of each class from the union of
// the named regions.
type Test struct {
	Name string   `json:"name"`
	From []string `json:"from"`
	N    int      `json:"n"`
}

// TrainingBounds are the limits of each training setting, by its key in
// the experiment language: the YAML decoder and Training.Check (a job
// file read by "skybias job run") apply the same ones.
var TrainingBounds = map[string][2]float64{
	"epochs": {1, 100000}, "batch": {1, 4096}, "lr": {1e-9, 10}, "beta1": {0, 0.999999}, "beta2": {0, 0.99999999},
	"epsilon": {1e-12, 1}, "validation": {0, 0.9}, "patience": {0, 100000}, "ensemble": {1, 64},
}

// Check applies TrainingBounds to settings that did not come through the
// YAML decoder (a job file), naming the first key out of its range.
func (t Training) Check() error {
	ens := float64(t.Ensemble)
	if t.Ensemble == 0 {
		ens = 1
	}
	for _, c := range []struct {
		key string
		v   float64
	}{
		{"epochs", float64(t.Epochs)}, {"batch", float64(t.Batch)}, {"lr", t.Adam.LR}, {"beta1", t.Adam.Beta1}, {"beta2", t.Adam.Beta2},
		{"epsilon", t.Adam.Epsilon}, {"validation", t.Validation}, {"patience", float64(t.Patience)}, {"ensemble", ens},
	} {
		b := TrainingBounds[c.key]
		if !(c.v >= b[0] && c.v <= b[1]) {
			return fmt.Errorf("training.%s %g is outside %g..%g", c.key, c.v, b[0], b[1])
		}
	}
	return nil
}

// Training holds the optimiser and training-loop settings.
type Training struct {
	Epochs     int          `json:"epochs"`
	Batch      int          `json:"batch"`
	Adam       netspec.Adam `json:"adam"`
	Seed       uint64       `json:"seed"`
	Validation float64      `json:"validation,omitempty"`
	Patience   int          `json:"patience,omitempty"`
	Augment    bool         `json:"augment,omitempty"`
	// Ensemble is how many networks the job trains, each from its own
	// starting weights and batch order, averaging their p(spiral) (0 or
	// 1: one network, as in the paper).
	Ensemble int `json:"ensemble,omitempty"`
	// Redraw has each ensemble member after the first train on its own
	// draw of training galaxies (the same selections and test galaxies,
	// another seed for the training draw), so that the members' spread,
	// which the verdict's interval is built from, includes the variation
	// that comes from which galaxies a network was trained on, not only
	// from its starting weights and batch order.
	Redraw bool `json:"redraw,omitempty"`
}

// Members is the number of networks a job trains (at least 1).
func (t Training) Members() int { return max(1, t.Ensemble) }

// MemberSeed is the training seed of ensemble member k: the job's own
// seed for the first, so a one-network job is unchanged by the option.
func (t Training) MemberSeed(k int) uint64 {
	if k == 0 {
		return t.Seed
	}
	return sky.SubSeed(t.Seed, "member", strconv.Itoa(k))
}

// setFieldPos records where a key naming a test set is written.
func (c *Compare) setFieldPos(key string, p Pos) {
	if c.fieldPos == nil {
		c.fieldPos = map[string]Pos{}
	}
	c.fieldPos[key] = p
}

// Compare says that this experiment's test set On is to be compared with
// test set BaselineOn of experiment With (the same galaxies, so the
// comparison is paired).
type Compare struct {
	With       string `json:"with"`
	On         string `json:"on"`
	BaselineOn string `json:"baseline_on"`
	// SpiralField and ElliptField name the two test sets of the
	// design-by-field interaction when the training design does not
	// imply them (a design that trains both classes on both fields):
	// the field whose spirals the effect would favour, and the other.
	SpiralField string `json:"spiral_field,omitempty"`
	ElliptField string `json:"elliptical_field,omitempty"`
	// Truth is what a calibration study knows by construction: "none"
	// (no bias: every shift the verdict calls is a false positive) or
	// "bias" (the verdict should find it: its rate is the power).
	Truth string `json:"truth,omitempty"`
	// Target is a published effect this comparison is set against: the
	// report says where a swept parameter makes the effect reach it (how a
	// tuned survey's contrast is chosen).
	Target *float64 `json:"target,omitempty"`
	// Family, in a calibration or power study, is the size of the report
	// family the comparison would be judged in where it is used (the
	// paper report's, say): each repeat is then also judged at Holm's
	// first step, P below FamilyAlpha/Family, beside alone.
	Family int `json:"family,omitempty"`
	// Pos is where the with: value is written (for errors; not hashed).
	Pos Pos `json:"-"`
	// fieldPos is where on:, spiral_field: and elliptical_field: are
	// written, by key (for errors).
	fieldPos map[string]Pos
}

// PaperRef points at the published table or figure an experiment
// reproduces.
type PaperRef struct {
	Table  int `json:"table,omitempty"`
	Figure int `json:"figure,omitempty"`
	// On names the test set the table reports.
	On string `json:"on,omitempty"`
}

// JSON returns the job's canonical JSON: fixed field order, sorted map
// keys, no insignificant white space.
func (j *Job) JSON() []byte {
	b, err := json.Marshal(j)
	if err != nil {
		panic(fmt.Sprintf("dsl: job JSON: %v", err)) // plain data always marshals
	}
	return b
}

// Hash is the job's content hash: sha256 over ResultVersion, the canonical
// JSON of what the job computes (data source digest, regions, training and
// test selections, model, training settings, split seed) and nothing that
// only names it (experiment, file, profile, sweep labels, comparisons).
// Two experiments asking for the same computation share one result.
//
// The model enters with the convolution algorithm it effectively uses:
// "winograd" when some layer takes the Winograd path, else nothing (the
// direct algorithm, as results before model.conv existed were computed).
// A network in which no layer qualifies for Winograd (the quick
// profile's 48 px, the calibration networks) computes the same weights
// bit for bit either way, so it keeps one hash, and results stored by
// older versions stay valid; a network that does use Winograd gets a new
// hash, so a stored direct result is never taken for it.
func (j *Job) Hash() string {
	model := j.Model
	if r, err := model.Resolve(); err == nil {
		model = r
	}
	wino := len(model.WinogradLayers()) > 0
	model.Conv = ""
	if wino {
		model.Conv = netspec.ConvWinograd
	}
	c := struct {
		Digest   string                 `json:"digest"`
		Regions  map[string]*sky.Region `json:"regions"`
		Train    map[string][]Part      `json:"train"`
		Tests    []Test                 `json:"tests"`
		Model    netspec.Config         `json:"model"`
		Training Training               `json:"training"`
		Seed     uint64                 `json:"split_seed"`
		Train2   uint64                 `json:"train_seed,omitempty"` // absent unless set: other hashes are unchanged
		Probe    *Probe                 `json:"probe,omitempty"`      // absent for other jobs: their hashes are unchanged
	}{j.Source.Digest, j.Regions, j.Train, j.Tests, model, j.Training, j.SplitSeed, j.TrainSeed, j.Probe}
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("dsl: job JSON: %v", err))
	}
	h := sha256.New()
	h.Write([]byte(ResultVersion + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// ShortHash is the first 12 hex digits of Hash, for listings.
func (j *Job) ShortHash() string { return j.Hash()[:12] }

// ReadJob reads a job's JSON file (as written for a cluster), checking it.
func ReadJob(path string) (*Job, error) {
	b, err := input.ReadFile(path, input.SmallFile)
	if err != nil {
		return nil, fmt.Errorf("job: %w", err)
	}
	var j Job
	// Unknown fields refused: a mistyped field would otherwise fall silent.
	if err := input.DecodeJSON(b, &j, true); err != nil {
		return nil, fmt.Errorf("job %s: %w", path, err)
	}
	if j.Experiment == "" || (len(j.Train) == 0 && j.Probe == nil) || j.Source.Path == "" {
		return nil, fmt.Errorf("job %s: not a skybias job (no experiment, training set or source)", path)
	}
	// The limits the experiment language applies, again: a job file can
	// be edited by hand.
	if err := j.Training.Check(); err != nil {
		return nil, fmt.Errorf("job %s: %w", path, err)
	}
	if _, err := j.Model.Resolve(); err != nil {
		return nil, fmt.Errorf("job %s: model: %w", path, err)
	}
	for class, parts := range j.Train {
		for _, p := range parts {
			if p.N < 1 || p.N > 10_000_000 {
				return nil, fmt.Errorf("job %s: train.%s asks for %d galaxies (want 1 to 10,000,000)", path, class, p.N)
			}
		}
	}
	return &j, nil
}

// DrawPlan turns the job's selections into a sky.DrawPlan.
func (j *Job) DrawPlan() (sky.DrawPlan, error) {
	region := func(names []string) ([]*sky.Region, error) {
		var out []*sky.Region
		for _, n := range names {
			r, ok := j.Regions[n]
			if !ok {
				return nil, fmt.Errorf("job %s: region %q is not defined", j.Experiment, n)
			}
			out = append(out, r)
		}
		return out, nil
	}
	plan := sky.DrawPlan{Train: map[sky.Class][]sky.Part{}, TrainSeed: j.TrainSeed}
	for cname, parts := range j.Train {
		c, err := sky.ParseClass(cname)
		if err != nil {
			return plan, fmt.Errorf("job %s: train: %w", j.Experiment, err)
		}
		for _, p := range parts {
			rs, err := region(p.From)
			if err != nil {
				return plan, err
			}
			plan.Train[c] = append(plan.Train[c], sky.Part{Regions: rs, N: p.N})
		}
	}
	for _, t := range j.Tests {
		rs, err := region(t.From)
		if err != nil {
			return plan, err
		}
		plan.Tests = append(plan.Tests, sky.TestSet{Name: t.Name, Regions: rs, N: t.N})
	}
	return plan, nil
}

// TrainImages is the number of training galaxies (all classes).
func (j *Job) TrainImages() int {
	if p := j.Probe; p != nil {
		return len(p.Regions) * len(p.Classes()) * p.N
	}
	n := 0
	for _, parts := range j.Train {
		for _, p := range parts {
			n += p.N
		}
	}
	return n
}

// TestImages is the number of test galaxies (all sets and classes).
func (j *Job) TestImages() int {
	if p := j.Probe; p != nil {
		return len(p.Regions) * len(p.Classes()) * p.Test
	}
	n := 0
	for _, t := range j.Tests {
		n += 2 * t.N
	}
	return n
}
