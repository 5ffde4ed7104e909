package report

import (
	"errors"
	"fmt"
	"github.com/skybias/skybias/annotate"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/plots"
	"github.com/skybias/skybias/results"
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
	Results map[string]*results.Result
	// Catalogs holds annotated catalogs by experiment and job hash.
	Catalogs map[string]map[string]*annotate.Catalog
}

// Report is a built report: Markdown, HTML and the figures they link to
// (under figures/), and the findings they render.
type Report struct {
	Title    string
	Markdown string
	HTML     string
	Figures  []*plots.Figure
	Findings *findings.Findings
	// Comparisons and Experiments are the findings' (kept here for
	// notebooks that read them off the report).
	Comparisons []*findings.Comparison
	Experiments []*findings.Experiment
}

// FigureDir is the folder, beside the report, that holds its figures.
const FigureDir = "figures"

// Build analyses the results (package findings) and renders the report in
// memory.
func Build(in Input) (*Report, error) {
	f, err := findings.Analyse(findings.Input{Plans: in.Plans, Results: in.Results, Catalogs: in.Catalogs})
	if err != nil {
		return nil, err
	}
	return Render(in.Title, in.Profile, f, in.Summaries)
}

// Summary is the report's machine-readable outcome (summary.json).
func (r *Report) Summary() findings.Summary { return r.Findings.Summary(r.Title) }

// Render writes findings as a report: Markdown, HTML and figures.
func Render(title, profile string, f *findings.Findings, summaries []*dsl.ReportSpec) (*Report, error) {
	rep := &Report{Title: title, Findings: f, Comparisons: f.Comparisons, Experiments: f.Experiments}
	pub := f.Published
	d := &doc{}
	d.h(1, "%s", title)
	intro := "Each experiment trains the paper's network (`lenet5x`) on galaxies drawn from sky regions, one class from one region and the other class from another where the paper did so, and tests it on fixed test sets. " +
		"A shift in the predicted spiral fraction on **the same test galaxies** against an experiment whose training did not separate the classes by region means the classifier learned where its training images came from."
	d.p("%s", intro)
	switch src := sourcesLine(f); {
	case profile != "":
		d.p("Profile: **%s**. Sources: %s.", profile, src)
	case src != "":
		d.p("Sources: %s.", src)
	}
	for _, m := range f.Missing {
		d.p("Note: %s.", m)
	}
	figs := &figureSet{}
	rep.summary(d, figs, pub)
	rep.probes(d)
	rep.anisotropy(d, figs)
	rep.doses(d, figs)
	rep.agreement(d)
	if hasPaperExperiment(f) {
		rep.paperTests(d, pub)
	}
	rep.calibration(d, figs)
	for _, s := range summaries {
		rep.summaryTable(d, s, f.ByName, pub, figs)
	}
	rep.curves(d, figs)
	rep.tables(d, pub, figs)
	rep.controls(d)
	if figs.err != nil {
		return nil, figs.err
	}
	rep.Figures = figs.list
	rep.Markdown = d.markdown()
	rep.HTML = d.html(title)
	return rep, nil
}

// figureSet collects a report's figures, and the first figure that could
// not be drawn.
type figureSet struct {
	list []*plots.Figure
	err  error
}

// add registers a figure under a name and returns its PNG path relative
// to the report ("" when the figure failed; the report then fails).
func (f *figureSet) add(name string, fig *plots.Figure, err error) string {
	if err != nil {
		if f.err == nil {
			f.err = fmt.Errorf("figure %s: %w", name, err)
		}
		return ""
	}
	if name != "" {
		fig.Name = name
	}
	f.list = append(f.list, fig)
	return FigureDir + "/" + fig.Name + ".png"
}

