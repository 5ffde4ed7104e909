package dsl

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/sky"
)

// DefaultProfile is the profile used when none is named: the one that
// finishes on a 2-core machine.
const DefaultProfile = "quick"

// Options choose how an experiment compiles.
type Options struct {
	// Profile names the profile to apply ("quick", "paper", or one the
	// file defines). Empty means DefaultProfile when the file defines it,
	// else none.
	Profile string
	// MaxJobs caps the jobs one file may compile to (0: MaxJobs). The
	// count is checked before the sweep is expanded.
	MaxJobs int
	// Overrides are KEY.PATH=VALUE settings from the command line, laid
	// over the file after its profile: each value is read as YAML and
	// checked like the file's own, and enters the job hash like them.
	Overrides []string
}

// MaxJobs is the default cap on the jobs one experiment file compiles to:
// a sweep of many keys multiplies fast (9 keys of 9 values are 387
// million jobs), and the cap stops it before any is built. The command
// line's --max-jobs raises it.
var MaxJobs = 10_000

// Plan is a compiled experiment: its jobs, in order.
type Plan struct {
	Experiment  string
	Description string
	File        string
	Profile     string
	Jobs        []*Job
	// Cluster is the file's Slurm settings (nil when it has none).
	Cluster *Cluster
	// Annotate is set when every job's networks go on to label a catalog
	// (and perhaps test its anisotropy).
	Annotate *Annotate
}

// CompileFile loads and compiles an experiment file.
func CompileFile(path string, opts Options) (*Plan, error) {
	doc, err := Load(path)
	if err != nil {
		return nil, err
	}
	return Compile(doc, opts)
}

// Compile checks an experiment, applies the profile, and expands sweeps
// (a grid when there are several) and repeats into jobs. All problems are
// returned together as an ErrorList.
func Compile(doc *Document, opts Options) (*Plan, error) {
	e := &errs{doc: doc}
	root := doc.Root
	profile, profName, scale := selectProfile(doc, e, opts)
	if profile != nil {
		merged := doc.merge(root, profile)
		// The merged mapping stands for the experiment file, not the profile.
		merged.Line, merged.Column = root.Line, root.Column
		doc.files[merged] = doc.fileOf(root)
		root = merged
	}
	root = applyOverrides(doc, e, root, opts.Overrides)
	axes := decodeSweep(e, get(root, "sweep"))
	if err := e.err(); err != nil {
		return nil, err
	}
	allowed := withoutKeys(TopKeys, "include")
	plan := &Plan{File: doc.Path, Profile: profName}
	limit := opts.MaxJobs
	if limit <= 0 {
		limit = MaxJobs
	}
	if limit > MaxJobsCeiling {
		e.list = append(e.list, &Error{Pos: Pos{File: doc.Path}, Msg: fmt.Sprintf("--max-jobs %d is above the ceiling of %d jobs one file may compile to (each job is held in memory while the plan is built)", limit, MaxJobsCeiling)})
		return nil, e.err()
	}
	count := 1
	for _, ax := range axes {
		if count *= len(ax.values); count > limit {
			e.at(get(root, "sweep"), "sweep: %d keys expand to more than %d jobs (the limit; --max-jobs raises it)", len(axes), limit)
			return nil, e.err()
		}
	}
	points := grid(axes)
	for _, point := range points {
		r := root
		var labels []string
		params := map[string]string{}
		for i, ax := range axes {
			v := ax.values[point[i]]
			r = setPath(doc, e, r, ax.path, ax.key, v)
			labels = append(labels, ax.path+"="+v.Value)
			params[ax.path] = v.Value
		}
		x := decode(doc, r, e, allowed)
		if len(e.list) > 0 {
			break // the other points would repeat these errors
		}
		x.scale(scale)
		plan.Experiment, plan.Description, plan.Cluster, plan.Annotate = x.name, x.description, x.cluster, x.annotate
		var drawn *sky.Split
		var probeDrawn *sky.ProbeSplit
		if x.probe != nil {
			probeDrawn = checkProbe(e, x)
		} else {
			drawn = checkCounts(e, x)
		}
		if len(e.list) > 0 {
			break
		}
		if len(plan.Jobs)+x.repeat > limit {
			e.at(get(root, "repeat"), "repeat: %d sweep points of %d repeats are %d jobs, more than the limit of %d (--max-jobs raises it)", len(points), x.repeat, len(points)*x.repeat, limit)
			break
		}
		for rep := 0; rep < x.repeat; rep++ {
			j := x.job(doc, plan.Profile, strings.Join(labels, ","), params, rep)
			if rep == 0 {
				// The same regions, counts and seed: running it need not
				// draw again.
				if probeDrawn != nil {
					remember(j, probeDrawn)
				} else if drawn != nil {
					remember(j, drawn)
				}
				if err := j.checkMemory(); err != nil {
					e.at(root, "%s", err)
					return nil, e.err()
				}
			}
			plan.Jobs = append(plan.Jobs, j)
		}
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	return plan, nil
}

// overridePath is a dotted key path: words of letters, digits and _.
var overridePath = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

// applyOverrides lays KEY.PATH=VALUE settings over an experiment's root.
// Errors name the override as their place ("override training.epochs=x").
func applyOverrides(doc *Document, e *errs, root *yaml.Node, overrides []string) *yaml.Node {
	for _, o := range overrides {
		place := "override " + o
		path, val, ok := strings.Cut(o, "=")
		at := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: path}
		doc.files[at] = place
		if !ok || !overridePath.MatchString(path) {
			e.at(at, "want KEY.PATH=VALUE, such as training.epochs=5")
			continue
		}
		if top := strings.Split(path, ".")[0]; !contains(withoutKeys(TopKeys, "include", "profiles"), top) {
			e.at(at, "%s is not an experiment key%s; known: %s", top, suggest(top, TopKeys), oneOf(withoutKeys(TopKeys, "include", "profiles")))
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(val), &n); err != nil || len(n.Content) == 0 {
			e.at(at, "the value %q is not YAML (a number, a word, [a, b] or {k: v})", val)
			continue
		}
		v := n.Content[0]
		doc.mark(v, place)
		root = setLeaves(doc, e, root, path, at, v)
	}
	return root
}

