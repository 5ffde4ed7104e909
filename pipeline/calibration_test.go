package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/skybias/skybias/analysis"
)

// TestNullCalibration runs a reduced copy of the calibration study
// experiments/studies/calibrate-null.yaml (Table 6's design on a survey
// whose fields share one sky, against a baseline trained on both fields)
// with 30 repeats at the calibrate profile, and fails when the verdict
// calls more shifts than a 5% test plausibly would: more than 5 of 30
// (P(X > 5) = 0.03 for X ~ Binomial(30, 0.05)).
func TestNullCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 60 small ensembles (about 1.5 minutes on 2 cores)")
	}
	const repeats = 30
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"calibrate-null.yaml", "calibrate-null-baseline.yaml"} {
		files = append(files, studyCopy(t, dir, name, "\nrepeat: 100\n", "\nrepeat: 30\n"))
	}
	spec := &Spec{Title: "null calibration", Files: files, Profile: "calibrate", Results: filepath.Join(dir, "results")}
	rep, err := Execute(context.Background(), spec, "", Options{Executor: "local"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Comparisons {
		if c.Experiment != "calibrate-null" {
			continue
		}
		found = true
		if c.Truth != "none" {
			t.Errorf("truth %q, want none", c.Truth)
		}
		r := c.Rate()
		if r.Repeats != repeats {
			t.Fatalf("%d repeats, want %d", r.Repeats, repeats)
		}
		if !c.Effects[0].Training {
			t.Error("the effect's interval does not cover training noise: the calibrate profile should train ensembles")
		}
		t.Logf("false positives: %s (level %.2g)", r, analysis.FamilyAlpha)
		if r.Calls > 5 {
			t.Errorf("the verdict called a shift in %s null repeats: implausible for a 5%% test", r)
		}
	}
	if !found {
		t.Fatal("no comparison of calibrate-null in the report")
	}
}
