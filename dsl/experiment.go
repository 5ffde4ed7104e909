package dsl

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/internal/yamlnode"
	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/sky"
)

// TopKeys are the keys an experiment file may hold.
var TopKeys = []string{"include", "name", "description", "paper", "source", "regions", "train", "test", "probe",
	"model", "training", "seed", "train_seed", "repeat", "sweep", "compare", "profiles", "cluster", "annotate", "anisotropy"}

var (
	modelKeys    = []string{"arch", "input", "widths", "pools", "dense", "conv"}
	trainingKeys = []string{"epochs", "batch", "lr", "beta1", "beta2", "epsilon", "seed", "validation", "patience", "augment", "ensemble", "redraw"}
	selKeys      = []string{"from", "n"}
	paperKeys    = []string{"table", "figure", "on"}
	compareKeys  = []string{"with", "on", "baseline_on", "spiral_field", "elliptical_field", "truth", "target", "family"}
	clusterKeys  = []string{"partition", "time", "cpus", "mem", "account", "sbatch"}
	classNames   = []string{"elliptical", "spiral"}
	// scaleKeys are the keys a profile holds beyond experiment keys.
	scaleKeys = []string{"train_scale", "test_scale"}
)

// selection is one training part or test set as written.
type selection struct {
	name  string // test set name
	from  []string
	n     int
	nNode *yaml.Node
	node  *yaml.Node
}

// experiment is a decoded, checked experiment (one sweep point).
type experiment struct {
	name, description string
	paper             *PaperRef
	source            sky.Source
	sourcePath        string
	sourceOverrides   string // YAML laid over a survey's keys (source: {file, ...})
	sourceNode        *yaml.Node
	redrawNode        *yaml.Node // training.redraw, where written
	regions           map[string]*sky.Region
	train             map[sky.Class][]*selection
	trainNode         *yaml.Node
	tests             []*selection
	model             netspec.Config
	training          Training
	seed              uint64
	trainSeed         uint64 // 0: training galaxies follow seed too
	repeat            int
	compare           []Compare
	unused            map[string]int // the source's rows of other classes (sky.OtherLabels)
	cluster           *Cluster
	// probe is set for a region probe (then train and test are not).
	probe *probeSpec
	// annotate is set when the trained networks go on to label a catalog.
	annotate *Annotate
}

// decode reads and checks an experiment from a merged mapping.
func decode(doc *Document, root *yaml.Node, e *errs, allowed []string) *experiment {
	return decodeAs(doc, root, e, allowed, false)
}