// setLeaves sets path to v, a mapping key by key (training={epochs: 5}
// changes epochs and keeps the other training keys, as the same key in
// a profile does).
func setLeaves(doc *Document, e *errs, root *yaml.Node, path string, at, v *yaml.Node) *yaml.Node {
	if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
		return setPath(doc, e, root, path, at, v)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		root = setLeaves(doc, e, root, path+"."+v.Content[i].Value, at, v.Content[i+1])
	}
	return root
}

// MaxJobsCeiling bounds --max-jobs: a plan holds every job in memory, so
// a grid of hundreds of millions would exhaust it before any work.
const MaxJobsCeiling = 1_000_000

// MaxJobMemory is the hard ceiling on what one job may need in memory
// (its network's parameters and optimiser state, one batch's
// activations, its training images): a job over it is refused before any
// work, whatever its keys say one by one. No flag lifts it.
const MaxJobMemory = 32 << 30

// checkMemory refuses a job whose settings add up to more memory than
// MaxJobMemory, naming the keys that add up.
func (j *Job) checkMemory() error {
	m, err := j.Model.Resolve()
	if err != nil {
		return nil // reported where the model is decoded
	}
	params, acts := m.Memory(j.Training.Batch)
	images := float64(j.TrainImages()) * float64(m.Input*m.Input*3)
	total := params*float64(max(1, j.Training.Members())) + acts + images
	if total <= MaxJobMemory {
		return nil
	}
	gib := func(b float64) string { return fmt.Sprintf("%.3g GiB", b/(1<<30)) }
	return fmt.Errorf("this job would need about %s of memory, more than the %s one job may use: model.input %d, model.widths %v and model.dense %d make %s of parameters and optimiser state per network (%d networks), training.batch %d makes %s of activations, and %d training images of %d px make %s; make the network or the batch smaller",
		gib(total), gib(MaxJobMemory), m.Input, m.Widths, m.Dense, gib(params), j.Training.Members(), j.Training.Batch, gib(acts), j.TrainImages(), m.Input, gib(images))
}

