package executor

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
)

// TestRegistry: every executor is reached by its name through New, says
// whether it only reads the store, and an unknown name lists the known.
func TestRegistry(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"local", "slurm", "store"}) {
		t.Fatalf("Names() = %v", got)
	}
	s := Settings{Options: runner.Options{Store: &results.Store{Dir: t.TempDir()}}}
	for _, tc := range []struct {
		name, want string
		readOnly   bool
	}{{"", "local", false}, {"local", "local", false}, {"slurm", "slurm", false}, {"store", "store", true}} {
		ex, err := New(tc.name, s)
		if err != nil {
			t.Fatalf("New(%q): %v", tc.name, err)
		}
		if ex.Name() != tc.want || ex.ReadOnly() != tc.readOnly || IsReadOnly(tc.name) != tc.readOnly {
			t.Errorf("New(%q): %s, read-only %v; want %s, %v", tc.name, ex.Name(), ex.ReadOnly(), tc.want, tc.readOnly)
		}
	}
	if _, err := New("k8s", s); err == nil || !strings.Contains(err.Error(), "want one of local, slurm, store") {
		t.Errorf("unknown executor: %v", err)
	}
	if _, err := New("local", Settings{}); err == nil || !strings.Contains(err.Error(), "no result store") {
		t.Errorf("no store: %v", err)
	}
	if IsReadOnly("k8s") {
		t.Error("an unknown executor is read-only")
	}
}

// TestNothingPending: executors that submit nothing have nothing to wait
// for, and say so when asked to wait for submissions; the store executor
// refuses tasks.
func TestNothingPending(t *testing.T) {
	s := Settings{Options: runner.Options{Store: &results.Store{Dir: t.TempDir()}}}
	for _, name := range []string{"local", "store"} {
		ex, _ := New(name, s)
		if err := ex.Wait(context.Background(), nil); err != nil {
			t.Errorf("%s: Wait(nothing): %v", name, err)
		}
		if err := ex.Wait(context.Background(), []string{"4242"}); err == nil || !strings.Contains(err.Error(), "4242") {
			t.Errorf("%s: Wait(4242): %v", name, err)
		}
	}
	ex, _ := New("store", s)
	if err := ex.RunTasks(context.Background(), "annotate", []Task{{Name: "t", Done: func() bool { return false }}}); err == nil || !strings.Contains(err.Error(), "runs nothing") {
		t.Errorf("store RunTasks: %v", err)
	}
}
