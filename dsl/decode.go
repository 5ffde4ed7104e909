package dsl

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Small decoders for YAML nodes; each records an error at the node and
// returns a zero value and false when the node is not what it should be.

// keys checks that a mapping holds only known keys and returns its pairs.
func (e *errs) keys(n *yaml.Node, what string, known []string) [][2]*yaml.Node {
	n = resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		e.at(n, "%s: want a mapping with keys %s, not a %s", what, oneOf(known), kindName(n))
		return nil
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if seen[k.Value] {
			e.at(k, "%s: key %s appears twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		if known != nil && !contains(known, k.Value) {
			e.at(k, "%s: unknown key %q%s; known keys: %s", what, k.Value, suggest(k.Value, known), oneOf(known))
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isScalar(n *yaml.Node) bool { return n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null" }

func (e *errs) str(n *yaml.Node, what string) (string, bool) {
	if !isScalar(n) {
		e.at(n, "%s: want a name, not a %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (e *errs) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	if !isScalar(n) {
		e.at(n, "%s: want a whole number, not a %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(n.Value, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
			v, err = int64(f), nil
		}
	}
	if err != nil {
		e.at(n, "%s: want a whole number, not %q", what, n.Value)
		return 0, false
	}
	if v < lo || v > hi {
		e.at(n, "%s: %d is outside %d..%d", what, v, lo, hi)
		return 0, false
	}
	return v, true
}

func (e *errs) uint(n *yaml.Node, what string) (uint64, bool) {
	if !isScalar(n) {
		e.at(n, "%s: want a whole number, not a %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 10, 64)
	if err != nil {
		e.at(n, "%s: want a whole number >= 0, not %q", what, n.Value)
		return 0, false
	}
	return v, true
}

func (e *errs) number(n *yaml.Node, what string, lo, hi float64) (float64, bool) {
	if !isScalar(n) {
		e.at(n, "%s: want a number, not a %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) {
		e.at(n, "%s: want a number, not %q", what, n.Value)
		return 0, false
	}
	if v < lo || v > hi {
		e.at(n, "%s: %g is outside %g..%g", what, v, lo, hi)
		return 0, false
	}
	return v, true
}

func (e *errs) boolean(n *yaml.Node, what string) (bool, bool) {
	if isScalar(n) {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
	}
	e.at(n, "%s: want true or false, not a %s", what, kindName(n))
	return false, false
}

// names reads a name or a list of names.
func (e *errs) names(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = resolve(n)
	switch {
	case isScalar(n):
		return []*yaml.Node{n}, true
	case n != nil && n.Kind == yaml.SequenceNode && len(n.Content) > 0:
		ok := true
		var out []*yaml.Node
		for _, c := range n.Content {
			c = resolve(c)
			if !isScalar(c) {
				e.at(c, "%s: want region names, not a %s", what, kindName(c))
				ok = false
				continue
			}
			out = append(out, c)
		}
		return out, ok
	}
	e.at(n, "%s: want a region name or a list of region names", what)
	return nil, false
}
