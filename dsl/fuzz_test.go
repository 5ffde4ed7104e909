package dsl

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompile feeds arbitrary YAML to the loader and compiler: no input may
// panic, and an accepted experiment must have jobs with hashes.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	abs, _ := filepath.Abs("testdata/good/fuzz.yaml")
	f.Fuzz(func(t *testing.T, data string) {
		doc, err := Parse(abs, []byte(data))
		if err != nil {
			return
		}
		p, err := Compile(doc, Options{})
		if err != nil {
			return
		}
		for _, j := range p.Jobs {
			if len(j.Hash()) != 64 {
				t.Fatal("job without a hash")
			}
		}
	})
}
