package sky

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// keyPath finds the first dotted key path of a source file in a message
// ("survey.fields.f2.sky: noise 2 is outside 0..1" gives survey, fields,
// f2, sky, noise: a word after the path's colon is taken as a key below
// it, kept only if the file has it).
var keyPath = regexp.MustCompile(`\b(survey|catalog|regions)((?:\.[A-Za-z0-9_-]+)*)(?::? ([a-z_]+))?`)

// placeError puts the line and column of the key a source error names
// into it: "file.yaml: survey.size ..." becomes "file.yaml:7:3: survey.size
// ...". Errors that name no key of the file, or already have a place, are
// returned as they are.
func placeError(path string, data []byte, err error) error {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, path+": ")
	if !ok {
		return err
	}
	m := keyPath.FindStringSubmatch(rest)
	if m == nil {
		return err
	}
	keys := []string{m[1]}
	if m[2] != "" {
		keys = append(keys, strings.Split(m[2][1:], ".")...)
	}
	if m[3] != "" {
		keys = append(keys, m[3])
	}
	n := topNode(data)
	if n == nil {
		return err
	}
	var at *yaml.Node
	for _, k := range keys {
		v, key := child(n, k)
		if v == nil {
			break
		}
		n, at = v, key
	}
	if at == nil {
		return err
	}
	return &placedError{msg: fmt.Sprintf("%s:%d:%d: %s", path, at.Line, at.Column, rest), err: err}
}

// placedError is a source error with its place; it unwraps to the error
// it places.
type placedError struct {
	msg string
	err error
}

func (e *placedError) Error() string { return e.msg }
func (e *placedError) Unwrap() error { return e.err }

// topNode is a YAML file's top-level node (nil if it does not parse).
func topNode(data []byte) *yaml.Node {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	return root.Content[0]
}

// child is a mapping's value for key, and the key's node.
func child(n *yaml.Node, key string) (value, keyNode *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], n.Content[i]
		}
	}
	return nil, nil
}

// explicitZero reports whether the file writes a key path with the value
// 0 (as opposed to leaving it out).
func explicitZero(data []byte, keys ...string) bool {
	n := topNode(data)
	if n == nil {
		return false
	}
	for _, k := range keys {
		if n, _ = child(n, k); n == nil {
			return false
		}
	}
	return n.Kind == yaml.ScalarNode && strings.TrimLeft(n.Value, "+-0.") == "" && strings.ContainsRune(n.Value, '0')
}
