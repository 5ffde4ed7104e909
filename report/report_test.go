package report

import (
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/internal/testenv"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden.md")

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
						if j.Experiment == "t2" && ts.Name == "p" && k%3 == 0 {
							p = 0.9 // the biased design: more spirals on p
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
	if len(sum.Comparisons) != 2 || sum.Comparisons[0].Experiment != "t2" || sum.Comparisons[0].Verdict != "shift" ||
		sum.Comparisons[0].CILow <= 0 || sum.Comparisons[1].Verdict != "no shift" || sum.Comparisons[0].NNetworks != 2 {
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
