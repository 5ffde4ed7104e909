// Package yamlnode is the one home of what skybias does with YAML nodes
// before decoding them: errors that carry the line and column of the node
// at fault, looking up a key of a mapping (through aliases), and laying
// one mapping over another (includes, profiles, overrides).
package yamlnode

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Error is an error at a line and column of a YAML document.
type Error struct {
	Line, Column int
	Err          error
}

// Error writes "LINE:COLUMN: message".
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %v", e.Line, e.Column, e.Err) }

// Unwrap returns the error without its position.
func (e *Error) Unwrap() error { return e.Err }

// Errorf is an error at a node's line and column.
func Errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{Line: n.Line, Column: n.Column, Err: fmt.Errorf(format, args...)}
}

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// Get returns the value of a key of a mapping (aliases followed), or nil
// when m is not a mapping or has no such key. With a key written twice,
// the first is returned (the decoder refuses such a mapping anyway).
func Get(m *yaml.Node, key string) *yaml.Node {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return Resolve(m.Content[i+1])
		}
	}
	return nil
}

// Set gives a key of a mapping a value, in place where the key is, else
// at the end.
func Set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// Merge lays over on top of base: mappings merge key by key
// (recursively), anything else is replaced by over. Keys keep base's
// order; keys new in over follow. Neither input is modified. A key that
// over writes twice stays twice, so that the decoder reports it ("appears
// twice") as it does in a file without merging, where keeping the last
// would hide it. made, when not nil, is told of every mapping Merge
// creates and the mapping of over it stands for (to keep a node's file).
func Merge(base, over *yaml.Node, made func(out, over *yaml.Node)) *yaml.Node {
	base, over = Resolve(base), Resolve(over)
	if base == nil {
		return over
	}
	if over == nil {
		return base
	}
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: over.Line, Column: over.Column, Style: over.Style}
	if made != nil {
		made(out, over)
	}
	index := map[string]int{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		index[base.Content[i].Value] = len(out.Content)
		out.Content = append(out.Content, base.Content[i], base.Content[i+1])
	}
	inOver := map[string]bool{}
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		if inOver[k.Value] {
			out.Content = append(out.Content, k, v)
			continue
		}
		inOver[k.Value] = true
		if j, ok := index[k.Value]; ok {
			out.Content[j] = k
			out.Content[j+1] = Merge(out.Content[j+1], v, made)
			continue
		}
		index[k.Value] = len(out.Content)
		out.Content = append(out.Content, k, v)
	}
	return out
}
