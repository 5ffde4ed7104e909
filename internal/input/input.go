// Package input is how every skybias command reads a file it is given:
// regular files only (a FIFO, a device such as /dev/zero, a socket or a
// folder is an error that names it, found before the file is opened, so
// nothing blocks or reads without end), opened without blocking, and no
// larger than the limit the caller states, checked before the read and
// enforced during it.
package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Sizes callers use.
const (
	// SmallFile bounds a definition: YAML, JSON, a notebook.
	SmallFile = 16 << 20
	// Table bounds a catalog or a result table.
	Table = 4 << 30
)

// kind names a file mode that is not a regular file.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// Open opens path for reading after checking that it is a regular file
// of at most max bytes. The returned reader stops with an error past max
// bytes, should the file grow.
func Open(path string, max int64) (io.ReadCloser, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, fmt.Errorf("no such file %s", path)
		}
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is %s; give a regular file", path, kind(st.Mode()))
	}
	if st.Size() > max {
		return nil, 0, fmt.Errorf("%s is %d bytes, more than the %d this input may have", path, st.Size(), max)
	}
	// O_NONBLOCK: should the path have been swapped for a FIFO since the
	// check, opening it does not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s is %s; give a regular file", path, kind(st.Mode()))
		}
		return nil, 0, err
	}
	return &limited{f: f, r: io.LimitReader(f, max+1), max: max, path: path}, st.Size(), nil
}

// limited reads at most max bytes and fails past them.
type limited struct {
	f    *os.File
	r    io.Reader
	n    int64
	max  int64
	path string
}

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, fmt.Errorf("%s grew past %d bytes while it was read", l.path, l.max)
	}
	return n, err
}

func (l *limited) Close() error { return l.f.Close() }

// ReadFile reads a whole regular file of at most max bytes.
func ReadFile(path string, max int64) ([]byte, error) {
	r, size, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var b bytes.Buffer
	b.Grow(int(size))
	if _, err := b.ReadFrom(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
