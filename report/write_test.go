package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/plots"
)

// TestWriteIsOneUnit: a report is staged and moved into place, so a
// write that fails while rendering (as a kill would stop it) leaves the
// older report whole, with no staging folder; a write that succeeds
// replaces every file of the older report, stale figures included.
func TestWriteIsOneUnit(t *testing.T) {
	dir := t.TempDir()
	fig := func(name string) *plots.Figure {
		return &plots.Figure{Name: name, Width: 2 * vg.Inch, Height: 2 * vg.Inch, Plots: [][]*plot.Plot{{plot.New()}}}
	}
	old := &Report{Findings: &findings.Findings{}, Markdown: "old report", HTML: "<p>old</p>", Figures: []*plots.Figure{fig("a"), fig("stale")}}
	if err := old.Write(dir); err != nil {
		t.Fatal(err)
	}
	// A figure that cannot be written (its folder would be a file the
	// first figure wrote) fails the write mid-way through rendering.
	broken := &Report{Findings: &findings.Findings{}, Markdown: "new report", HTML: "<p>new</p>", Figures: []*plots.Figure{fig("a"), fig("a.png/x")}}
	if err := broken.Write(dir); err == nil {
		t.Fatal("a figure that cannot be written did not fail the write")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "REPORT.md")); string(b) != "old report" {
		t.Errorf("after a failed write REPORT.md is %q, want the older report's", b)
	}
	if _, err := os.Stat(filepath.Join(dir, FigureDir, "stale.png")); err != nil {
		t.Errorf("after a failed write the older figures are gone: %v", err)
	}
	good := &Report{Findings: &findings.Findings{}, Markdown: "new report", HTML: "<p>new</p>", Figures: []*plots.Figure{fig("a")}}
	if err := good.Write(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "REPORT.md")); string(b) != "new report" {
		t.Errorf("REPORT.md is %q after a write", b)
	}
	if _, err := os.Stat(filepath.Join(dir, FigureDir, "stale.png")); err == nil {
		t.Error("a figure of the older report survives beside the new one")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".report-staging") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}
}
