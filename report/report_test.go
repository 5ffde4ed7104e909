package report

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/internal/testenv"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/")

// fakeResults gives every job a result whose predictions are a fixed
// function of the galaxy and the job, so the report can be checked
// without training: the biased design calls field-p galaxies spiral more.
func fakeResults(t *testing.T, plans []*dsl.Plan) map[string]*results.Result {
	t.Helper()
	out := map[string]*results.Result{}
	for _, p := range plans {
		for _, j := range p.Jobs {
			src, err := sky.Open(j.Source.Path)
			if err != nil {
				t.Fatal(err)
			}
			plan, _ := j.DrawPlan()
			split, err := sky.Draw(src.Galaxies(), plan, j.SplitSeed)
			if err != nil {
				t.Fatal(err)
			}
			r := &results.Result{Hash: j.Hash(), TrainCounts: map[string]int{}}
			for _, ts := range j.Tests {
				tr := results.TestResult{Name: ts.Name}
				for _, c := range sky.Classes {
					for k, i := range split.Tests[ts.Name][c] {
						g := src.Galaxies()[i]
						p := 0.2
						if (c == sky.Spiral) != (k%5 == 0) { // 80% right
							p = 0.8
						}
						if (j.Experiment == "t2" || j.Experiment == "r2") && ts.Name == "p" && k%3 == 0 {
							p = 0.9 // the biased design: more spirals on p
						}
						if strings.HasPrefix(j.Experiment, "r") && c == sky.Elliptical && k%(4+j.Repeat) == 1 {
							p = 0.8 // repeats differ a little, as trainings do
						}
						pred := 0
						if p > 0.5 {
							pred = 1
						}
						tr.Confusion[c][pred]++
						tr.Predictions = append(tr.Predictions, results.Prediction{ID: g.ID, RA: g.RA, Dec: g.Dec, Class: c, PSpiral: p})
					}
				}
				r.Tests = append(r.Tests, tr)
			}
			out[j.Hash()] = r
		}
	}
	return out
}