func withoutKeys(keys []string, drop ...string) []string {
	var out []string
	for _, k := range keys {
		if !contains(drop, k) {
			out = append(out, k)
		}
	}
	return out
}

// countScale is a profile's scaling of galaxy counts.
type countScale struct{ train, test float64 }

// selectProfile finds the named profile among the file's profiles and
// returns its overlay (without the scale keys), its name and its count
// scaling; no overlay and an empty name when no profile applies.
func selectProfile(doc *Document, e *errs, opts Options) (*yaml.Node, string, countScale) {
	sc := countScale{1, 1}
	profiles := get(doc.Root, "profiles")
	var names []string
	for _, kv := range e.keys(profiles, "profiles", nil) {
		names = append(names, kv[0].Value)
	}
	name := opts.Profile
	if name == "" {
		if !contains(names, DefaultProfile) {
			return nil, "", sc
		}
		name = DefaultProfile
	}
	p := get(profiles, name)
	if p == nil {
		e.at(profiles, "profile %q is not defined here or in the included files%s; defined: %s", name, suggest(name, names), oneOf(names))
		if profiles == nil {
			e.list[len(e.list)-1].Pos = Pos{File: doc.Path}
		}
		return nil, "", sc
	}
	allowed := append(withoutKeys(TopKeys, "include", "profiles", "name"), scaleKeys...)
	overlay := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: p.Line, Column: p.Column}
	doc.files[overlay] = doc.fileOf(p)
	for _, kv := range e.keys(p, "profiles."+name, allowed) {
		switch kv[0].Value {
		case "train_scale":
			sc.train, _ = e.number(kv[1], "profiles."+name+".train_scale", 1e-6, 1)
		case "test_scale":
			sc.test, _ = e.number(kv[1], "profiles."+name+".test_scale", 1e-6, 1)
		default:
			overlay.Content = append(overlay.Content, kv[0], kv[1])
		}
	}
	return overlay, name, sc
}

// axis is one swept parameter: a dotted path and its values.
type axis struct {
	path   string
	key    *yaml.Node
	values []*yaml.Node
}

func decodeSweep(e *errs, n *yaml.Node) []axis {
	var axes []axis
	for _, kv := range e.keys(n, "sweep", nil) {
		v := resolve(kv[1])
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			e.at(v, "sweep.%s: want a non-empty list of values", kv[0].Value)
			continue
		}
		ax := axis{path: kv[0].Value, key: kv[0]}
		for _, el := range v.Content {
			el = resolve(el)
			if !isScalar(el) {
				e.at(el, "sweep.%s: want plain values", kv[0].Value)
				continue
			}
			ax.values = append(ax.values, el)
		}
		if first := strings.Split(ax.path, ".")[0]; !contains(withoutKeys(TopKeys, "include", "profiles", "sweep", "name", "description", "compare", "paper"), first) {
			e.at(kv[0], "sweep: %q is not a parameter path (start with train, test, model, training, seed, ...)%s", ax.path, suggest(first, TopKeys))
			continue
		}
		axes = append(axes, ax)
	}
	sort.SliceStable(axes, func(i, j int) bool { return axes[i].path < axes[j].path })
	return axes
}

// grid lists every combination of axis value indices, the last axis
// varying fastest; with no axes, one empty point.
func grid(axes []axis) [][]int {
	points := [][]int{{}}
	for _, ax := range axes {
		var next [][]int
		for _, p := range points {
			for i := range ax.values {
				next = append(next, append(append([]int(nil), p...), i))
			}
		}
		points = next
	}
	return points
}

