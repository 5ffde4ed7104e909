package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkOutFile checks, before any work, that an output file named by a
// flag can be written: not a folder, ending in one of exts (none: any),
// and in a folder that exists (or can be made) and takes a new file. A
// command that fails only after its work is done wastes that work.
func checkOutFile(flag, path string, exts ...string) error {
	if path == "" {
		return nil
	}
	if strings.HasSuffix(path, string(filepath.Separator)) {
		return fmt.Errorf("%s %s is a folder; name the file to write", flag, path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s is a folder; name the file to write", flag, path)
	}
	if len(exts) > 0 {
		ok := false
		for _, e := range exts {
			ok = ok || strings.EqualFold(filepath.Ext(path), e)
		}
		if !ok {
			return fmt.Errorf("%s %s: name a %s file", flag, path, strings.Join(exts, " or "))
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s %s: cannot make its folder: %w", flag, path, err)
	}
	f, err := os.CreateTemp(dir, ".skybias-probe-*")
	if err != nil {
		return fmt.Errorf("%s %s: its folder cannot be written: %w", flag, path, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
