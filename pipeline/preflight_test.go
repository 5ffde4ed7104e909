package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/dsl"
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
			err := Preflight(tc.plans, tc.out, tc.store, tc.executor)
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
