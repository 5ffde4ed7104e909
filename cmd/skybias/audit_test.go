package main

import (
	"context"
	"github.com/skybias/skybias/internal/testenv"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/onnxnet"
	"github.com/skybias/skybias/predictions"
	"github.com/skybias/skybias/sky"
)

// TestAuditOfPyTorchExample runs a small version of examples/pytorch:
// PyTorch trains two networks in Table 6's design and two in a balanced
// baseline, exports them (ONNX) with their predictions of the test
// galaxies (CSV) and the test images as it saw them (PNG). The verdict
// skybias audit gives on PyTorch's files must be the verdict skybias
// gives on its own predictions of the same images by the imported
// networks, number for number.
func TestAuditOfPyTorchExample(t *testing.T) {
	py := testenv.Python(t, "torch", "numpy", "PIL")
	dir := t.TempDir()
	if out, code := run(t, "synth", "--survey", "../../experiments/surveys/ps1-like.yaml", "--fields", "f1,f2", "--n", "300", "--out", filepath.Join(dir, "img")); code != 0 {
		t.Fatalf("synth: %s", out)
	}
	train := func(name, design, ntrain string) {
		cmd := exec.Command(py, "../../examples/pytorch/train.py", "--catalog", filepath.Join(dir, "img", "catalog.csv"),
			"--design", design, "--n-train", ntrain, "--test-from", "200", "--networks", "2", "--epochs", "8", "--input", "32",
			"--out", filepath.Join(dir, name+".onnx"), "--predict", filepath.Join(dir, name+".csv"), "--test-png", filepath.Join(dir, "png"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("train.py %s: %v\n%s", name, err, out)
		}
	}
	train("design", "spiral:f1,elliptical:f2", "200")
	train("baseline", "spiral:f1+f2,elliptical:f1+f2", "100")
	// The verdict on PyTorch's files.
	out, code := run(t, "audit", "--design", filepath.Join(dir, "design.csv"), "--baseline", filepath.Join(dir, "baseline.csv"),
		"--spiral-field", "f1", "--elliptical-field", "f2")
	if code != 0 {
		t.Fatalf("audit: exit %d\n%s", code, out)
	}
	files := map[string]*predictions.Table{}
	for _, side := range []string{"design", "baseline"} {
		tb, err := predictions.Read(filepath.Join(dir, side+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		files[side] = tb
	}
	// skybias's own predictions of the same images by the imported networks.
	internal := map[string]map[string]*analysis.Calls{}
	for _, side := range []string{"design", "baseline"} {
		tb := files[side]
		internal[side] = map[string]*analysis.Calls{}
		for _, f := range []string{"f1", "f2"} {
			c, _ := tb.Calls(f)
			mine := &analysis.Calls{IDs: c.IDs, Class: c.Class}
			for k := range 2 {
				path := filepath.Join(dir, side+".onnx")
				if k == 1 {
					path = filepath.Join(dir, side+"-2.onnx")
				}
				spec, err := onnxnet.SpecFor(path)
				if err != nil {
					t.Fatal(err)
				}
				m, err := onnxnet.Load(path, spec)
				if err != nil {
					t.Fatal(err)
				}
				ps, err := m.PSpiralFunc(context.Background(), len(c.IDs), func(i int, dst []uint8) error {
					img, err := sky.DecodeImageFile(filepath.Join(dir, "png", c.IDs[i]+".png"))
					if err != nil {
						return err
					}
					copy(dst, sky.FromImage(img, 32, 1).Pix)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				calls := make([]bool, len(ps))
				for i, p := range ps {
					calls[i] = p > 0.5
				}
				mine.Spiral = append(mine.Spiral, calls)
			}
			internal[side][f] = mine
		}
	}
	x, b := internal["design"], internal["baseline"]
	ours, err := analysis.Interaction(x["f1"], x["f2"], b["f1"], b["f2"])
	if err != nil {
		t.Fatal(err)
	}
	fc := func(side, f string) *analysis.Calls { c, _ := files[side].Calls(f); return c }
	theirs, err := analysis.Interaction(fc("design", "f1"), fc("design", "f2"), fc("baseline", "f1"), fc("baseline", "f2"))
	if err != nil {
		t.Fatal(err)
	}
	if ours.SE == 0 || !(ours.Estimate != 0) {
		t.Fatalf("a degenerate effect %+v: the networks did not learn", ours)
	}
	if !reflect.DeepEqual(ours, theirs) {
		t.Errorf("skybias's own predictions give %+v\nPyTorch's files give %+v", ours, theirs)
	}
	verdict := analysis.Decide([]analysis.Effect{ours}, 0.05)[0].Verdict.String()
	if !strings.Contains(out, "verdict at level 0.05: "+verdict+"\n") {
		t.Errorf("audit says\n%s\nskybias's own verdict is %q", out, verdict)
	}
	t.Logf("interaction %+.4f [%+.4f, %+.4f], verdict %s", ours.Estimate, ours.Lo, ours.Hi, verdict)
}
