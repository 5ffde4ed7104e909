package dsl

import (
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
