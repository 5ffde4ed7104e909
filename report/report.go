package report

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/plots"
	"github.com/skybias/skybias/runner"
	"github.com/skybias/skybias/sky"
)

// Input is what a report is built from.
type Input struct {
	// Title heads the report.
	Title string
	// Profile names the profile the experiments ran with.
	Profile string
	// Plans are the compiled experiments, in the order to report them.
	Plans []*dsl.Plan
	// Summaries are report files such as Table 16.
	Summaries []*dsl.ReportSpec
	// Results holds every job's result by hash.
	Results map[string]*runner.Result
}

// Report is a built report: Markdown, HTML and the figures they link to
// (under figures/).
type Report struct {
	Title       string
	Markdown    string
	HTML        string
	Figures     []*plots.Figure
	Comparisons []*Comparison
	Experiments []*Experiment
}

// FigureDir is the folder, beside the report, that holds its figures.
const FigureDir = "figures"

// Build analyses the results and writes the report in memory.
func Build(in Input) (*Report, error) {
	pub, err := PublishedTables()
	if err != nil {
		return nil, err
	}
	rep := &Report{Title: in.Title}
	byName := map[string]*Experiment{}
	for _, p := range in.Plans {
		if len(p.Jobs) == 0 {
			continue
		}
		e, err := newExperiment(p, in.Results)
		if err != nil {
			return nil, err
		}
		if _, dup := byName[e.Name()]; dup {
			return nil, fmt.Errorf("two experiments are named %s (%s)", e.Name(), p.File)
		}
		byName[e.Name()] = e
		rep.Experiments = append(rep.Experiments, e)
	}
	var missing []string
	for _, e := range rep.Experiments {
		for _, c := range e.first().job.Compare {
			base, ok := byName[c.With]
			if !ok {
				missing = append(missing, fmt.Sprintf("%s compares with %s, which is not among the experiments run", e.Name(), c.With))
				continue
			}
			cs, err := compare(e, base, c)
			if err != nil {
				return nil, err
			}
			rep.Comparisons = append(rep.Comparisons, cs...)
		}
	}
	d := &doc{}
	d.h(1, "%s", in.Title)
	intro := "Each experiment trains the paper's network (`lenet5x`) on galaxies drawn from sky regions, one class from one region and the other class from another where the paper did so, and tests it on fixed test sets. " +
		"A shift in the predicted spiral fraction on **the same test galaxies** against an experiment whose training did not separate the classes by region means the classifier learned where its training images came from."
	d.p("%s", intro)
	if in.Profile != "" {
		d.p("Profile: **%s**. Sources: %s.", in.Profile, sourcesLine(rep.Experiments))
	}
	for _, m := range missing {
		d.p("Note: %s.", m)
	}
	figs := &figureSet{}
	rep.summary(d, figs, pub)
	for _, s := range in.Summaries {
		rep.summaryTable(d, s, byName, pub, figs)
	}
	rep.curves(d, figs)
	rep.tables(d, pub, figs)
	rep.controls(d)
	rep.Figures = figs.list
	rep.Markdown = d.markdown()
	rep.HTML = d.html(in.Title)
	return rep, nil
}

type figureSet struct{ list []*plots.Figure }

// add registers a figure and returns its PNG path relative to the report.
func (f *figureSet) add(fig *plots.Figure) string {
	f.list = append(f.list, fig)
	return FigureDir + "/" + fig.Name + ".png"
}