func sourcesLine(f *findings.Findings) string {
	seen := map[string]bool{}
	var out []string
	add := func(s dsl.SourceRef) {
		key := s.Name + " " + s.Digest
		if !seen[key] {
			seen[key] = true
			out = append(out, fmt.Sprintf("`%s` (digest %s%s)", s.Name, s.Digest[:12], unusedNote(s.Unused)))
		}
	}
	for _, e := range f.Experiments {
		add(e.First().Job.Source)
	}
	for _, p := range f.Probes {
		add(p.Job.Source)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// unusedNote says how many catalog rows were left out for a class that is
// neither elliptical nor spiral, by label.
func unusedNote(unused map[string]int) string {
	if s := sky.OtherLabelsText(unused); s != "" {
		return "; not used: " + s
	}
	return ""
}

// summary is the headline table: every comparison, its effect and verdict.
func (r *Report) summary(d *doc, figs *figureSet, pub map[int]*findings.Published) {
	if len(r.Comparisons) == 0 {
		return
	}
	d.h(2, "Does the training design leak the sky?")
	d.p("%s", "The **effect** is how far the design pulls its networks' answers towards the class it trained on each field, in units of the predicted spiral fraction (positive: the paper's bias). "+
		"Where the baseline was tested on both fields of the design it is the **design-by-field interaction**: the compared network's p(spiral) on the field its training spirals came from minus that on the field its ellipticals came from, within true class, less the same difference of the baseline network on the same galaxies. "+
		"A field that any network finds harder moves both differences alike and cancels, and so does a network's overall lean towards one class. Where the baseline was tested on one field only, the effect is the **paired shift** of p(spiral) on that field against the baseline, on the same galaxies.")
	d.p("%s", fmt.Sprintf("Each effect comes with its 95%% interval, and the interval says what noise it covers: with an ensemble (or repeats) on both sides it covers **training noise** (the spread between networks trained alike) as well as test sampling; with one network on a side it covers test sampling only. "+
		"The **verdict** calls a shift when the effect's P, adjusted by Holm's method across the %s of this report, is below %.2g: across the report, the chance of calling any shift where no design has one is at most %.0f%%. "+
		"The classical views stay beside it: McNemar's exact test on the galaxies the two networks classify differently, and the paper's binomial test (below). Both compare two trained networks and so also flag what training alone changes.", familyWords(r.Findings), analysis.FamilyAlpha, 100*analysis.FamilyAlpha))
	var rows [][]string
	for _, c := range r.Comparisons {
		if len(c.McNemar) == 0 {
			continue
		}
		name := c.Experiment
		if c.Variant != "" {
			name += " (" + c.Variant + ")"
		}
		paper := "-"
		if c.Paper != nil {
			paper = fmtP(c.Paper.P)
		}
		pubP := "-"
		if c.PaperPublished != nil {
			pubP = fmtP(c.PaperPublished.P)
		}
		contrast := "none"
		if f := c.Contrast; f != nil {
			contrast = fmt.Sprintf("%s %.3f vs %s %.3f, P = %s", f.SpiralTest, f.PSpiralS, f.EllipticalTest, f.PSpiralE, fmtP(f.Tests[0].PGreater))
			if f.Uninformative > 0 {
				contrast += fmt.Sprintf(" (%d repeat(s) called one class for every galaxy: no information)", f.Uninformative)
			}
		}
		rows = append(rows, []string{name, c.Test, fmt.Sprintf("%.4f", c.PSpiral), c.Baseline, fmt.Sprintf("%.4f", c.BaseSpiral),
			fmtEffect(c.Effect), c.Effect.Noise(), fmtP(c.Decision.P), fmtP(c.Decision.PHolm), c.Verdict(),
			fmtP(c.McNemar[0].P), paper, pubP, contrast})
	}
	d.table([]string{"experiment", "test", "p(spiral)", "baseline", "baseline p(spiral)", "effect [95% interval]", "interval covers", "P", "P (Holm)", "verdict",
		"McNemar P", "binomial rule P, our networks", "binomial rule P, published matrices", "field contrast (S field vs E field)"}, rows)
	bias := BiasRows(r.Findings)
	if len(bias) > 0 {
		f, err := plots.BiasChart("Predicted spiral fraction per experiment (* the verdict calls a shift)", bias)
		d.img("Bias chart: p(spiral) per train/test combination (mean over networks), with 95% intervals covering training noise and test sampling, and the published values", figs.add("", f, err))
	}
}

// familyWords declares Holm's family: how many distinct comparisons, and
// which rows repeat another (the same jobs and effect) and count once.
func familyWords(f *findings.Findings) string {
	w := fmt.Sprintf("%d distinct comparisons", f.Family)
	if len(f.Same) > 0 {
		w += fmt.Sprintf(" (%d rows; %s, so each pair counts once)", len(f.Comparisons), strings.Join(f.Same, "; "))
	}
	return w
}

// BiasRows are the bias chart's rows: per experiment not drawn as one
// of the paper's figures, p(spiral) on its main test set as the mean over
// its networks with the interval analysis gives it, whether a verdict
// calls a shift there, and the paper's printed value (NaN where none).
func BiasRows(f *findings.Findings) []plots.BiasRow {
	var bias []plots.BiasRow
	for _, e := range f.Experiments {
		test := e.MainTest()
		if j := e.First().Job; j.Paper != nil && j.Paper.Figure != 0 {
			continue
		}
		fr, err := e.Fraction(test)
		if err != nil {
			continue
		}
		row := plots.BiasRow{Label: e.Name() + ": " + findings.DesignLabel(e.First().Job, test), PSpiral: fr.Estimate, Lo: fr.Lo, Hi: fr.Hi, Published: math.NaN()}
		for _, c := range f.Comparisons {
			if c.Experiment == e.Name() && c.Test == test && c.Significant() {
				row.Significant = true
			}
		}
		if p := f.PublishedFor(e); p != nil {
			row.Published = p.PSpiral
		}
		bias = append(bias, row)
	}
	return bias
}

// fmtEffect writes an effect with its interval.
func fmtEffect(e analysis.Effect) string {
	return fmt.Sprintf("%+.4f [%+.4f, %+.4f]", e.Estimate, e.Lo, e.Hi)
}

// hasPaperExperiment reports whether any experiment reproduces one of the
// paper's tables or figures: only then does the report recompute the
// paper's own tests (a custom study's report does not carry them).
func hasPaperExperiment(f *findings.Findings) bool {
	for _, e := range f.Experiments {
		if e.First().Job.Paper != nil {
			return true
		}
	}
	return false
}

// paperTests recomputes the paper's own significance statements from its
// published matrices.
func (r *Report) paperTests(d *doc, pub map[int]*findings.Published) {
	m := map[int]analysis.Confusion{}
	for t, p := range pub {
		m[t] = analysis.Confusion(p.Confusion)
	}
	st, err := analysis.PaperStatements(m)
	if err != nil {
		return
	}
	d.h(2, "The paper's binomial test")
	d.p("%s", "Dhar & Shamir tested the count of one kind of error on a test set against the rate of the same error in another table's matrix, one-sided: on the field that gave the training spirals the design predicts fewer spirals called elliptical, on the field that gave the ellipticals fewer ellipticals called spiral. "+
		"The direction is fixed by the design before the data are seen. Recomputed here from the published matrices (the paper printed these as P < 1e-5):")
	var rows [][]string
	for _, s := range st {
		rows = append(rows, []string{fmt.Sprintf("Table %d", s.Table), fmt.Sprintf("Table %d", s.Against), s.What,
			fmt.Sprintf("%d of %d", s.K, s.N), fmt.Sprintf("%.6g", s.PrintedRate), fmt.Sprintf("%.2e", s.PPrinted), fmt.Sprintf("%.6f", s.Rate), fmt.Sprintf("%.2e", s.P)})
	}
	d.table([]string{"tested", "rate from", "count", "observed", "rate as printed", "P(X <= observed)", "rate from the matrix", "P at that rate"}, rows)
	d.p("%s", "These four are the tests the paper printed. The summary table above applies the same rule to each comparison of this report, on our matrices (first repeat) and on the published matrices of the same two tables (\"binomial rule P\"): "+
		"except for Table 7 against Table 4, the paper did not print that test, so the published-matrices column is our rule applied to its numbers, not a result of the paper. "+
		"Like McNemar's test it compares two trained networks, so it also flags training noise; it is shown as the paper's view, not as the verdict.")
}

// summaryTable renders a report file such as Table 16.
func (r *Report) summaryTable(d *doc, s *dsl.ReportSpec, byName map[string]*findings.Experiment, pub map[int]*findings.Published, figs *figureSet) {
	d.h(2, "%s", s.Title)
	var rows [][]string
	for _, name := range s.Rows {
		e, ok := byName[name]
		if !ok {
			rows = append(rows, []string{name, "(not run)", "", "", "", ""})
			continue
		}
		test := e.MainTest()
		ts, err := e.TestStats(e.Variants[0], test)
		if err != nil {
			continue
		}
		pp, pe := "", ""
		if p := e.First().Job.Paper; p != nil && pub[p.Table] != nil {
			pp = fmt.Sprintf("%.2f", pub[p.Table].PSpiral)
			pe = fmt.Sprintf("%.2f", 1-pub[p.Table].PSpiral)
		}
		rows = append(rows, []string{name, findings.DesignLabel(e.First().Job, test), fmt.Sprintf("%.3f", ts.PSpiral), fmt.Sprintf("%.3f", 1-ts.PSpiral), pp, pe})
	}
	d.table([]string{"experiment", "train S, train E -> test", "p(spiral)", "p(elliptical)", "published p(spiral)", "published p(elliptical)"}, rows)
}

// curves draws accuracy against training size for swept experiments.
func (r *Report) curves(d *doc, figs *figureSet) {
	for _, e := range r.Experiments {
		var series []plots.Series
		var rows [][]string
		largest := 0.0
		for _, t := range e.First().Job.Tests {
			pts, ok := e.Curve(t.Name)
			if !ok {
				break
			}
			s := plots.Series{Name: "test " + t.Name + " (" + e.First().Job.Source.Name + ")"}
			for _, p := range pts {
				s.Points = append(s.Points, plots.CurvePoint{X: p.X, Mean: p.Mean, Lo: p.Lo, Hi: p.Hi})
				rows = append(rows, []string{t.Name, fmt.Sprintf("%g", p.X), fmt.Sprintf("%.4f [%.4f, %.4f]", p.Mean, p.Lo, p.Hi), fmt.Sprint(p.Networks)})
				largest = math.Max(largest, p.X)
			}
			series = append(series, s)
		}
		if len(series) == 0 {
			continue
		}
		title := e.Name()
		if p := e.First().Job.Paper; p != nil && p.Figure > 0 {
			title = fmt.Sprintf("Figure %d (%s)", p.Figure, e.Name())
		}
		d.h(2, "%s: accuracy against training-set size", title)
		if e.Plan.Description != "" {
			d.p("%s", e.Plan.Description)
		}
		f, err := plots.AccuracyCurve(title+": accuracy against training galaxies per class", series, true)
		d.img(title+": test accuracy against training galaxies per class, with 95% intervals over networks", figs.add("curve-"+e.Name(), f, err))
		if j := e.First().Job; j.Paper != nil && j.Paper.Figure == 2 {
			d.p("The paper's curve rises until about 1,000 training galaxies per class and is flat beyond (its Figure 2; no numbers printed). This profile's sizes reach %g per class: %s", largest,
				map[bool]string{true: "they reach the plateau's start.", false: "they stop short of it (the paper profile goes on to 3,000)."}[largest >= 1000])
		}
		d.table([]string{"test", "training per class", "accuracy [95% interval over networks]", "networks"}, rows)
	}
}

// badImages lists the images every job of an experiment skipped as
// unreadable, once each.
func badImages(e *findings.Experiment) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range e.Variants {
		for _, r := range e.Runs(v) {
			for _, b := range r.Result.Bad {
				if !seen[b] {
					seen[b] = true
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// tables writes each experiment's details.
func (r *Report) tables(d *doc, pub map[int]*findings.Published, figs *figureSet) {
	d.h(2, "Experiments")
	skymaps := map[string]bool{}
	for _, e := range r.Experiments {
		j := e.First().Job
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
		d.p("%s", e.Training().Words())
		if bad := badImages(e); len(bad) > 0 {
			show := bad[:min(5, len(bad))]
			d.p("**%d images were skipped as unreadable** (the source says skip_bad), in training and test alike; the counts above and below are of the images read. First: %s.", len(bad), strings.Join(show, "; "))
		}
		for _, v := range e.Variants {
			for _, t := range j.Tests {
				ts, err := e.TestStats(v, t.Name)
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
				if fr, err := e.VariantFraction(v, t.Name); err == nil && (fr.NX > 1 || fr.Repeats > 1) {
					// The estimate the bias chart draws, then the one the
					// matrix below counts.
					over := fmt.Sprintf("the mean over its %d networks", fr.NX)
					if fr.Repeats > 1 {
						over = fmt.Sprintf("the mean over %d repeats", fr.Repeats)
					}
					d.p("**%s**: %d galaxies, accuracy %.4f, p(spiral) %.4f [%.4f, %.4f] (%s, as in the bias chart; the interval covers %s); the ensemble's averaged answer, counted in the matrix below (first repeat), calls %.4f spiral.",
						label, ts.N, ts.Accuracy.Values[0], fr.Estimate, fr.Lo, fr.Hi, over, fr.Noise(), ts.PSpiral)
				} else {
					d.p("**%s**: %d galaxies, accuracy %.4f, p(spiral) %.4f [%.4f, %.4f] (test sampling).", label, ts.N, ts.Accuracy.Values[0], ts.PSpiral, ts.Lo, ts.Hi)
				}
				d.table([]string{"", "predicted E", "predicted S"}, rows)
				if ts.Repeats > 1 {
					d.p("Over %d repeats (re-drawn training and test sets): misclassified ellipticals %.1f ± %.1f, spirals %.1f ± %.1f (mean ± sd); p(spiral) %.4f ± %.4f; accuracy %.4f ± %.4f.",
						ts.Repeats, ts.MisE.Mean, ts.MisE.SD, ts.MisS.Mean, ts.MisS.SD, ts.PSpiralAll.Mean, ts.PSpiralAll.SD, ts.Accuracy.Mean, ts.Accuracy.SD)
				}
				if published != nil && v == e.Variants[0] {
					f, err := plots.ConfusionFigure(title, ts.Confusion, published)
					d.img(title+": confusion matrix, skybias and published", figs.add("confusion-"+e.Name(), f, err))
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
			fc, err := e.Contrast(v)
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
			if regions := SkyRegions(e); len(regions) >= 2 {
				skymaps[j.Hash()] = true
				f, err := plots.SkyMap(fmt.Sprintf("%s: %s", title, findings.DesignLabel(j, "each field")), regions)
				d.img(title+": predicted spiral fraction per test field on the sky", figs.add("skymap-"+e.Name(), f, err))
			}
		}
	}
}

// SkyRegions places an experiment's test sets on the sky when each is a
// single RA/Dec box, valued by p(spiral) (first repeat).
func SkyRegions(e *findings.Experiment) []plots.SkyRegion {
	j := e.First().Job
	var out []plots.SkyRegion
	for _, t := range j.Tests {
		if len(t.From) != 1 {
			continue
		}
		r := j.Regions[t.From[0]]
		if r == nil || r.RA == nil || r.Dec == nil {
			continue
		}
		tr := e.First().Result.Test(t.Name)
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

// controls reports comparisons with repeats: the effect per repeat, and
// how often each repeat alone would be called a shift.
func (r *Report) controls(d *doc) {
	var rows [][]string
	for _, c := range r.Comparisons {
		if len(c.Effects) < 2 {
			continue
		}
		var es, ps []string
		for k, e := range c.Effects {
			es = append(es, fmt.Sprintf("%+.3f", e.Estimate))
			ps = append(ps, fmtP(c.Effects[k].P))
		}
		welch := ""
		if c.Welch != nil {
			welch = fmt.Sprintf("%.4f vs %.4f, P = %s", c.Welch.MeanA, c.Welch.MeanB, fmtP(c.Welch.P))
		}
		rows = append(rows, []string{c.Experiment, c.Baseline, c.Test, fmt.Sprint(len(c.Effects)), c.Rate().String(),
			fmt.Sprint(c.CountBelow(0.05)), fmt.Sprint(c.CountBelow(analysis.PaperLevel)), strings.Join(clip(es, 20), ", "), strings.Join(clip(ps, 20), ", "), welch})
	}
	if len(rows) == 0 {
		return
	}
	d.h(2, "Repeated comparisons")
	d.p("%s", fmt.Sprintf("Each repeat re-draws the training and test galaxies and the networks' starting weights. The effect of the whole experiment (above) is the mean over repeats with a t interval on the spread between them, which holds every source of noise at once. "+
		"Here each repeat is judged on its own, as a user running only that repeat would be told (a family of one, P < %.2g): the rate of shifts called, with its exact (Clopper-Pearson) 95%% interval. McNemar's test, which compares two trained networks, is counted beside it.", analysis.FamilyAlpha))
	d.table([]string{"experiment", "baseline", "test", "repeats", "shift called (rate [95% interval])", "McNemar P < 0.05", "McNemar P < 1e-5",
		"effect per repeat", "P per repeat", "p(spiral) across repeats (Welch)"}, rows)
}

// clip keeps the first n entries of a long list and says how many more.
func clip(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("... (%d more)", len(xs)-n))
}

// calibration reports the studies whose truth is known by construction:
// the false-positive rate of the verdict where no bias exists, its
// detection rate where one does, and the QQ plot of their P values.
func (r *Report) calibration(d *doc, figs *figureSet) {
	var rows [][]string
	var series []plots.QQSeries
	for _, c := range r.Comparisons {
		if c.Truth == "" || len(c.Effects) == 0 {
			continue
		}
		what := "false-positive rate"
		if c.Truth == "bias" {
			what = "detection rate (power)"
		}
		rate := c.Rate()
		ps := make([]float64, len(c.Effects))
		var vTest, vTrain float64
		for k, e := range c.Effects {
			ps[k] = e.P
			vTest += e.VarTest
			vTrain += e.VarTrain
		}
		share := "-"
		if vTest+vTrain > 0 {
			share = fmt.Sprintf("%.0f%%", 100*vTrain/(vTest+vTrain))
		}
		rows = append(rows, []string{c.Experiment, c.Baseline, c.Truth, fmt.Sprint(rate.Repeats), what, rate.String(), share, c.Effects[0].Kind})
		series = append(series, plots.QQSeries{Name: c.Experiment + " (" + c.Truth + ")", P: ps})
	}
	if len(rows) == 0 {
		return
	}
	d.h(2, "Calibration")
	d.p("%s", fmt.Sprintf("Studies whose truth is known by construction. Each repeat is judged on its own at P < %.2g. Where there is no bias, every shift called is a false positive, and the rate must stay at or below %.2g; where there is one, the rate is the verdict's power. "+
		"Intervals are exact (Clopper-Pearson, 95%%). The training share is the part of the effect's variance that comes from the spread between networks trained alike, averaged over repeats.", analysis.FamilyAlpha, analysis.FamilyAlpha))
	d.table([]string{"experiment", "baseline", "truth", "repeats", "rate of", "shift called", "training share of variance", "effect"}, rows)
	f, err := plots.PValueQQ("P values of the effect against uniform", series)
	d.img("QQ plot: each repeat's P against the uniform quantiles; the grey band is the 95% range of uniform order statistics", figs.add("", f, err))
}

// Write puts REPORT.md, REPORT.html and the figures (PNG and SVG) in dir,
// each file atomically.
func (r *Report) Write(dir string) error {
	// Everything is written into a staging folder beside the report
	// first (the figures' rendering takes seconds), then moved into place
	// by renames: the figures' folder, the tables, REPORT.html and
	// REPORT.md last. A run killed while it renders leaves the older
	// report whole; only a kill within the few renames can mix them.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(dir, ".report-staging-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	for _, f := range r.Figures {
		if err := f.SaveBoth(filepath.Join(stage, FigureDir)); err != nil {
			return err
		}
	}
	sum := r.Summary()
	js, err := sum.JSON()
	if err != nil {
		return fmt.Errorf("summary.json: %w", err)
	}
	files := map[string][]byte{"summary.json": js, "REPORT.html": []byte(r.HTML), "REPORT.md": []byte(r.Markdown)}
	tables, err := sum.Tables()
	if err != nil {
		return err
	}
	maps.Copy(files, tables)
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(stage, name), b, 0o644); err != nil {
			return err
		}
	}
	// Make the staged files durable before any replaces its older twin.
	if err := syncTree(stage); err != nil {
		return err
	}
	if len(r.Figures) > 0 {
		old := filepath.Join(stage, ".old-"+FigureDir)
		if err := os.Rename(filepath.Join(dir, FigureDir), old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Rename(filepath.Join(stage, FigureDir), filepath.Join(dir, FigureDir)); err != nil {
			return err
		}
	}
	order := slices.Sorted(maps.Keys(files))
	order = slices.DeleteFunc(order, func(n string) bool { return n == "REPORT.md" || n == "REPORT.html" })
	for _, name := range append(order, "REPORT.html", "REPORT.md") {
		if err := os.Rename(filepath.Join(stage, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// syncTree syncs every file and folder below dir.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