// setPath returns a copy of root with the scalar at a dotted path set to
// v, creating mappings on the way. "train.n" and "test.n" set n in every
// class's selection or every test set.
func setPath(doc *Document, e *errs, root *yaml.Node, path string, key, v *yaml.Node) *yaml.Node {
	parts := strings.Split(path, ".")
	if len(parts) == 2 && parts[1] == "n" && (parts[0] == "train" || parts[0] == "test") {
		sec := get(root, parts[0])
		if sec == nil || sec.Kind != yaml.MappingNode {
			e.at(key, "sweep %s: the experiment has no %s mapping", path, parts[0])
			return root
		}
		for i := 0; i+1 < len(sec.Content); i += 2 {
			if resolve(sec.Content[i+1]).Kind == yaml.SequenceNode {
				e.at(key, "sweep %s: %s.%s is a mixture of parts; sweep each part's n instead", path, parts[0], sec.Content[i].Value)
				return root
			}
			root = setPath(doc, e, root, parts[0]+"."+sec.Content[i].Value+".n", key, v)
		}
		return root
	}
	if parts[0] == "source" && len(parts) > 1 {
		// source.KEY sweeps a survey key: a plain source path becomes
		// {file: PATH} first, so the key is laid over the file's survey.
		if src := get(root, "source"); src != nil && resolve(src).Kind == yaml.ScalarNode {
			fk := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "file", Line: src.Line, Column: src.Column}
			doc.files[fk] = doc.fileOf(src)
			m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: src.Line, Column: src.Column, Content: []*yaml.Node{fk, resolve(src)}}
			doc.files[m] = doc.fileOf(src)
			root = setIn(doc, root, []string{"source"}, m)
		}
	}
	return setIn(doc, root, parts, v)
}

