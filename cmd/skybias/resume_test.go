package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/dsl"
)

// TestInterruptSaysHowToGoOn: a command stopped by Ctrl-C says what it
// kept and how to continue, not a bare "context canceled".
func TestInterruptSaysHowToGoOn(t *testing.T) {
	store, _, hash := tinyResult(t)
	dir := t.TempDir()
	p, err := dsl.CompileFile("testdata/tiny/t5.yaml", dsl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job.json")
	if err := os.WriteFile(job, p.Jobs[0].JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"job", "run", "--results", filepath.Join(dir, "store2"), job}, "nothing of this job was stored; run the same command again"},
		{[]string{"annotate", hash, "--results", store, "--out", filepath.Join(dir, "cat.csv")}, "run again to continue"},
		{[]string{"run", "--results", filepath.Join(dir, "store3"), "testdata/tiny/t5.yaml"}, "run again"},
	} {
		var out, errw bytes.Buffer
		code := runMain(ctx, tc.args, &out, &errw)
		if code == 0 || !strings.Contains(errw.String(), tc.want) {
			t.Errorf("%v interrupted: exit %d, %q; want it to say %q", tc.args[0], code, errw.String(), tc.want)
		}
	}
}
