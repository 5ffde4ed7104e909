// Package atomicfile writes files so that a reader, or a later run after a
// crash, never sees half of one: data goes to a temporary file in the same
// folder, is synced, and is renamed into place.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, creating its folder.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// File is a file being written atomically, for data too large to hold in
// memory: it is written to a temporary file beside path; Commit syncs it
// and renames it into place, Abort removes it. Until Commit, path is as
// it was.
type File struct {
	*os.File
	path string
}

// Create starts writing path atomically, creating its folder.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{File: f, path: path}, nil
}

// Commit syncs and closes the file and renames it into place.
func (f *File) Commit() error {
	tmp := f.Name()
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort closes and removes the temporary file; path is left as it was.
// After Commit it does nothing.
func (f *File) Abort() {
	if f.Close() == nil {
		os.Remove(f.Name())
	}
}
