package dsl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileExperiments: experiments that validated and ran with a
// silently wrong meaning (issue 34) are errors at their line.
func TestHostileExperiments(t *testing.T) {
	dir := t.TempDir()
	survey, err := filepath.Abs(filepath.Join("..", "experiments", "surveys", "null.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	common := "source: " + survey + "\nmodel: {input: 32, widths: [8, 8, 16, 16, 32], dense: 32}\ntraining: {epochs: 1}\n"
	if err := os.WriteFile(filepath.Join(dir, "common.yaml"), []byte(common), 0o644); err != nil {
		t.Fatal(err)
	}
	const body = "train:\n  spiral: {from: f1, n: 10}\n  elliptical: {from: f2, n: 10}\ntest:\n  f1: {from: f1, n: 10}\n"
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"two train: under include", "include: common.yaml\nname: x\n" + body + "train:\n  spiral: {from: f2, n: 10}\n  elliptical: {from: f1, n: 10}\n", "x.yaml:8:1: experiment: key train appears twice"},
		{"two name: under include", "include: common.yaml\nname: x\nname: y\n" + body, "x.yaml:3:1: experiment: key name appears twice"},
		{"two train: without include", common + "name: x\n" + body + "train:\n  spiral: {from: f2, n: 10}\n  elliptical: {from: f1, n: 10}\n", "key train appears twice"},
		{"a key twice one level down", "include: common.yaml\nname: x\n" + strings.Replace(body, "  spiral: {from: f1, n: 10}\n", "  spiral: {from: f1, n: 10}\n  spiral: {from: f2, n: 10}\n", 1), "x.yaml:5:3"},
		{"compare with itself", "include: common.yaml\nname: x\n" + body + "compare:\n  - {with: x, on: f1}\n", "x.yaml:9:12: compare.with: x is this experiment itself"},
		{"block_nside without lmax", "include: common.yaml\nname: x\n" + body + "annotate: {n: 100}\nanisotropy: {block_nside: 8}\n", "x.yaml:9:14: anisotropy.block_nside works on the multipoles; add lmax:"},
		{"block_nside not a power of two", "include: common.yaml\nname: x\n" + body + "annotate: {n: 100}\nanisotropy: {lmax: 2, block_nside: 6}\n", "x.yaml:9:36: anisotropy.block_nside: 6 is not a power of two"},
		{"unknown covariate", "include: common.yaml\nname: x\n" + body + "annotate: {n: 100}\nanisotropy: {lmax: 2, covariates: [dec, glatt]}\n", "anisotropy.covariates: unknown covariate \"glatt\" (did you mean glat?)"},
		{"lmax beyond 4", "include: common.yaml\nname: x\n" + body + "annotate: {n: 100}\nanisotropy: {lmax: 9}\n", "anisotropy.lmax"},
		{"redraw on a probe", "include: common.yaml\nname: x\ntraining: {ensemble: 2, redraw: true}\nprobe: {regions: [f1, f2], n: 10, test: 10}\n", "x.yaml:3:25: training.redraw: a probe trains on one draw"},
	} {
		path := filepath.Join(dir, "x.yaml")
		if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := CompileFile(path, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
}

// TestReadJobRechecks: a job file edited by hand (what "skybias job run"
// reads on a cluster) is held to the experiment language's limits and
// keys: epochs 1e9, a negative learning rate, a mistyped field and an
// impossible network are refused, naming the field.
func TestReadJobRechecks(t *testing.T) {
	p, err := CompileFile(filepath.Join("..", "experiments", "paper", "table03.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	good, err := json.Marshal(p.Jobs[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"as written", func(map[string]any) {}, ""},
		{"epochs 1e9", func(m map[string]any) { m["training"].(map[string]any)["epochs"] = 1e9 }, "training.epochs 1e+09 is outside"},
		{"negative lr", func(m map[string]any) { m["training"].(map[string]any)["adam"].(map[string]any)["lr"] = -1 }, "training.lr -1 is outside"},
		{"mistyped field", func(m map[string]any) { m["trainning"] = 1 }, `unknown field "trainning"`},
		{"impossible network", func(m map[string]any) { m["model"].(map[string]any)["dense"] = 1e7 }, "dense width 10000000"},
	} {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		c.edit(m)
		b, _ := json.Marshal(m)
		path := filepath.Join(dir, "job.json")
		os.WriteFile(path, b, 0o644)
		_, err := ReadJob(path)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestWorkIsBoundedBeforeAnyIsDone: settings each within their own limit
// that add up to more memory than a job may use are refused at compile
// time, naming the keys (issue 34: a 4 TiB block in cnn's weights, then a
// fatal out of memory); --max-jobs cannot raise the plan past its ceiling.
func TestWorkIsBoundedBeforeAnyIsDone(t *testing.T) {
	dir := t.TempDir()
	survey, _ := filepath.Abs(filepath.Join("..", "experiments", "surveys", "null.yaml"))
	big := "source: " + survey + "\nname: big\nmodel: {input: 1024, widths: [4096, 4096, 4096, 4096, 4096], dense: 65536}\ntraining: {epochs: 1, batch: 4096}\n" +
		"train:\n  spiral: {from: f1, n: 10}\n  elliptical: {from: f2, n: 10}\ntest:\n  f1: {from: f1, n: 10}\n"
	path := filepath.Join(dir, "big.yaml")
	os.WriteFile(path, []byte(big), 0o644)
	_, err := CompileFile(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "more than the 32 GiB one job may use") || !strings.Contains(err.Error(), "training.batch 4096") {
		t.Errorf("a job of terabytes: %v", err)
	}
	small := strings.Replace(big, "model: {input: 1024, widths: [4096, 4096, 4096, 4096, 4096], dense: 65536}", "model: {input: 32, widths: [8, 8, 16, 16, 32], dense: 32}", 1)
	os.WriteFile(path, []byte(small), 0o644)
	if _, err := CompileFile(path, Options{}); err != nil {
		t.Errorf("a small job: %v", err)
	}
	if _, err := CompileFile(path, Options{MaxJobs: 400_000_000}); err == nil || !strings.Contains(err.Error(), "above the ceiling of 1000000") {
		t.Errorf("--max-jobs 400000000: %v", err)
	}
}