func setIn(doc *Document, m *yaml.Node, parts []string, v *yaml.Node) *yaml.Node {
	m = resolve(m)
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if m != nil && m.Kind == yaml.MappingNode {
		out.Line, out.Column = m.Line, m.Column
		out.Content = append(out.Content, m.Content...)
		doc.files[out] = doc.fileOf(m)
	} else {
		out.Line, out.Column = v.Line, v.Column
		doc.files[out] = doc.fileOf(v)
	}
	for i := 0; i+1 < len(out.Content); i += 2 {
		if out.Content[i].Value == parts[0] {
			if len(parts) == 1 {
				out.Content[i+1] = v
			} else {
				out.Content[i+1] = setIn(doc, out.Content[i+1], parts[1:], v)
			}
			return out
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: parts[0], Line: v.Line, Column: v.Column}
	doc.files[k] = doc.fileOf(v)
	if len(parts) == 1 {
		out.Content = append(out.Content, k, v)
	} else {
		out.Content = append(out.Content, k, setIn(doc, nil, parts[1:], v))
	}
	return out
}

// scale multiplies the galaxy counts by a profile's factors (at least 1).
func (x *experiment) scale(sc countScale) {
	f := func(n int, s float64) int { return max(1, int(math.Round(float64(n)*s))) }
	for _, parts := range x.train {
		for _, p := range parts {
			p.n = f(p.n, sc.train)
		}
	}
	for _, t := range x.tests {
		t.n = f(t.n, sc.test)
	}
	if x.probe != nil {
		x.probe.N, x.probe.Test = f(x.probe.N, sc.train), f(x.probe.Test, sc.test)
	}
}

// checkCounts draws the first repeat's split to check that the regions
// hold the galaxies asked for, reporting each shortfall at the count that
// asks, and returns the split (nil on a problem).
func checkCounts(e *errs, x *experiment) *sky.Split {
	if x.source == nil {
		return nil
	}
	gals := x.source.Galaxies()
	regions := func(s *selection) []*sky.Region {
		var rs []*sky.Region
		for _, n := range s.from {
			rs = append(rs, x.regions[n])
		}
		return rs
	}
	ok := true
	for _, c := range sky.Classes {
		for _, t := range x.tests {
			idx, err := sky.Select(gals, regions(t), c)
			if err != nil {
				e.at(t.node, "test.%s: %v", t.name, err)
				ok = false
			} else if len(idx) < t.n {
				e.at(t.nNode, "test.%s: asks for %d %ss per class; %s holds %d", t.name, t.n, c, strings.Join(t.from, "+"), len(idx))
				ok = false
			}
		}
		for _, p := range x.train[c] {
			idx, err := sky.Select(gals, regions(p), c)
			if err != nil {
				e.at(p.node, "train.%s: %v", c, err)
				ok = false
			} else if len(idx) < p.n {
				e.at(p.nNode, "train.%s: asks for %d %ss; %s holds %d", c, p.n, c, strings.Join(p.from, "+"), len(idx))
				ok = false
			}
		}
	}
	if !ok {
		return nil
	}
	split, err := x.job(nil, "", "", nil, 0).Draw(gals)
	if err != nil {
		e.at(x.trainNode, "train and test would draw from the same galaxies: %v", err)
		return nil
	}
	return split
}

// job builds the job of one sweep point and repeat.
// sourceRef names the experiment's source (its source is open).
func (x *experiment) sourceRef() SourceRef {
	return SourceRef{Name: x.source.Name(), Path: x.sourcePath, Overrides: x.sourceOverrides, Digest: x.source.Digest()}
}

func (x *experiment) job(doc *Document, profile, variant string, params map[string]string, rep int) *Job {
	j := &Job{Experiment: x.name, Profile: profile, Variant: variant, Repeat: rep,
		Regions: map[string]*sky.Region{}, Train: map[string][]Part{}, Model: x.model, Training: x.training,
		SplitSeed: x.seed, TrainSeed: x.trainSeed, Compare: x.compare, Paper: x.paper}
	if doc != nil {
		j.File = doc.Path
	}
	if len(params) > 0 {
		j.Params = params
	}
	if rep > 0 {
		j.SplitSeed = sky.SubSeed(x.seed, "repeat", strconv.Itoa(rep))
		if x.trainSeed != 0 {
			j.TrainSeed = sky.SubSeed(x.trainSeed, "repeat", strconv.Itoa(rep))
		}
		j.Training.Seed = sky.SubSeed(x.training.Seed, "repeat", strconv.Itoa(rep))
	}
	if x.source != nil {
		if x.unused == nil {
			x.unused = sky.OtherLabels(x.source)
		}
		j.Source = x.sourceRef()
		j.Source.Unused = x.unused
	}
	use := func(names []string) {
		for _, n := range names {
			if r, ok := x.regions[n]; ok {
				j.Regions[n] = r
			}
		}
	}
	for _, c := range sky.Classes {
		for _, p := range x.train[c] {
			j.Train[c.String()] = append(j.Train[c.String()], Part{From: p.from, N: p.n})
			use(p.from)
		}
	}
	for _, t := range x.tests {
		j.Tests = append(j.Tests, Test{Name: t.name, From: t.from, N: t.n})
		use(t.from)
	}
	if x.probe != nil {
		p := x.probe.Probe
		p.Regions = append([]string(nil), p.Regions...)
		j.Probe = &p
		use(p.Regions)
	}
	return j
}

// Describe writes a job's design in one line: "S f1 x3000, E f2 x3000 -> f1 x8000".
func (j *Job) Describe() string {
	if j.Probe != nil {
		return describeProbe(j.Probe)
	}
	var parts []string
	for _, c := range sky.Classes {
		for _, p := range j.Train[c.String()] {
			parts = append(parts, fmt.Sprintf("%s %s x%d", c.Short(), strings.Join(p.From, "+"), p.N))
		}
	}
	var tests []string
	for _, t := range j.Tests {
		tests = append(tests, fmt.Sprintf("%s x%d", t.Name, t.N))
	}
	return strings.Join(parts, ", ") + " -> " + strings.Join(tests, ", ")
}
