package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/dsl"
	"time"
)

// Verify finds every way a stored result can differ from what was
// written, naming the file; a result from before checksums is checked by
// parsing its result.json.
func TestVerify(t *testing.T) {
	files := Files{"result.json": []byte(`{"hash": "x", "tests": []}` + "\n"), "predictions/f1.csv": []byte("id,ra,dec,class,p_spiral\n"), "model.ckpt": []byte("weights")}
	tests := []struct {
		name   string
		damage func(dir string)
		want   string // "" for intact; else the damaged file named
	}{
		{"intact", func(string) {}, ""},
		{"altered prediction", func(d string) {
			os.WriteFile(filepath.Join(d, "predictions/f1.csv"), []byte("id,ra,dec,class,p_spiral\ng,1,1,spiral,1\n"), 0o644)
		}, "predictions/f1.csv"},
		{"truncated network", func(d string) { os.Truncate(filepath.Join(d, "model.ckpt"), 3) }, "model.ckpt"},
		{"missing result", func(d string) { os.Remove(filepath.Join(d, "result.json")) }, "result.json"},
		{"malformed sums", func(d string) { os.WriteFile(filepath.Join(d, SumsFile), []byte("nonsense\n"), 0o644) }, SumsFile},
		{"empty sums", func(d string) { os.WriteFile(filepath.Join(d, SumsFile), nil, 0o644) }, SumsFile},
		{"sums escaping the folder", func(d string) {
			os.WriteFile(filepath.Join(d, SumsFile), []byte(strings.Repeat("0", 64)+"  ../../etc/passwd\n"), 0o644)
		}, SumsFile},
		{"legacy intact", func(d string) { os.Remove(filepath.Join(d, SumsFile)) }, ""},
		{"sums deleted from a result written with them", func(d string) {
			os.Remove(filepath.Join(d, SumsFile))
			os.WriteFile(filepath.Join(d, "result.json"), []byte(`{"hash": "x", "tests": [], "checksummed": true}`+"\n"), 0o644)
		}, SumsFile},
		{"legacy truncated", func(d string) {
			os.Remove(filepath.Join(d, SumsFile))
			os.WriteFile(filepath.Join(d, "result.json"), []byte(`{"hash": "x", "te`), 0o644)
		}, "result.json"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &Store{Dir: t.TempDir()}
			hash := strings.Repeat(string(rune('a'+i)), 64)
			content := Files{}
			for k, v := range files {
				content[k] = v
			}
			if err := store.Write(hash, content); err != nil {
				t.Fatal(err)
			}
			tc.damage(store.Path(hash))
			err := store.Verify(hash)
			var d *DamagedError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("intact result: %v", err)
			case tc.want != "" && !errors.As(err, &d):
				t.Fatalf("got %v, want a DamagedError", err)
			case tc.want != "" && (d.File != tc.want || !strings.Contains(err.Error(), store.Path(hash))):
				t.Fatalf("damaged file %q in %v, want %s", d.File, err, tc.want)
			}
		})
	}
	store := &Store{Dir: t.TempDir()}
	if err := store.Verify(strings.Repeat("f", 64)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no result: %v, want ErrNotExist", err)
	}
}

// SweepStale removes old temporary and discarded folders, and keeps
// recent ones (a write in progress) and results.
func TestSweepStale(t *testing.T) {
	store := &Store{Dir: t.TempDir()}
	old := time.Now().Add(-2 * StaleAge)
	for _, name := range []string{".tmp-aaaaaaaaaaaa-1", ".discard-bbbbbbbbbbbb-2", ".tmp-cccccccccccc-3", strings.Repeat("d", 64)} {
		os.MkdirAll(filepath.Join(store.Dir, name, "predictions"), 0o755)
		if name != ".tmp-cccccccccccc-3" {
			os.Chtimes(filepath.Join(store.Dir, name), old, old)
		}
	}
	n, err := store.SweepStale()
	if err != nil || n != 2 {
		t.Fatalf("swept %d (%v), want 2", n, err)
	}
	left, _ := os.ReadDir(store.Dir)
	if len(left) != 2 || left[0].Name() != ".tmp-cccccccccccc-3" || left[1].Name() != strings.Repeat("d", 64) {
		t.Errorf("left %v", left)
	}
}

// TestDeletedSumsAreDamage: a result as skybias writes it (Encode, then
// Write) records that it has checksums, so deleting SHA256SUMS does not
// turn the check off (issue 34: cut prediction files were trusted).
func TestDeletedSumsAreDamage(t *testing.T) {
	store := &Store{Dir: t.TempDir()}
	files, err := Encode(&Result{Hash: "h"}, &dsl.Job{Experiment: "x"}, &Manifest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("c", 64)
	if err := store.Write(hash, files); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(store.Path(hash), SumsFile))
	var d *DamagedError
	if err := store.Verify(hash); !errors.As(err, &d) || d.File != SumsFile {
		t.Fatalf("sums deleted: %v, want damage naming %s", err, SumsFile)
	}
}
