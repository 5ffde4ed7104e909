package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/results"
)

// TestSkipBadRefusesAClassWithNoImages: with skip_bad, a class whose
// training images are all unreadable is refused, instead of a network
// trained on the other class alone being stored as a result (issue 34).
func TestSkipBadRefusesAClassWithNoImages(t *testing.T) {
	dir := t.TempDir()
	writeCatalog(t, dir, 40, -1)
	// Spirals are the odd galaxies; break every spiral image of region x.
	for i := 1; i < 20; i += 2 {
		os.WriteFile(filepath.Join(dir, "img", fmt.Sprintf("%03d.jpg", i)), []byte("not a jpeg"), 0o644)
	}
	src := filepath.Join(dir, "source.yaml")
	b, _ := os.ReadFile(src)
	os.WriteFile(src, []byte(strings.Replace(string(b), "catalog: {file: cat.csv,", "catalog: {file: cat.csv, skip_bad: true,", 1)), 0o644)
	p := plan(t, filepath.Join(dir, "exp.yaml"))
	store := &results.Store{Dir: filepath.Join(dir, "results")}
	err := Run(context.Background(), p.Jobs, Options{Store: store})
	if err == nil || !strings.Contains(err.Error(), "training spiral images was unreadable") {
		t.Fatalf("got %v, want a refusal to train without spirals", err)
	}
	if left := storeEntries(store); len(left) != 0 {
		t.Errorf("a refused job left %v in the store", left)
	}
}
