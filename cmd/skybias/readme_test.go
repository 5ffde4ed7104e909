package main

import (
	"bytes"
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
	for _, f := range DocFiles {
		path := filepath.Join(root, f)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readmeBlocks(string(b), filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(b) {
			t.Errorf("%s: blocks are out of date with docs/*/summary.json: run go run ./cmd/skybias readme", f)
		}
	}
	g, _ := os.ReadFile(filepath.Join(root, "docs", "guide.md"))
	if !strings.Contains(string(g), "<!-- skybias:studies calibration -->") {
		t.Error("the guide has no calibration block")
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

// TestReadmeRefusesOtherFiles: readme rewrites only Markdown files that
// hold skybias blocks; anything else is refused, not "up to date".
func TestReadmeRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "notes.md")
	other := filepath.Join(dir, "data.csv")
	os.WriteFile(plain, []byte("# notes\n"), 0o644)
	os.WriteFile(other, []byte("a,b\n"), 0o644)
	for _, tc := range []struct{ path, want string }{
		{plain, "has no <!-- skybias:KIND DIR --> blocks"},
		{other, "not a Markdown file"},
	} {
		var out bytes.Buffer
		err := readmeFile(tc.path, false, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("readme %s: %v; want %q", tc.path, err, tc.want)
		}
	}
}
