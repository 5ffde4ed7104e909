package pipeline

import (
	"context"
	"path/filepath"
	"testing"
)

// TestRegionProbe runs reduced copies of the probe studies at the
// calibrate profile: on the ps1-like survey, whose fields differ, the
// network names the field well above chance; on the null survey, whose
// fields share one sky, nearly every repeat is at chance.
func TestRegionProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 11 small ensembles (about 45 seconds on 2 cores)")
	}
	dir := t.TempDir()
	files := []string{
		studyCopy(t, dir, "probe-ps1.yaml", "n: 1500", "n: 800", "test: 200", "test: 150", "repeat: 5", "repeat: 1"),
		studyCopy(t, dir, "probe-null.yaml", "n: 400", "n: 200", "repeat: 20", "repeat: 10"),
	}
	spec, err := NewSpec("probes", files, "calibrate", filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(context.Background(), spec, "", Options{Executor: "local"})
	if err != nil {
		t.Fatal(err)
	}
	if n := Jobs(rep); n != 11 {
		t.Errorf("%d jobs, want 11", n)
	}
	got := map[string]bool{}
	for _, p := range rep.Findings.Probes {
		got[p.Experiment] = true
		t.Logf("%s: accuracy %.3f [%.3f, %.3f], P %.2g, AUC %.3f, simple probe %.3f, at chance in %d of %d",
			p.Experiment, p.Accuracy, p.Lo, p.Hi, p.P, p.AUC, p.SimpleAccuracy, p.AtChance, p.Repeats())
		switch p.Experiment {
		case "probe-ps1":
			if p.Accuracy < 0.8 || p.Lo <= 0.5 || p.P > 1e-6 {
				t.Errorf("ps1-like f1 vs f2: accuracy %.3f [%.3f, %.3f], P %.2g; want >= 0.8, clearly above chance", p.Accuracy, p.Lo, p.Hi, p.P)
			}
		case "probe-null":
			if p.Repeats() != 10 {
				t.Fatalf("%d repeats, want 10", p.Repeats())
			}
			if p.AtChance < 8 {
				t.Errorf("null survey: at chance in %d of 10 repeats, want 8 or more", p.AtChance)
			}
			if p.Lo > 0.5 || p.Hi < 0.5 {
				t.Errorf("null survey: accuracy over repeats %.3f [%.3f, %.3f] excludes 1/2", p.Accuracy, p.Lo, p.Hi)
			}
		}
	}
	if !got["probe-ps1"] || !got["probe-null"] {
		t.Fatalf("probes in the report: %v", got)
	}
	sum := rep.Summary()
	if len(sum.Probes) != 2 || sum.Probes[0].Regions[0] != "f1" {
		t.Errorf("summary probes: %+v", sum.Probes)
	}
}
