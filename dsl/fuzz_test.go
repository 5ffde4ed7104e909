package dsl

import (
	"os"
	"path/filepath"
	"strings"
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
		// Round trip: the same text compiles again to the same hashes.
		doc2, err := Parse(abs, []byte(data))
		if err != nil {
			t.Fatalf("parsed once, not twice: %v", err)
		}
		p2, err := Compile(doc2, Options{})
		if err != nil || len(p2.Jobs) != len(p.Jobs) {
			t.Fatalf("compiled once, not the same twice: %v", err)
		}
		for i, j := range p.Jobs {
			if len(j.Hash()) != 64 {
				t.Fatal("job without a hash")
			}
			if j.Hash() != p2.Jobs[i].Hash() {
				t.Fatalf("job %d: hash %s, then %s", i, j.ShortHash(), p2.Jobs[i].ShortHash())
			}
		}
	})
}

// FuzzSyntaxPlace: whatever the text and message, a place found for a
// YAML syntax error lies within the text.
func FuzzSyntaxPlace(f *testing.F) {
	f.Add("train: {spiral: {from: f1\n", "did not find expected ',' or '}'")
	f.Add("a: [1, \"x\n", "did not find expected ',' or ']'")
	f.Add("a: \"open\n", "found unexpected end of stream")
	f.Add("a:\n\tb: 1\n", "found a tab character that violates indentation")
	f.Fuzz(func(t *testing.T, data, msg string) {
		line, col, say, ok := syntaxPlace([]byte(data), msg)
		if !ok {
			return
		}
		lines := strings.Split(data, "\n")
		if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1]) || say == "" {
			t.Fatalf("place %d:%d (%q) outside the text (%d lines)", line, col, say, len(lines))
		}
	})
}
