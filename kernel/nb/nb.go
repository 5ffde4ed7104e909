// Package nb holds what notebook cells need from the kernel: the running
// cell's context (cancelled when the user interrupts the kernel), and
// one-call helpers to run experiments and show their reports.
//
// Notebook cells have this package imported as "nb".
package nb

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/skybias/skybias/kernel/display"
	"github.com/skybias/skybias/pipeline"
	"github.com/skybias/skybias/report"
)

var (
	mu  sync.Mutex
	cur = context.Background()
)

// SetContext is called by the kernel before each cell.
func SetContext(ctx context.Context) {
	mu.Lock()
	cur = ctx
	mu.Unlock()
}

// Context is the running cell's context: pass it to anything long.
func Context() context.Context {
	mu.Lock()
	defer mu.Unlock()
	return cur
}

// Sleep waits for d, or until the cell is interrupted (then it returns the
// context's error).
func Sleep(d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-Context().Done():
		return Context().Err()
	}
}

// ResultsDir is the result store notebooks use: $SKYBIAS_RESULTS, or
// pipeline.DefaultStore in the working directory.
func ResultsDir() string {
	if d := os.Getenv("SKYBIAS_RESULTS"); d != "" {
		return d
	}
	return pipeline.DefaultStore
}

// Run runs experiment files with a profile ("" for the default, quick),
// reusing stored results, and returns the report.
func Run(profile string, files ...string) (*report.Report, error) {
	spec, err := pipeline.NewSpec("", files, profile, ResultsDir())
	if err != nil {
		return nil, err
	}
	return pipeline.Execute(Context(), spec, "", pipeline.Options{Executor: "local"})
}

// Show displays a report: its Markdown, then its figures.
func Show(r *report.Report) error {
	md := r.Markdown
	// Figures are shown inline below, not linked.
	var kept []string
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "![") {
			kept = append(kept, line)
		}
	}
	if err := display.Display(display.Markdown(strings.Join(kept, "\n"))); err != nil {
		return err
	}
	for _, f := range r.Figures {
		if err := display.Show(f); err != nil {
			return err
		}
	}
	return nil
}

// PSpiral is the predicted spiral fraction of an experiment of a report
// on one of its test sets (first sweep point, first repeat).
func PSpiral(r *report.Report, experiment, test string) (float64, error) {
	for _, e := range r.Experiments {
		if e.Name() == experiment {
			p, _, err := e.PSpiral(test)
			return p, err
		}
	}
	return 0, fmt.Errorf("the report has no experiment %q", experiment)
}
