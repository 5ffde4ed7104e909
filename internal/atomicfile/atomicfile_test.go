package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCreate: an aborted file leaves the old content and no temporary
// file behind; a committed one replaces it.
func TestCreate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "x.txt")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half")
	f.Abort()
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("after Abort %s holds %q", p, b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Errorf("Abort left %d files", len(ents))
	}
	f, _ = Create(p)
	f.WriteString("new")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // does nothing after Commit
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("after Commit %s holds %q", p, b)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v; want 0644", st.Mode().Perm())
	}
}
