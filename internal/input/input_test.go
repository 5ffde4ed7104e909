package input

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefusesWhatIsNotARegularFile: a FIFO (which would block), a device
// (/dev/zero reads without end), a folder and a file over the limit are
// refused at once, naming what they are; a regular file reads whole.
func TestRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 2000), 0o644)
	ok := filepath.Join(dir, "ok.yaml")
	os.WriteFile(ok, []byte("name: x\n"), 0o644)
	for _, c := range []struct {
		path, want string
	}{
		{fifo, "named pipe (FIFO)"},
		{"/dev/zero", "a device"},
		{dir, "a folder"},
		{big, "2000 bytes, more than the 1000"},
		{filepath.Join(dir, "none"), "no such file"},
	} {
		start := time.Now()
		_, err := ReadFile(c.path, 1000)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: %v, want an error naming it with %q", c.path, err, c.want)
		}
		if time.Since(start) > time.Second {
			t.Errorf("%s: took %v", c.path, time.Since(start))
		}
	}
	if b, err := ReadFile(ok, 1000); err != nil || string(b) != "name: x\n" {
		t.Errorf("regular file: %q, %v", b, err)
	}
}