func TestReportGolden(t *testing.T) {
	dir := filepath.Join(testenv.Root(t), "cmd", "skybias", "testdata", "tiny")
	var plans []*dsl.Plan
	for _, f := range []string{"t1.yaml", "t2.yaml", "t3.yaml", "t4.yaml"} {
		p, err := dsl.CompileFile(filepath.Join(dir, f), dsl.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	doc, err := dsl.Load(filepath.Join(dir, "summary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := dsl.DecodeReport(doc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(Input{Title: "golden", Profile: "quick", Plans: plans, Summaries: []*dsl.ReportSpec{spec}, Results: fakeResults(t, plans)})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden.md")
	if *update {
		os.WriteFile(golden, []byte(rep.Markdown), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./report -update)", err)
	}
	if rep.Markdown != string(want) {
		t.Errorf("REPORT.md differs from %s (regenerate with go test ./report -update after checking)", golden)
	}
	// The biased design moved field-p galaxies to spiral only: c = 0.
	var found bool
	for _, c := range rep.Comparisons {
		if c.Experiment == "t2" {
			found = true
			if c.McNemar[0].C != 0 || c.McNemar[0].B == 0 || c.McNemar[0].P >= 0.05 {
				t.Errorf("t2 vs t1: %+v", c.McNemar[0])
			}
		}
	}
	if !found {
		t.Error("no comparison for t2")
	}
	if !strings.Contains(rep.HTML, "<table>") || !strings.Contains(rep.HTML, "McNemar") {
		t.Error("HTML lacks the tables")
	}
	if len(rep.Figures) == 0 {
		t.Error("no figures")
	}
	out := t.TempDir()
	if err := rep.Write(out); err != nil {
		t.Fatal(err)
	}
	sum, err := findings.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Comparisons) != 2 || sum.Comparisons[0].Experiment != "t2" || sum.Comparisons[0].Verdict != analysis.ShiftFound ||
		sum.Comparisons[0].CILow <= 0 || sum.Comparisons[1].Verdict != analysis.NoShift || sum.Comparisons[0].NNetworks != 2 {
		t.Errorf("summary.json comparisons: %+v", sum.Comparisons)
	}
	f, err := os.Open(filepath.Join(out, "comparisons.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][5] != "effect" || rows[1][11] != "shift" {
		t.Errorf("comparisons.csv: %v %v", rows, err)
	}
}

func TestMissingResultIsAnError(t *testing.T) {
	p, err := dsl.CompileFile(filepath.Join(testenv.Root(t), "cmd", "skybias", "testdata", "tiny", "t1.yaml"), dsl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(Input{Plans: []*dsl.Plan{p}, Results: map[string]*results.Result{}})
	if err == nil || !strings.Contains(err.Error(), "no result for job") {
		t.Fatalf("got %v", err)
	}
}

func TestInlineMarkup(t *testing.T) {
	cases := map[string]string{
		"a **b** `c<d>` [e](f.png) <x>": `a <strong>b</strong> <code>c&lt;d&gt;</code> <a href="f.png">e</a> &lt;x&gt;`,
		"no markup & more":              "no markup &amp; more",
	}
	for in, want := range cases {
		if got := inline(in); got != want {
			t.Errorf("inline(%q) = %q, want %q", in, got, want)
		}
	}
}

// The report of repeated studies, golden in Markdown and HTML: a biased
// design and a null control, each repeated against a repeated baseline,
// so the controls table (effect and P per repeat, Welch across repeats),
// the repeated-comparisons rates and the verdicts all render and are
// checked word for word.
func TestReportRepeatsGolden(t *testing.T) {
	var plans []*dsl.Plan
	for _, f := range []string{"r1.yaml", "r2.yaml", "r3.yaml"} {
		p, err := dsl.CompileFile(filepath.Join("testdata", "repeats", f), dsl.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	rep, err := Build(Input{Title: "repeats golden", Profile: "quick", Plans: plans, Results: fakeResults(t, plans)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ file, got string }{
		{"report.repeats.golden.md", rep.Markdown},
		{"report.repeats.golden.html", rep.HTML},
	} {
		golden := filepath.Join("testdata", g.file)
		if *update {
			os.WriteFile(golden, []byte(g.got), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./report -update)", err)
		}
		if g.got != string(want) {
			t.Errorf("the report differs from %s (regenerate with go test ./report -update after checking)", golden)
		}
	}
	for _, w := range []string{"Welch", "effect per repeat", "P per repeat", "compared the first 3"} {
		if !strings.Contains(rep.Markdown, w) {
			t.Errorf("the repeated-studies report lacks %q", w)
		}
	}
	var biased, null *findings.Comparison
	for _, c := range rep.Comparisons {
		switch c.Experiment {
		case "r2":
			biased = c
		case "r3":
			null = c
		}
	}
	if biased == nil || null == nil {
		t.Fatal("missing comparisons")
	}
	if biased.Welch == nil || biased.Welch.P >= 0.05 || len(biased.Effects) != 3 || !biased.Significant() {
		t.Errorf("biased design: Welch %+v, %d effects, verdict %s", biased.Welch, len(biased.Effects), biased.Verdict())
	}
	if null.Welch == nil || null.Significant() {
		t.Errorf("null control: Welch %+v, verdict %s", null.Welch, null.Verdict())
	}
}

// Catalog rows whose class is misspelled or empty are not silently lost:
// the report's header names them by label.
func TestReportCountsUnusedRows(t *testing.T) {
	dir := t.TempDir()
	csv := "id,class,img,field\n"
	for i := 0; i < 40; i++ {
		cls := []string{"spiral", "elliptical"}[i%2]
		csv += fmt.Sprintf("g%d,%s,img/%d.jpg,%s\n", i, cls, i, []string{"p", "q"}[i/20])
	}
	csv += "x1,spirall,img/x1.jpg,p\nx2,elipical,img/x2.jpg,p\nx3,,img/x3.jpg,q\nx4,spirall,img/x4.jpg,q\n"
	files := map[string]string{
		"cat.csv":     csv,
		"source.yaml": "catalog: {file: cat.csv, columns: {id: id, class: class, image: img}}\nregions: {p: {where: {field: p}}, q: {where: {field: q}}}\n",
		"exp.yaml": "name: e\nsource: source.yaml\nmodel: {arch: lenet5x-small, input: 16, widths: [4, 4], pools: 2, dense: 4}\ntraining: {epochs: 1}\n" +
			"train: {spiral: {from: p, n: 5}, elliptical: {from: p, n: 5}}\ntest: {p: {from: p, n: 5}}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := dsl.CompileFile(filepath.Join(dir, "exp.yaml"), dsl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plans := []*dsl.Plan{p}
	rep, err := Build(Input{Title: "unused rows", Plans: plans, Results: fakeResults(t, plans)})
	if err != nil {
		t.Fatal(err)
	}
	want := "not used: 4 rows whose class is neither elliptical nor spiral: (empty) 1, elipical 1, spirall 2"
	if !strings.Contains(rep.Markdown, want) {
		t.Errorf("the report does not say %q:\n%.600s", want, rep.Markdown)
	}
}

// DosesMarkdown lays out each dose-response's effects by swept value, bold
// where the verdict calls a shift, and leaves out comparisons that sweep
// nothing numeric.
func TestDosesMarkdown(t *testing.T) {
	s := findings.Summary{Comparisons: []findings.ComparisonRow{
		{Experiment: "dose-a", Variant: "source.contrast=0", Effect: 0.01, CILow: -0.01, CIHigh: 0.03, Verdict: analysis.NoShift},
		{Experiment: "dose-a", Variant: "source.contrast=1", Effect: 0.3, CILow: 0.2, CIHigh: 0.4, Verdict: analysis.ShiftFound},
		{Experiment: "dose-b", Variant: "source.contrasts.stars=0.5", Effect: 0.02, CILow: 0, CIHigh: 0.04, Verdict: analysis.NoShift},
		{Experiment: "table06", Test: "f1", Effect: 0.1, Verdict: analysis.ShiftFound},
		{Experiment: "grid", Variant: "a=1,b=2", Effect: 0.1, Verdict: analysis.ShiftFound},
	}}
	want := "| experiment | swept | 0 | 0.5 | 1 |\n|---|---|---|---|---|\n" +
		"| dose-a | `source.contrast` | +0.010 [-0.010, +0.030] |  | **+0.300 [+0.200, +0.400]** |\n" +
		"| dose-b | `source.contrasts.stars` |  | +0.020 [+0.000, +0.040] |  |\n"
	if got := DosesMarkdown(s); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestStudiesMarkdownColumns: the studies table shows the mean effect and
// the variance model's rates only where a summary has them, so a summary
// written before they existed renders as it did.
func TestStudiesMarkdownColumns(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	n := 3
	row := findings.StudyRow{Experiment: "power", Variant: "source.contrast=1", Baseline: "base", Truth: "bias", Repeats: 30, Shifts: 12,
		ShiftRate: 0.4, RateCILow: 0.227, RateCIHigh: 0.594, Family: 8, ShiftsHolm: &n, RateHolm: f(0.1), RateHolmCILow: f(0.021), RateHolmCIHigh: f(0.265)}
	for _, tc := range []struct {
		name       string
		model      bool
		want, miss []string
	}{
		{"without the model", false, []string{"| power (source.contrast=1) | base | bias | 30 | 12 | shift rate 0.400 | [0.227, 0.594] | family 8 (P < 0.0063): 3 = 0.100 [0.021, 0.265] |\n"}, []string{"mean effect", "model"}},
		{"with the model", true, []string{"| [0.227, 0.594] | +0.0350 [+0.0200, +0.0500] | 0.451 | family 8", "| 0.120 |", "the variance model's rate"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := row
			if tc.model {
				r.Effect, r.EffectCILow, r.EffectCIHigh, r.ModelRate, r.ModelRateHolm = f(0.035), f(0.02), f(0.05), f(0.451), f(0.12)
			}
			md := StudiesMarkdown(findings.Summary{Studies: []findings.StudyRow{r}})
			for _, w := range tc.want {
				if !strings.Contains(md, w) {
					t.Errorf("table lacks %q:\n%s", w, md)
				}
			}
			for _, w := range tc.miss {
				if strings.Contains(md, w) {
					t.Errorf("table has %q:\n%s", w, md)
				}
			}
		})
	}
}
