package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
)

// runnableBlocks returns the commands of every fenced block that follows
// a "<!-- runnable -->" line in a Markdown file, one per line, comments
// after "#" removed.
func runnableBlocks(text string) [][]string {
	var out [][]string
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "<!-- runnable -->" {
			continue
		}
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
		}
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			cmd := lines[i]
			if j := strings.Index(cmd, " #"); j >= 0 {
				cmd = cmd[:j]
			}
			if f := strings.Fields(cmd); len(f) > 0 {
				out = append(out, f)
			}
		}
	}
	return out
}

// TestReadmeTour runs every command of the README's and the guide's
// runnable blocks, in order, in an empty folder beside the repository's
// experiments (as on a fresh clone), and fails on the first that does not
// exit 0: the tour cannot rot. Installing is left to the reader.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("the tour trains two small jobs and annotates a catalog")
	}
	root := testenv.Root(t)
	var cmds [][]string
	for _, f := range DocFiles {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, runnableBlocks(string(b))...)
	}
	ran := 0
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "experiments"), filepath.Join(dir, "experiments")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, c := range cmds {
		if c[0] != "skybias" {
			continue // go install, cd: the reader's part
		}
		var out bytes.Buffer
		if code := runMain(context.Background(), c[1:], &out, &out); code != 0 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(c, " "), code, out.String())
		}
		ran++
	}
	if ran < 5 {
		t.Fatalf("the runnable blocks hold %d skybias commands; want the tour (5 or more)", ran)
	}
}
