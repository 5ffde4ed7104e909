package kernel

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cellCase is one cell of a corpus program and what it must give.
type cellCase struct {
	code string
	line int // of the cell's >>> in the file
	want []string
}

// readCells reads a corpus program: cells start at a line ">>>", and lines
// "<<< none", "<<< value TEXT", "<<< error TEXT" and "<<< stdout TEXT" after
// a cell say what it must give (no value; a value printing as TEXT; an
// error containing TEXT; standard output containing TEXT). Lines starting
// with # before the first cell are comments.
func readCells(t *testing.T, path string) []cellCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []cellCase
	var cur *cellCase
	var code []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case l == ">>>":
			out = append(out, cellCase{line: n})
			cur, code = &out[len(out)-1], nil
		case strings.HasPrefix(l, "<<< "):
			if cur == nil {
				t.Fatalf("%s:%d: expectation before any cell", path, n)
			}
			if cur.code == "" {
				cur.code = strings.Join(code, "\n")
			}
			cur.want = append(cur.want, strings.TrimPrefix(l, "<<< "))
		case cur == nil:
			if l != "" && !strings.HasPrefix(l, "#") {
				t.Fatalf("%s:%d: text before the first cell", path, n)
			}
		default:
			code = append(code, l)
		}
	}
	for _, c := range out {
		if len(c.want) == 0 {
			t.Fatalf("%s:%d: a cell without expectations", path, c.line)
		}
	}
	return out
}

// TestCellCorpus runs every program of testdata/cells on a fresh session,
// cell by cell, and checks each cell's value, error and output.
func TestCellCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cells", "*.cells"))
	if len(files) < 5 {
		t.Fatalf("found %d cell programs", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var stdout bytes.Buffer
			s, err := NewSession(strings.NewReader(""), &stdout, &stdout)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range readCells(t, path) {
				stdout.Reset()
				v, err := s.Execute(context.Background(), c.code)
				for _, w := range c.want {
					kind, text, _ := strings.Cut(w, " ")
					var ok bool
					var got string
					switch kind {
					case "none":
						ok, got = err == nil && !v.IsValid(), fmt.Sprintf("value %v, error %v", v, err)
					case "value":
						if err == nil && v.IsValid() && v.CanInterface() {
							got = fmt.Sprint(v.Interface())
						} else {
							got = fmt.Sprintf("no value (error %v)", err)
						}
						ok = got == text
					case "error":
						ok, got = err != nil && strings.Contains(err.Error(), text), fmt.Sprint(err)
					case "stdout":
						ok, got = strings.Contains(stdout.String(), text), stdout.String()
					default:
						t.Fatalf("%s:%d: unknown expectation %q", path, c.line, w)
					}
					if !ok {
						t.Errorf("%s:%d: want %s, got %s\ncell:\n%s", path, c.line, w, got, c.code)
					}
				}
			}
		})
	}
}
