package dsl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestShippedHashes recompiles every shipped experiment (experiments/
// paper and studies) under the default, paper and calibrate profiles and
// compares every job's hash with testdata/hashes.golden: a refactor that
// changes what a job computes, or how it is named, would strand every
// stored result (and the committed docs that quote them). Files whose
// data source is absent here (real catalogs) are skipped by name.
func TestShippedHashes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every shipped experiment under three profiles (about 30 s)")
	}
	root := filepath.Join("..", "experiments")
	var lines []string
	var skipped []string
	for _, dir := range []string{"paper", "studies"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), "name:") && !strings.Contains(string(b), "\nname:") {
				continue // an include-only file or a report layout
			}
			for _, profile := range []string{"", "paper", "calibrate"} {
				p, err := CompileFile(f, Options{Profile: profile})
				if err != nil {
					var el ErrorList
					switch {
					case errors.As(err, &el) && strings.Contains(err.Error(), "is not defined here"):
						continue // the file has no such profile
					case errors.Is(err, fs.ErrNotExist):
						skipped = append(skipped, f)
						continue
					}
					t.Logf("%s (profile %q): %v", f, profile, err)
					continue
				}
				rel, _ := filepath.Rel(root, f)
				for _, j := range p.Jobs {
					lines = append(lines, fmt.Sprintf("%s %s %s", filepath.ToSlash(rel), p.Profile, j.Hash()))
				}
			}
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "hashes.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) > 0 {
		t.Logf("skipped (data source absent): %s", strings.Join(skipped, ", "))
	}
	have := map[string]bool{}
	for _, l := range lines {
		have[l] = true
	}
	missing := 0
	for _, l := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		file := strings.Fields(l)[0]
		if have[l] || slices.ContainsFunc(skipped, func(s string) bool { return strings.HasSuffix(filepath.ToSlash(s), file) }) {
			continue
		}
		if missing++; missing <= 10 {
			t.Errorf("job hash no longer compiled: %s", l)
		}
	}
	if n := len(strings.Split(strings.TrimSpace(string(want)), "\n")); len(lines) < n-missing || missing > 0 {
		t.Errorf("%d of %d golden job hashes changed or vanished (go test ./dsl -run ShippedHashes -update rewrites them: only when a change is meant to invalidate stored results)", missing, n)
	}
}
