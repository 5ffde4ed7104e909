package dsl

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pos is a place in a YAML file.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is one problem at a place in a file.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every problem found in an experiment, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Sort orders the errors by file, line and column.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Errors returns the individual errors of err: those of an ErrorList, or
// err itself.
func Errors(err error) []error {
	var l ErrorList
	if errors.As(err, &l) {
		out := make([]error, len(l))
		for i, e := range l {
			out[i] = e
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// errs collects errors against a document's node positions.
type errs struct {
	doc  *Document
	list ErrorList
}

// maxEcho is the longest user value an error message repeats whole.
const maxEcho = 80

func (e *errs) at(n *yaml.Node, format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			if len(v) > maxEcho {
				args[i] = v[:maxEcho-3] + "..." // a 3 MB scalar is not echoed whole
			}
		case error: // an error may quote the value too (a path)
			if s := v.Error(); len(s) > 4*maxEcho {
				args[i] = s[:4*maxEcho-3] + "..."
			}
		}
	}
	e.list = append(e.list, &Error{Pos: e.doc.pos(n), Msg: fmt.Sprintf(format, args...)})
}

func (e *errs) err() error {
	if len(e.list) == 0 {
		return nil
	}
	e.list.Sort()
	// Drop exact duplicates (one bad include seen twice).
	out := e.list[:0]
	for i, x := range e.list {
		if i > 0 && x.Error() == e.list[i-1].Error() {
			continue
		}
		out = append(out, x)
	}
	return out
}
