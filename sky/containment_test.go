package sky

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymlinkLeavingTheImageFolder: containment compares resolved paths,
// so an image that is a symbolic link to a file outside the image folder
// is refused (issue 34), and a link that stays inside is accepted.
func TestSymlinkLeavingTheImageFolder(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.jpg")
	os.WriteFile(secret, []byte("x"), 0o644)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "real.jpg"), []byte("x"), 0o644)
	if err := os.Symlink(secret, filepath.Join(dir, "a.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "real.jpg"), filepath.Join(dir, "b.jpg")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ img, want string }{{"a.jpg", "leaves the image folder"}, {"b.jpg", ""}} {
		os.WriteFile(filepath.Join(dir, "c.csv"), []byte("id,class,img\n1,spiral,"+c.img+"\n"), 0o644)
		_, err := ParseSource(filepath.Join(dir, "s.yaml"), []byte("catalog: {file: c.csv, columns: {id: id, class: class, image: img}}"))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s (a link inside the folder): %v", c.img, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (a link to %s): %v, want %q", c.img, secret, err, c.want)
		}
	}
}
