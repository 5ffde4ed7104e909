package dsl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
)

// A compare.with that names an experiment not given is found by name
// beside the file (and its own baselines after it); a name found nowhere
// is one error at the with: value's line and column.
func TestBaselines(t *testing.T) {
	dir := t.TempDir()
	exp := func(name, with string) string {
		s := "name: " + name + "\nsource: " + filepath.Join(testenv.Root(t), "experiments", "surveys", "null.yaml") + `
model: {arch: lenet5x-small, input: 16, widths: [4, 4], pools: 2, dense: 4}
training: {epochs: 1}
train: {spiral: {from: f1, n: 8}, elliptical: {from: f1, n: 8}}
test: {f1: {from: f1, n: 8}}
`
		if with != "" {
			s += "compare:\n  - {with: " + with + ", on: f1}\n  - {with: " + with + ", on: f1}\n"
		}
		return s
	}
	files := map[string]string{
		"biased.yaml": exp("biased", "middle"),
		"middle.yaml": exp("middle", "base"),
		"base.yaml":   exp("base", ""),
		"typo.yaml":   exp("typo", "bsae"),
		"notes.yaml":  "survey: {name: x}\n", // not an experiment
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compile := func(name string) *Plan {
		p, err := CompileFile(filepath.Join(dir, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		given   []string
		added   []string
		wantErr string
	}{
		{"all given", []string{"biased.yaml", "middle.yaml", "base.yaml"}, nil, ""},
		{"found in turn", []string{"biased.yaml"}, []string{"middle", "base"}, ""},
		{"unknown name", []string{"typo.yaml"}, nil, "typo.yaml:8:12: compare.with: no experiment named \"bsae\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var plans []*Plan
			for _, f := range tc.given {
				plans = append(plans, compile(f))
			}
			added, err := Baselines(plans, Options{})
			var names []string
			for _, p := range added {
				names = append(names, p.Experiment)
			}
			if strings.Join(names, ",") != strings.Join(tc.added, ",") {
				t.Errorf("added %v, want %v", names, tc.added)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			if n := len(Errors(err)); n != 1 {
				t.Errorf("%d errors for one unknown name named twice, want 1", n)
			}
		})
	}
}