func sourcesLine(es []*Experiment) string {
	seen := map[string]bool{}
	var out []string
	for _, e := range es {
		s := e.first().job.Source
		key := s.Name + " " + s.Digest
		if !seen[key] {
			seen[key] = true
			out = append(out, fmt.Sprintf("`%s` (digest %s)", s.Name, s.Digest[:12]))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// summary is the headline table: every comparison and its verdict.
func (r *Report) summary(d *doc, figs *figureSet, pub map[int]*Published) {
	if len(r.Comparisons) == 0 {
		return
	}
	d.h(2, "Does the training design leak the sky?")
	d.p("For each experiment and its baseline, the galaxies of the test set are the same; **b** counts galaxies the baseline called elliptical and this experiment spiral, **c** the reverse. McNemar's exact test asks whether b and c differ more than chance allows. The binomial column is the paper's test: the predicted spiral count against the baseline's proportion, one-sided in the direction of the shift.")
	d.p("%s", "Both compare two trained networks, so they also flag what training alone changes: two networks trained the same way from different starting weights disagree on many galaxies and lean differently towards one class (see the null control). "+
		"The **field contrast** asks the question within one network: does it call more galaxies spiral on the test set from the field its training spirals came from than on the test set from the field its ellipticals came from, for the same mix of true classes? "+
		"It is a Cochran-Mantel-Haenszel test stratified by true class, one-sided in the direction the effect predicts. A network's overall leaning moves both test sets alike and cancels, so training noise cannot produce it on a sky whose fields do not differ. "+
		"The verdict calls a shift only when McNemar's P and the field contrast's P are both below 1e-5 and point the same way.")
	var rows [][]string
	var bias []plots.BiasRow
	for _, c := range r.Comparisons {
		if len(c.McNemar) == 0 {
			continue
		}
		m, b := c.McNemar[0], c.Binomial[0]
		name := c.Experiment
		if c.Variant != "" {
			name += " (" + c.Variant + ")"
		}
		reps := ""
		if len(c.McNemar) > 1 {
			reps = fmt.Sprintf("; shift in %d of %d repeats (P < 0.05 in %d)", c.CountShifts(Significance), len(c.McNemar), c.CountShifts(0.05))
		}
		if c.Welch != nil {
			reps += fmt.Sprintf("; across repeats (Welch): %s, P = %s", verdict(c.Welch.P), fmtP(c.Welch.P))
		}
		contrast := "none"
		if f := c.Contrast; f != nil {
			contrast = fmt.Sprintf("%s %.3f vs %s %.3f, P = %s", f.SpiralTest, f.PSpiralS, f.EllipticalTest, f.PSpiralE, fmtP(f.Tests[0].PGreater))
		}
		rows = append(rows, []string{name, c.Test, fmt.Sprintf("%.4f", c.PSpiral), c.Baseline, fmt.Sprintf("%.4f", c.BaseSpiral),
			fmt.Sprintf("%d / %d", m.B, m.C), fmtP(m.P), fmt.Sprintf("%s (%s)", fmtP(b.P), b.Direction), contrast, c.Verdict() + reps})
	}
	d.table([]string{"experiment", "test", "p(spiral)", "baseline", "baseline p(spiral)", "b / c", "McNemar P", "binomial P", "field contrast (S field vs E field)", "verdict"}, rows)
	for _, e := range r.Experiments {
		test := e.mainTest()
		ts, err := e.testStats(e.Variants[0], test)
		if err != nil {
			continue
		}
		row := plots.BiasRow{Label: e.Name() + ": " + designLabel(e.first().job, test), PSpiral: ts.PSpiral, Lo: ts.Lo, Hi: ts.Hi, Published: math.NaN()}
		for _, c := range r.Comparisons {
			if c.Experiment == e.Name() && c.Test == test && c.Significant() {
				row.Significant = true
			}
		}
		if p := e.first().job.Paper; p != nil && pub[p.Table] != nil {
			row.Published = pub[p.Table].PSpiral
		}
		if e.first().job.Paper == nil || e.first().job.Paper.Figure == 0 {
			bias = append(bias, row)
		}
	}
	if len(bias) > 0 {
		f := plots.BiasChart("Predicted spiral fraction per experiment (* shift at P < 1e-5: McNemar and field contrast)", bias)
		d.img("Bias chart: p(spiral) per train/test combination, with 95% Wilson intervals and the published values", figs.add(f))
	}
}

// summaryTable renders a report file such as Table 16.
func (r *Report) summaryTable(d *doc, s *dsl.ReportSpec, byName map[string]*Experiment, pub map[int]*Published, figs *figureSet) {
	d.h(2, "%s", s.Title)
	var rows [][]string
	for _, name := range s.Rows {
		e, ok := byName[name]
		if !ok {
			rows = append(rows, []string{name, "(not run)", "", "", "", ""})
			continue
		}
		test := e.mainTest()
		ts, err := e.testStats(e.Variants[0], test)
		if err != nil {
			continue
		}
		pp, pe := "", ""
		if p := e.first().job.Paper; p != nil && pub[p.Table] != nil {
			pp = fmt.Sprintf("%.2f", pub[p.Table].PSpiral)
			pe = fmt.Sprintf("%.2f", 1-pub[p.Table].PSpiral)
		}
		rows = append(rows, []string{name, designLabel(e.first().job, test), fmt.Sprintf("%.3f", ts.PSpiral), fmt.Sprintf("%.3f", 1-ts.PSpiral), pp, pe})
	}
	d.table([]string{"experiment", "train S, train E -> test", "p(spiral)", "p(elliptical)", "published p(spiral)", "published p(elliptical)"}, rows)
}

// curves draws accuracy against training size for swept experiments.
func (r *Report) curves(d *doc, figs *figureSet) {
	for _, e := range r.Experiments {
		var series []plots.Series
		var rows [][]string
		for _, t := range e.first().job.Tests {
			xs, ss, ok := curvePoints(e, t.Name)
			if !ok {
				break
			}
			s := plots.Series{Name: "test " + t.Name + " (" + e.first().job.Source.Name + ")"}
			for i, x := range xs {
				s.Points = append(s.Points, plots.CurvePoint{X: x, Mean: ss[i].Mean, SD: ss[i].SD})
				rows = append(rows, []string{t.Name, fmt.Sprintf("%g", x), fmt.Sprintf("%.4f", ss[i].Mean), fmt.Sprintf("%.4f", ss[i].SD), fmt.Sprint(ss[i].N)})
			}
			series = append(series, s)
		}
		if len(series) == 0 {
			continue
		}
		title := e.Name()
		if p := e.first().job.Paper; p != nil && p.Figure > 0 {
			title = fmt.Sprintf("Figure %d (%s)", p.Figure, e.Name())
		}
		d.h(2, "%s: accuracy against training-set size", title)
		if e.Plan.Description != "" {
			d.p("%s", e.Plan.Description)
		}
		f := plots.AccuracyCurve(title+": accuracy against training galaxies per class", series, true)
		f.Name = "curve-" + e.Name()
		d.img(title+": test accuracy against training galaxies per class", figs.add(f))
		d.table([]string{"test", "training per class", "accuracy", "sd over repeats", "repeats"}, rows)
	}
}

// tables writes each experiment's details.
func (r *Report) tables(d *doc, pub map[int]*Published, figs *figureSet) {
	d.h(2, "Experiments")
	skymaps := map[string]bool{}
	for _, e := range r.Experiments {
		j := e.first().job
		if j.Paper != nil && j.Paper.Figure > 0 {
			continue
		}
		title := e.Name()
		if j.Paper != nil && j.Paper.Table > 0 {
			title = fmt.Sprintf("Table %d (%s)", j.Paper.Table, e.Name())
		}
		d.h(3, "%s", title)
		if e.Plan.Description != "" {
			d.p("%s", e.Plan.Description)
		}
		d.p("Design: %s. Network `%s`, %dx%d input, %d epochs; %d job(s) (`%s`).", j.Describe(), j.Model.Arch, j.Model.Input, j.Model.Input,
			j.Training.Epochs, len(e.Plan.Jobs), j.ShortHash())
		for _, v := range e.Variants {
			for _, t := range j.Tests {
				ts, err := e.testStats(v, t.Name)
				if err != nil {
					d.p("%v", err)
					continue
				}
				label := "test " + t.Name
				if v != "" {
					label += ", " + v
				}
				rows := [][]string{
					{"skybias: true E", fmt.Sprint(ts.Confusion[0][0]), fmt.Sprint(ts.Confusion[0][1])},
					{"skybias: true S", fmt.Sprint(ts.Confusion[1][0]), fmt.Sprint(ts.Confusion[1][1])},
				}
				var published *[2][2]int
				if j.Paper != nil && j.Paper.On == t.Name && pub[j.Paper.Table] != nil {
					pc := pub[j.Paper.Table].Confusion
					published = &pc
					rows = append(rows, []string{"paper: true E", fmt.Sprint(pc[0][0]), fmt.Sprint(pc[0][1])},
						[]string{"paper: true S", fmt.Sprint(pc[1][0]), fmt.Sprint(pc[1][1])})
				}
				d.p("**%s**: %d galaxies, accuracy %.4f, p(spiral) %.4f [%.4f, %.4f].", label, ts.N, ts.Accuracy.Values[0], ts.PSpiral, ts.Lo, ts.Hi)
				d.table([]string{"", "predicted E", "predicted S"}, rows)
				if ts.Repeats > 1 {
					d.p("Over %d repeats (re-drawn training and test sets): misclassified ellipticals %.1f ± %.1f, spirals %.1f ± %.1f (mean ± sd); p(spiral) %.4f ± %.4f; accuracy %.4f ± %.4f.",
						ts.Repeats, ts.MisE.Mean, ts.MisE.SD, ts.MisS.Mean, ts.MisS.SD, ts.PSpiralAll.Mean, ts.PSpiralAll.SD, ts.Accuracy.Mean, ts.Accuracy.SD)
				}
				if published != nil && v == e.Variants[0] {
					f := plots.ConfusionFigure(title, ts.Confusion, published)
					f.Name = "confusion-" + e.Name()
					d.img(title+": confusion matrix, skybias and published", figs.add(f))
				}
			}
		}
		for _, c := range r.Comparisons {
			if c.Experiment != e.Name() || len(c.McNemar) == 0 {
				continue
			}
			m, b := c.McNemar[0], c.Binomial[0]
			d.p("Against %s on %s: p(spiral) %.4f vs %.4f; McNemar b = %d, c = %d, P = %s; binomial (%s) P = %s. %s",
				c.Baseline, c.Test, c.PSpiral, c.BaseSpiral, m.B, m.C, fmtP(m.P), b.Direction, fmtP(b.P), c.Note)
		}
		for _, v := range e.Variants {
			fc, err := e.contrast(v)
			if err != nil || fc == nil {
				continue
			}
			t := fc.Tests[0]
			label := ""
			if v != "" {
				label = " (" + v + ")"
			}
			d.p("Field contrast%s: the same network calls %.4f of test %s (where its spirals came from) spiral and %.4f of test %s (where its ellipticals came from); Mantel-Haenszel odds ratio %.2f, z = %.2f, one-sided P = %s.",
				label, fc.PSpiralS, fc.SpiralTest, fc.PSpiralE, fc.EllipticalTest, t.OddsRatio, t.Z, fmtP(t.PGreater))
		}
		if len(j.Tests) >= 2 && !skymaps[j.Hash()] {
			if regions := skyRegions(e); len(regions) >= 2 {
				skymaps[j.Hash()] = true
				f := plots.SkyMap(fmt.Sprintf("%s: %s", title, designLabel(j, "each field")), regions)
				f.Name = "skymap-" + e.Name()
				d.img(title+": predicted spiral fraction per test field on the sky", figs.add(f))
			}
		}
	}
}

// skyRegions places an experiment's test sets on the sky when each is a
// single RA/Dec box.
func skyRegions(e *Experiment) []plots.SkyRegion {
	j := e.first().job
	var out []plots.SkyRegion
	for _, t := range j.Tests {
		if len(t.From) != 1 {
			continue
		}
		r := j.Regions[t.From[0]]
		if r == nil || r.RA == nil || r.Dec == nil {
			continue
		}
		tr := e.first().res.Test(t.Name)
		if tr == nil {
			continue
		}
		out = append(out, plots.SkyRegion{Name: t.Name, RAMin: r.RA.Min, RAMax: r.RA.Max, DecMin: r.Dec.Min, DecMax: r.Dec.Max,
			Value: tr.PSpiral(), N: tr.N(), Label: trainedHere(j, t.From[0])})
	}
	return out
}

func trainedHere(j *dsl.Job, region string) string {
	var cls []string
	for _, c := range sky.Classes {
		for _, p := range j.Train[c.String()] {
			for _, f := range p.From {
				if f == region {
					cls = append(cls, c.String()+"s")
				}
			}
		}
	}
	if len(cls) == 0 {
		return ""
	}
	return "trained: " + strings.Join(cls, ", ")
}

// controls reports comparisons with repeats: how often a shift is seen.
func (r *Report) controls(d *doc) {
	var rows [][]string
	for _, c := range r.Comparisons {
		if len(c.McNemar) < 2 {
			continue
		}
		var ps, cps []string
		for _, m := range c.McNemar {
			ps = append(ps, fmtP(m.P))
		}
		contrast05 := "-"
		if c.Contrast != nil {
			n := 0
			for _, t := range c.Contrast.Tests {
				cps = append(cps, fmtP(t.PGreater))
				if t.PGreater < 0.05 {
					n++
				}
			}
			contrast05 = fmt.Sprint(n)
		}
		welch := ""
		if c.Welch != nil {
			welch = fmt.Sprintf("%.4f vs %.4f, t = %.2f, P = %s", c.Welch.MeanA, c.Welch.MeanB, c.Welch.T, fmtP(c.Welch.P))
		}
		rows = append(rows, []string{c.Experiment, c.Baseline, c.Test, fmt.Sprint(len(c.McNemar)), fmt.Sprint(c.CountBelow(0.05)),
			fmt.Sprint(c.CountBelow(Significance)), contrast05, fmt.Sprint(c.CountShifts(0.05)), fmt.Sprint(c.CountShifts(Significance)),
			strings.Join(ps, ", "), strings.Join(cps, ", "), welch})
	}
	if len(rows) == 0 {
		return
	}
	d.h(2, "Repeated comparisons")
	d.p("%s", "Each repeat re-draws the training and test galaxies and the network's starting weights. McNemar's test compares two trained networks galaxy by galaxy, so it also flags the differences that training alone makes between two networks; "+
		"the field contrast compares one network with itself on two fields, and Welch's test on p(spiral) across repeats asks whether the designs differ by more than networks trained the same way differ from each other. "+
		"On a survey whose fields do not differ, the field contrast's P falls below 0.05 in about 5% of repeats and the verdict (both tests) should find no shift.")
	d.table([]string{"experiment", "baseline", "test", "repeats", "McNemar P < 0.05", "McNemar P < 1e-5", "contrast P < 0.05", "shift, P < 0.05", "shift, P < 1e-5",
		"McNemar P per repeat", "contrast P per repeat", "p(spiral) across repeats (Welch)"}, rows)
}

// Write puts REPORT.md, REPORT.html and the figures (PNG and SVG) in dir,
// each file atomically.
func (r *Report) Write(dir string) error {
	for _, f := range r.Figures {
		if err := f.SaveBoth(filepath.Join(dir, FigureDir)); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "REPORT.md"), []byte(r.Markdown)); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "REPORT.html"), []byte(r.HTML))
}
