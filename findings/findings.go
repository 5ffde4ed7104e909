package findings

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/annotate"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/results"
)

// Input is what findings are made from.
type Input struct {
	// Plans are the compiled experiments, in the order to report them.
	Plans []*dsl.Plan
	// Results holds every job's result by hash.
	Results map[string]*results.Result
	// Catalogs holds the catalogs of experiments that annotate, by
	// experiment name and job hash.
	Catalogs map[string]map[string]*annotate.Catalog
}

// Findings are the experiments with their results, every comparison with
// its effect and verdict, and the paper's published tables.
type Findings struct {
	Experiments []*Experiment
	Comparisons []*Comparison
	// ByName finds an experiment by name.
	ByName map[string]*Experiment
	// Missing lists comparisons that could not be made (a baseline not
	// among the experiments), in words.
	Missing []string
	// Published holds the paper's Tables 3-15 by number.
	Published map[int]*Published
	// Probes are the region probes: can a network tell the regions
	// apart?
	Probes []*ProbeFinding
	// Anisotropy holds the dipole tests of annotated catalogs.
	Anisotropy []*AnisotropyFinding
	// Family is the number of distinct comparisons Holm's method
	// adjusts over; Same lists, in words, the rows that repeat another
	// (the same jobs and the same effect) and so count once.
	Family int
	Same   []string
}

// comparisonKey names what a comparison computes: the compared and
// baseline jobs of every repeat and the effect they give (estimate and
// standard error, bit for bit). Two rows with one key are one test: the
// same training tested on the same galaxies (Tables 12 and 13 tested on
// each other's field, or one dose-0 job in several dose studies).
func (f *Findings) comparisonKey(c *Comparison) string {
	var b strings.Builder
	x, base := f.ByName[c.Experiment], f.ByName[c.Baseline]
	brs := base.runs[c.Variant]
	if len(brs) == 0 {
		brs = base.runs[base.Variants[0]]
	}
	for k, r := range x.runs[c.Variant] {
		b.WriteString(r.Job.Hash())
		if k < len(brs) {
			b.WriteString("/" + brs[k].Job.Hash())
		}
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "%s %x %x", c.Effect.Kind, math.Float64bits(c.Effect.Estimate), math.Float64bits(c.Effect.SE))
	return b.String()
}

// decide applies Holm's method across the distinct comparisons of the
// findings (each key once) at analysis.FamilyAlpha and gives every row
// its key's decision.
func (f *Findings) decide() {
	first := map[string]int{} // key -> index among the distinct effects
	var effects []analysis.Effect
	idx := make([]int, len(f.Comparisons))
	for i, c := range f.Comparisons {
		k := f.comparisonKey(c)
		j, seen := first[k]
		if !seen {
			j = len(effects)
			first[k] = j
			effects = append(effects, c.Effect)
		} else {
			f.Same = append(f.Same, fmt.Sprintf("%s equals %s", c.Label(), f.Comparisons[slices.Index(idx[:i], j)].Label()))
		}
		idx[i] = j
	}
	f.Family = len(effects)
	ds := analysis.Decide(effects, analysis.FamilyAlpha)
	for i, c := range f.Comparisons {
		c.Decision = ds[idx[i]]
	}
}

// Analyse builds the findings: experiments, comparisons with their
// effects, and verdicts decided across all comparisons at
// analysis.FamilyAlpha.
func Analyse(in Input) (*Findings, error) {
	pub, err := PublishedTables()
	if err != nil {
		return nil, err
	}
	f := &Findings{ByName: map[string]*Experiment{}, Published: pub}
	if f.Probes, err = probeFindings(in.Plans, in.Results); err != nil {
		return nil, err
	}
	if f.Anisotropy, err = anisotropyFindings(in.Plans, in.Catalogs); err != nil {
		return nil, err
	}
	for _, p := range in.Plans {
		if len(p.Jobs) == 0 || isProbe(p) {
			continue
		}
		e, err := newExperiment(p, in.Results)
		if err != nil {
			return nil, err
		}
		if _, dup := f.ByName[e.Name()]; dup {
			return nil, fmt.Errorf("two experiments are named %s (%s)", e.Name(), p.File)
		}
		f.ByName[e.Name()] = e
		f.Experiments = append(f.Experiments, e)
	}
	for _, e := range f.Experiments {
		for _, c := range e.First().Job.Compare {
			base, ok := f.ByName[c.With]
			if !ok {
				f.Missing = append(f.Missing, fmt.Sprintf("%s compares with %s, which is not among the experiments run", e.Name(), c.With))
				continue
			}
			cs, err := compare(e, base, c)
			if err != nil {
				return nil, err
			}
			f.Comparisons = append(f.Comparisons, cs...)
		}
	}
	f.decide()
	for _, c := range f.Comparisons {
		c.PaperPublished = f.publishedTest(c)
	}
	return f, nil
}

// publishedTest is the paper's binomial test on the published matrices of
// a comparison's two tables, where both are published and the test
// applies.
func (f *Findings) publishedTest(c *Comparison) *analysis.PaperBinomial {
	x, b := f.ByName[c.Experiment], f.ByName[c.Baseline]
	if x == nil || b == nil || c.Toward() == "" {
		return nil
	}
	tx, tb := x.PaperTable(), b.PaperTable()
	if f.Published[tx] == nil || f.Published[tb] == nil {
		return nil
	}
	t, err := analysis.PaperTest(analysis.Confusion(f.Published[tx].Confusion), analysis.Confusion(f.Published[tb].Confusion), c.Toward() == "more")
	if err != nil {
		return nil
	}
	return &t
}

// PublishedFor is the paper's table an experiment reproduces, or nil.
func (f *Findings) PublishedFor(e *Experiment) *Published {
	if p := e.First().Job.Paper; p != nil {
		return f.Published[p.Table]
	}
	return nil
}
