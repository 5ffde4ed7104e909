package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/executor"
	"github.com/skybias/skybias/internal/testenv"
)

// What would fail after training fails before it, all at once.
func TestPreflight(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	plans := []*dsl.Plan{{Experiment: "t6", File: "a.yaml"}, {Experiment: "t6", File: "b.yaml"}}
	tests := []struct {
		name       string
		plans      []*dsl.Plan
		out, store string
		executor   string
		want       []string // substrings; none: no error
	}{
		{"fine", plans[:1], filepath.Join(dir, "out"), filepath.Join(dir, "store"), "local", nil},
		{"duplicate names", plans, "", filepath.Join(dir, "store"), "local", []string{"two experiments are named t6 (a.yaml and b.yaml)"}},
		{"out is a file", plans[:1], file, filepath.Join(dir, "store"), "local", []string{"output folder", "is a file"}},
		{"store is a file", plans[:1], "", file, "local", []string{"result store", "is a file"}},
		{"store-only ignores the store", plans[:1], "", file, "store", nil},
		{"all at once", plans, file, file, "local", []string{"two experiments", "output folder", "result store"}},
	}
	if os.Getuid() != 0 { // root writes anywhere
		tests = append(tests, struct {
			name       string
			plans      []*dsl.Plan
			out, store string
			executor   string
			want       []string
		}{"unwritable store", plans[:1], "", locked, "local", []string{"cannot write there"}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Preflight(tc.plans, tc.out, tc.store, executor.IsReadOnly(tc.executor))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v lacks %q", err, w)
				}
			}
		})
	}
}

// A second run into an output folder that a run holds is refused before
// any work, naming the holder's process ID; once released, it goes ahead.
func TestOutLocked(t *testing.T) {
	out := t.TempDir()
	held, err := LockOut(out)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := NewSpec("", []string{filepath.Join(testenv.Root(t), "experiments", "studies", "null-baseline.yaml")}, "calibrate", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Execute(context.Background(), spec, out, Options{Executor: "store"})
	if err == nil || !strings.Contains(err.Error(), "being written by another skybias run (PID "+strconv.Itoa(os.Getpid())+")") {
		t.Fatalf("second run into a held --out: %v", err)
	}
	held.Unlock()
	_, err = Execute(context.Background(), spec, out, Options{Executor: "store"})
	if err == nil || strings.Contains(err.Error(), "another skybias run") {
		t.Fatalf("after release: %v, want the store-only run's missing-results error", err)
	}
}

// run.json keeps paths relative to its folder and lists YAML files only:
// a spec saved and loaded is the same spec, and a hand-edited one that
// lists another file is refused.
func TestSpecFile(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out", "r")
	exp := filepath.Join(root, "exp", "a.yaml")
	spec := &Spec{Title: "t", Files: []string{exp}, Profile: "quick", Results: filepath.Join(root, "store")}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := spec.Save(out); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(out, SpecFile))
	if strings.Contains(string(raw), root) || !strings.Contains(string(raw), `"../../exp/a.yaml"`) {
		t.Errorf("run.json does not hold relative paths:\n%s", raw)
	}
	back, err := LoadSpec(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Files[0] != exp || back.Results != spec.Results {
		t.Errorf("loaded %v %s, saved %v %s", back.Files, back.Results, spec.Files, spec.Results)
	}
	for _, bad := range []struct{ json, want string }{
		{`{"files": ["/etc/passwd"], "results": "s"}`, "not a YAML file"},
		{`{"files": [], "results": "s"}`, "lists no experiment files"},
		{`{"files": ["a.yaml"]}`, "names no result store"},
		{`{"files": `, "cut short"},
		{`{"title": 5, "files": ["a.yaml"], "results": "s"}`, "title holds a number; want text"},
	} {
		os.WriteFile(filepath.Join(out, SpecFile), []byte(bad.json), 0o644)
		if _, err := LoadSpec(out); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("run.json %s: %v, want %q", bad.json, err, bad.want)
		}
	}
}
