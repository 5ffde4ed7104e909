package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
)

// TestREADMEQuotesDocs fails when a README block that quotes a committed
// summary.json under docs/ differs from what skybias readme writes: the
// README's numbers come from the committed outputs, never from a hand.
func TestREADMEQuotesDocs(t *testing.T) {
	root := testenv.Root(t)
	path := filepath.Join(root, "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "<!-- skybias:studies docs/calibration -->") {
		t.Fatal("README has no calibration block")
	}
	got, err := readmeBlocks(string(b), root)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(b) {
		t.Error("README.md blocks are out of date with docs/*/summary.json: run go run ./cmd/skybias readme")
	}
}

func TestReadmeBlockErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"no end", "<!-- skybias:studies docs/x -->\n", "no <!-- /skybias -->"},
		{"bad marker", "<!-- skybias:studies -->\n<!-- /skybias -->", "want <!-- skybias:KIND DIR -->"},
		{"missing summary", "<!-- skybias:studies nowhere -->\n<!-- /skybias -->", "summary.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readmeBlocks(c.text, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}