// decodeAs decodes an experiment, or with fragment set a file meant to be
// included: its keys are checked but nothing is required.
func decodeAs(doc *Document, root *yaml.Node, e *errs, allowed []string, fragment bool) *experiment {
	x := &experiment{regions: map[string]*sky.Region{}, train: map[sky.Class][]*selection{}, repeat: 1, seed: 1,
		training: Training{Epochs: 250, Batch: 32}}
	pairs := e.keys(root, "experiment", allowed)
	var regionsNode, testNode, probeNode, annotateNode, anisoNode *yaml.Node
	var trainPairs, testPairs [][2]*yaml.Node
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			x.name, _ = e.str(v, "name")
			checkName(e, v, "name", x.name)
		case "description":
			x.description, _ = e.str(v, "description")
		case "paper":
			x.paper = &PaperRef{}
			for _, p := range e.keys(v, "paper", paperKeys) {
				switch p[0].Value {
				case "table":
					n, _ := e.integer(p[1], "paper.table", 1, 100)
					x.paper.Table = int(n)
				case "figure":
					n, _ := e.integer(p[1], "paper.figure", 1, 100)
					x.paper.Figure = int(n)
				case "on":
					x.paper.On, _ = e.str(p[1], "paper.on")
				}
			}
		case "source":
			x.sourceNode = v
			file := v
			if v.Kind == yaml.MappingNode { // {file: PATH, KEY: VALUE...}: survey keys laid over the file's
				file = get(v, "file")
				if file == nil {
					e.at(v, "source: a mapping names its file (source: {file: ../surveys/ps1-like.yaml, contrast: 0.5})")
					break
				}
				over := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				for i := 0; i+1 < len(v.Content); i += 2 {
					if v.Content[i].Value != "file" {
						over.Content = append(over.Content, v.Content[i], resolve(v.Content[i+1]))
					}
				}
				if len(over.Content) > 0 {
					b, err := yaml.Marshal(over)
					if err != nil {
						e.at(v, "source: %v", err)
						break
					}
					x.sourceOverrides = string(b)
				}
			}
			if p, ok := e.str(file, "source"); ok {
				x.sourcePath, _ = sky.ExpandPath(p, filepath.Dir(doc.fileOf(file)))
				src, err := sky.OpenWith(x.sourcePath, x.sourceOverrides)
				if err != nil {
					e.at(v, "source: %v", err)
				} else {
					x.source = src
				}
			}
		case "regions":
			regionsNode = v
		case "probe":
			probeNode = v
		case "annotate":
			annotateNode = v
		case "anisotropy":
			anisoNode = v
		case "train":
			x.trainNode = v
			trainPairs = e.keys(v, "train", classNames)
		case "test":
			testNode = v
			testPairs = e.keys(v, "test", nil)
		case "model":
			x.model = decodeModel(e, v)
		case "training":
			x.redrawNode = decodeTraining(e, v, &x.training)
		case "seed":
			x.seed, _ = e.uint(v, "seed")
		case "train_seed":
			x.trainSeed, _ = e.uint(v, "train_seed")
			if x.trainSeed == 0 {
				e.at(v, "train_seed: 0 is not a seed (leave the key out to draw training galaxies with seed)")
			}
		case "repeat":
			n, _ := e.integer(v, "repeat", 1, 100000)
			x.repeat = int(n)
		case "compare":
			x.compare = decodeCompare(e, v)
		case "cluster":
			x.cluster = decodeCluster(e, v)
		}
	}
	if x.name == "" {
		x.name = strings.TrimSuffix(filepath.Base(doc.Path), filepath.Ext(doc.Path))
	}
	if x.sourceNode == nil && !fragment {
		e.at(root, "source is missing: name a data source file (a synthetic survey or a catalog definition)")
	}
	if x.source != nil {
		for n, r := range x.source.Regions() {
			x.regions[n] = r
		}
	}
	for _, kv := range e.keys(regionsNode, "regions", nil) {
		name := kv[0].Value
		checkName(e, kv[0], "region name", name)
		if _, dup := x.regions[name]; dup && x.source != nil {
			e.at(kv[0], "region %s is already defined by source %s; choose another name", name, x.source.Name())
			continue
		}
		r, err := sky.ParseRegionNode(name, kv[1])
		if err != nil {
			var pe *yamlnode.Error
			if errors.As(err, &pe) {
				e.list = append(e.list, &Error{Pos: Pos{File: doc.fileOf(kv[1]), Line: pe.Line, Column: pe.Column}, Msg: pe.Err.Error()})
			} else {
				e.at(kv[1], "%v", err)
			}
			continue
		}
		x.regions[name] = r
	}
	x.annotate = decodeAnnotate(doc, e, x, annotateNode, anisoNode)
	if annotateNode != nil && probeNode != nil {
		e.at(annotateNode, "annotate: a probe's networks tell regions apart, not classes; annotate with a classifier experiment")
	}
	if probeNode != nil {
		x.probe = decodeProbe(e, x, probeNode)
		for _, k := range []string{"train", "test", "compare", "paper", "train_seed"} {
			if n := get(root, k); n != nil {
				e.at(n, "%s: a probe experiment trains on its probe regions and is judged on them; drop %s: (or drop probe:)", k, k)
			}
		}
	}
	if x.trainNode == nil {
		if !fragment && probeNode == nil {
			e.at(root, "train is missing: say where each class's training galaxies come from")
		}
	} else if x.trainNode.Kind == yaml.MappingNode {
		for _, kv := range trainPairs {
			c, _ := sky.ParseClass(kv[0].Value)
			v := kv[1]
			if v.Kind == yaml.SequenceNode {
				if len(v.Content) == 0 {
					e.at(v, "train.%s: empty list of parts", kv[0].Value)
				}
				for i, part := range v.Content {
					if s := decodeSel(e, x, resolve(part), fmt.Sprintf("train.%s[%d]", kv[0].Value, i)); s != nil {
						x.train[c] = append(x.train[c], s)
					}
				}
			} else if s := decodeSel(e, x, v, "train."+kv[0].Value); s != nil {
				x.train[c] = append(x.train[c], s)
			}
		}
		for _, c := range sky.Classes {
			if get(x.trainNode, c.String()) == nil {
				e.at(x.trainNode, "train: no training selection for class %s (every class needs one)", c)
			}
		}
	}
	if testNode == nil && !fragment && probeNode == nil {
		e.at(root, "test is missing: name at least one test set")
	} else if testNode != nil && testNode.Kind == yaml.MappingNode && len(testNode.Content) == 0 {
		e.at(testNode, "test: name at least one test set")
	}
	for _, kv := range testPairs {
		checkName(e, kv[0], "test set name", kv[0].Value)
		if s := decodeSel(e, x, kv[1], "test."+kv[0].Value); s != nil {
			s.name = kv[0].Value
			x.tests = append(x.tests, s)
		}
	}
	for _, c := range x.compare {
		if x.name != "" && c.With == x.name {
			e.list = append(e.list, &Error{Pos: c.Pos, Msg: fmt.Sprintf("compare.with: %s is this experiment itself; a comparison needs a baseline experiment (its effect would be 0 by construction)", c.With)})
		}
		found := false
		for _, t := range x.tests {
			found = found || t.name == c.On
		}
		// Each error at the value that names the missing test set.
		at := func(key, format string, args ...any) {
			pos, ok := c.fieldPos[key]
			if !ok {
				pos = e.doc.pos(get(root, "compare"))
			}
			e.list = append(e.list, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
		}
		if !found {
			at("on", "compare: this experiment has no test set %q (it has %s)", c.On, oneOf(x.testNames()))
		}
		for _, f := range [][2]string{{"spiral_field", c.SpiralField}, {"elliptical_field", c.ElliptField}} {
			if f[1] != "" && !contains(x.testNames(), f[1]) {
				at(f[0], "compare: spiral_field/elliptical_field: this experiment has no test set %q (it has %s)", f[1], oneOf(x.testNames()))
			}
		}
	}
	if x.paper != nil && x.paper.On != "" && !contains(x.testNames(), x.paper.On) {
		e.at(get(root, "paper"), "paper.on: this experiment has no test set %q (it has %s)", x.paper.On, oneOf(x.testNames()))
	}
	if x.model.Arch == "" {
		x.model, _ = netspec.Config{}.Resolve()
	}
	return x
}

