package dsl

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/skybias/skybias/internal/input"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/internal/yamlnode"
)

// Document is an experiment file with its includes merged in: a YAML
// mapping whose every node still knows the file it came from.
type Document struct {
	// Path is the experiment file as given.
	Path string
	// Root is the merged top-level mapping.
	Root  *yaml.Node
	files map[*yaml.Node]string
}

// pos returns the file, line and column of a node.
func (d *Document) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.Path}
	}
	col := n.Column
	if col == 0 && n.Line > 0 {
		col = 1
	}
	return Pos{File: d.files[n], Line: n.Line, Column: col}
}

// fileOf returns the file a node came from (for resolving paths in it).
func (d *Document) fileOf(n *yaml.Node) string {
	if f, ok := d.files[n]; ok {
		return f
	}
	return d.Path
}

// Load reads an experiment file and the files it includes ("include:" a
// path or a list of paths, relative to the including file). Included
// files are merged in order, then the including file over them: mappings
// merge key by key, anything else is replaced.
func Load(path string) (*Document, error) {
	data, err := readYAML(path)
	if err != nil {
		return nil, ErrorList{{Pos: Pos{File: path}, Msg: err.Error()}}
	}
	return Parse(path, data)
}

// Parse is Load for a file already read; includes are read from disk
// relative to path.
func Parse(path string, data []byte) (*Document, error) {
	return parse(path, data, nil)
}

// parse is Parse with the top file's YAML already decoded into pre (nil:
// decode data), so that a file is parsed once.
func parse(path string, data []byte, pre *yaml.Node) (*Document, error) {
	d := &Document{Path: path, files: map[*yaml.Node]string{}}
	e := &errs{doc: d}
	root := d.load(path, data, nil, e, nil, pre)
	if err := e.err(); err != nil {
		return nil, err
	}
	d.Root = root
	return d, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// load parses one file and merges its includes; stack holds the files
// being included, to report cycles. from is the include node that led
// here (nil for the top file).
func (d *Document) load(path string, data []byte, stack []string, e *errs, from *yaml.Node, pre *yaml.Node) *yaml.Node {
	abs, _ := filepath.Abs(path)
	for i, s := range stack {
		if s == abs {
			chain := append(append([]string(nil), stack[i:]...), abs)
			for k := range chain {
				chain[k] = filepath.Base(chain[k])
			}
			e.at(from, "include cycle: %s", strings.Join(chain, " -> "))
			return nil
		}
	}
	stack = append(stack, abs)
	var doc yaml.Node
	if pre != nil {
		doc = *pre
	} else if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, errEOF) || strings.Contains(err.Error(), "EOF") {
			e.list = append(e.list, &Error{Pos: Pos{File: path}, Msg: "the file is empty (want a mapping of experiment keys)"})
			return nil
		}
		msg := err.Error()
		pos := Pos{File: path}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			pos.Column = 1
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		if l, c, say, ok := syntaxPlace(data, msg); ok {
			pos.Line, pos.Column, msg = l, c, say
		}
		e.list = append(e.list, &Error{Pos: pos, Msg: "not valid YAML: " + msg})
		return nil
	}
	if len(doc.Content) == 0 {
		e.list = append(e.list, &Error{Pos: Pos{File: path}, Msg: "the file is empty (want a mapping of experiment keys)"})
		return nil
	}
	root := doc.Content[0]
	d.mark(root, path)
	if root.Kind != yaml.MappingNode {
		e.at(root, "the top level must be a mapping of experiment keys, not a %s", kindName(root))
		return nil
	}
	var merged *yaml.Node
	own := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column}
	d.files[own] = path
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "include" {
			own.Content = append(own.Content, k, v)
			continue
		}
		var incs []*yaml.Node
		switch v.Kind {
		case yaml.ScalarNode:
			incs = []*yaml.Node{v}
		case yaml.SequenceNode:
			incs = v.Content
		default:
			e.at(v, "include wants a file name or a list of file names")
			continue
		}
		for _, inc := range incs {
			if inc.Kind != yaml.ScalarNode || inc.Value == "" {
				e.at(inc, "include wants file names")
				continue
			}
			p := inc.Value
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(path), p)
			}
			b, err := readYAML(p)
			if err != nil {
				e.at(inc, "include %s: %v", inc.Value, err)
				continue
			}
			sub := d.load(p, b, stack, e, inc, nil)
			if sub != nil {
				merged = d.merge(merged, sub)
			}
		}
	}
	return d.merge(merged, own)
}

var errEOF = errors.New("EOF")

// mark records the file of every node of a tree.
func (d *Document) mark(n *yaml.Node, file string) {
	if n == nil {
		return
	}
	if _, seen := d.files[n]; seen {
		return
	}
	d.files[n] = file
	for _, c := range n.Content {
		d.mark(c, file)
	}
	if n.Alias != nil {
		d.mark(n.Alias, file)
	}
}

// merge lays over on top of base (yamlnode.Merge), each mapping it makes
// belonging to the file of the mapping it stands for.
func (d *Document) merge(base, over *yaml.Node) *yaml.Node {
	return yamlnode.Merge(base, over, func(out, over *yaml.Node) { d.files[out] = d.fileOf(over) })
}

// resolve follows YAML aliases.
func resolve(n *yaml.Node) *yaml.Node { return yamlnode.Resolve(n) }

func kindName(n *yaml.Node) string {
	switch resolve(n).Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("value %q", n.Value)
	}
	return "node"
}

// get returns the value of a key of a mapping node, or nil.
func get(m *yaml.Node, key string) *yaml.Node { return yamlnode.Get(m, key) }

// maxYAML bounds the size of a YAML file the language reads.
const maxYAML = 4 << 20

// readYAML reads a regular file of at most maxYAML bytes.
func readYAML(path string) ([]byte, error) {
	return input.ReadFile(path, maxYAML)
}