func (x *experiment) testNames() []string {
	var out []string
	for _, t := range x.tests {
		out = append(out, t.name)
	}
	return out
}

func (x *experiment) regionNames() []string {
	out := make([]string, 0, len(x.regions))
	for n := range x.regions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// decodeSel reads {from: region(s), n: count}.
func decodeSel(e *errs, x *experiment, v *yaml.Node, what string) *selection {
	s := &selection{node: v}
	ok := true
	pairs := e.keys(v, what, selKeys)
	if v.Kind != yaml.MappingNode {
		return nil
	}
	for _, kv := range pairs {
		switch kv[0].Value {
		case "from":
			names, good := e.names(kv[1], what+".from")
			ok = ok && good
			for _, nn := range names {
				if _, known := x.regions[nn.Value]; !known && x.source != nil {
					e.at(nn, "%s.from: unknown region %q%s; known regions: %s", what, nn.Value, suggest(nn.Value, x.regionNames()), oneOf(x.regionNames()))
					ok = false
				}
				s.from = append(s.from, nn.Value)
			}
		case "n":
			n, good := e.integer(kv[1], what+".n", 1, 10_000_000)
			s.n, s.nNode, ok = int(n), kv[1], ok && good
		}
	}
	if get(v, "from") == nil {
		e.at(v, "%s: from is missing (the region or regions to draw from)", what)
		ok = false
	}
	if get(v, "n") == nil {
		e.at(v, "%s: n is missing (how many galaxies per class)", what)
		ok = false
	}
	if !ok {
		return nil
	}
	return s
}

func decodeModel(e *errs, v *yaml.Node) netspec.Config {
	var c netspec.Config
	before := len(e.list)
	for _, kv := range e.keys(v, "model", modelKeys) {
		switch kv[0].Value {
		case "arch":
			c.Arch, _ = e.str(kv[1], "model.arch")
			if _, ok := netspec.Architectures[c.Arch]; !ok && c.Arch != "" {
				e.at(kv[1], "model.arch: unknown architecture %q%s; known: %s", c.Arch, suggest(c.Arch, netspec.ArchNames()), oneOf(netspec.ArchNames()))
				c.Arch = ""
			}
		case "input":
			n, _ := e.integer(kv[1], "model.input", 8, 1024)
			c.Input = int(n)
		case "pools":
			n, _ := e.integer(kv[1], "model.pools", 0, 16)
			c.Pools = int(n)
		case "dense":
			n, _ := e.integer(kv[1], "model.dense", 1, 65536)
			c.Dense = int(n)
		case "conv":
			c.Conv, _ = e.str(kv[1], "model.conv")
			if !slices.Contains(netspec.ConvNames(), c.Conv) {
				e.at(kv[1], "model.conv: unknown convolution algorithm %q%s; known: %s", c.Conv, suggest(c.Conv, netspec.ConvNames()), oneOf(netspec.ConvNames()))
				c.Conv = ""
			}
		case "widths":
			w := resolve(kv[1])
			if w.Kind != yaml.SequenceNode || len(w.Content) == 0 {
				e.at(w, "model.widths: want a list of filter counts, one per convolution")
				continue
			}
			for _, el := range w.Content {
				n, _ := e.integer(resolve(el), "model.widths", 1, 4096)
				c.Widths = append(c.Widths, int(n))
			}
		}
	}
	if len(e.list) > before {
		return c // a bad key was named already; resolving would add a second, spurious error
	}
	r, err := c.Resolve()
	if err != nil {
		e.at(v, "model: %v", err)
		return c
	}
	return r
}

// decodeTraining reads the training mapping into t, returning the key node
// of training.redraw where it is written (nil if not).
func decodeTraining(e *errs, v *yaml.Node, t *Training) (redraw *yaml.Node) {
	defer func() {
		if t.Redraw && t.Members() < 2 {
			e.at(redraw, "training.redraw: each ensemble member draws its own training galaxies, so it needs training.ensemble of 2 or more (this has %d network)", t.Members())
		}
	}()
	for _, kv := range e.keys(v, "training", trainingKeys) {
		k, n := kv[0].Value, kv[1]
		what := "training." + k
		b := TrainingBounds[k]
		integer := func() int {
			x, _ := e.integer(n, what, int64(b[0]), int64(b[1]))
			return int(x)
		}
		number := func() float64 {
			x, _ := e.number(n, what, b[0], b[1])
			return x
		}
		switch k {
		case "epochs":
			t.Epochs = integer()
		case "batch":
			t.Batch = integer()
		case "lr":
			t.Adam.LR = number()
		case "beta1":
			t.Adam.Beta1 = number()
		case "beta2":
			t.Adam.Beta2 = number()
		case "epsilon":
			t.Adam.Epsilon = number()
		case "seed":
			t.Seed, _ = e.uint(n, what)
		case "validation":
			t.Validation = number()
		case "patience":
			t.Patience = integer()
		case "augment":
			t.Augment, _ = e.boolean(n, what)
		case "redraw":
			t.Redraw, _ = e.boolean(n, what)
			redraw = kv[0]
		case "ensemble":
			t.Ensemble = integer()
			if t.Ensemble == 1 {
				t.Ensemble = 0 // one spelling of a single network keeps hashes equal
			}
		}
	}
	t.Adam = t.Adam.WithDefaults()
	return redraw
}

func decodeCompare(e *errs, v *yaml.Node) []Compare {
	if v.Kind != yaml.SequenceNode {
		e.at(v, "compare: want a list of {with: experiment, on: test set}")
		return nil
	}
	var out []Compare
	for _, el := range v.Content {
		el = resolve(el)
		var c Compare
		for _, kv := range e.keys(el, "compare", compareKeys) {
			if kv[0].Value == "target" {
				if v, ok := e.number(kv[1], "compare.target", -1, 1); ok {
					c.Target = &v
				}
				continue
			}
			if kv[0].Value == "family" {
				n, _ := e.integer(kv[1], "compare.family", 1, 1000)
				c.Family = int(n)
				continue
			}
			s, _ := e.str(kv[1], "compare."+kv[0].Value)
			switch kv[0].Value {
			case "with":
				c.With = s
				c.Pos = e.doc.pos(kv[1])
			case "on":
				c.On = s
				c.setFieldPos("on", e.doc.pos(kv[1]))
			case "baseline_on":
				c.BaselineOn = s
			case "spiral_field":
				c.SpiralField = s
				c.setFieldPos("spiral_field", e.doc.pos(kv[1]))
			case "elliptical_field":
				c.ElliptField = s
				c.setFieldPos("elliptical_field", e.doc.pos(kv[1]))
			case "truth":
				if s != "none" && s != "bias" && s != "" {
					e.at(kv[1], "compare.truth: %q is not none (no bias by construction) or bias", s)
				}
				c.Truth = s
			}
		}
		if el.Kind == yaml.MappingNode && (c.With == "" || c.On == "") {
			e.at(el, "compare: want both with (the baseline experiment) and on (this experiment's test set)")
			continue
		}
		if c.BaselineOn == "" {
			c.BaselineOn = c.On
		}
		if (c.SpiralField == "") != (c.ElliptField == "") || (c.SpiralField != "" && c.SpiralField == c.ElliptField) {
			e.at(el, "compare: spiral_field and elliptical_field come together and name two different test sets")
		}
		out = append(out, c)
	}
	return out
}

// Cluster holds the Slurm settings of a run: where and how array tasks
// are submitted. It is not part of any job's hash.
type Cluster struct {
	Partition string   `json:"partition,omitempty"`
	Time      string   `json:"time,omitempty"`
	CPUs      int      `json:"cpus,omitempty"`
	Mem       string   `json:"mem,omitempty"`
	Account   string   `json:"account,omitempty"`
	Sbatch    []string `json:"sbatch,omitempty"`
}

func decodeCluster(e *errs, v *yaml.Node) *Cluster {
	c := &Cluster{}
	for _, kv := range e.keys(v, "cluster", clusterKeys) {
		switch kv[0].Value {
		case "partition":
			c.Partition, _ = e.str(kv[1], "cluster.partition")
		case "time":
			c.Time, _ = e.str(kv[1], "cluster.time")
		case "cpus":
			n, _ := e.integer(kv[1], "cluster.cpus", 1, 1024)
			c.CPUs = int(n)
		case "mem":
			c.Mem, _ = e.str(kv[1], "cluster.mem")
		case "account":
			c.Account, _ = e.str(kv[1], "cluster.account")
		case "sbatch":
			names, _ := e.names(kv[1], "cluster.sbatch")
			for _, n := range names {
				c.Sbatch = append(c.Sbatch, n.Value)
			}
		}
	}
	return c
}

// validName is what experiment, test-set and region names may be: they
// become parts of file names (figures, predictions), so letters, digits
// and . _ - only, starting with a letter or digit (no "..", no "/").
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// checkName reports a name that is not an identifier, at its node; a long
// name is shown cut short.
func checkName(e *errs, n *yaml.Node, what, name string) {
	if name == "" || validName.MatchString(name) && len(name) <= 100 {
		return
	}
	shown := name
	if len(shown) > 40 {
		shown = shown[:40] + "..."
	}
	e.at(n, "%s %q: use letters, digits and . _ - only, starting with a letter or digit, at most 100 characters (names become file names)", what, shown)
}
