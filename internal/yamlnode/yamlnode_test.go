package yamlnode

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func parse(t *testing.T, s string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

func encode(t *testing.T, n *yaml.Node) string {
	t.Helper()
	b, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestMerge: mappings merge key by key in base's order, anything else is
// replaced, a key written twice in over stays twice, and neither input
// changes.
func TestMerge(t *testing.T) {
	for _, tc := range []struct{ base, over, want string }{
		{"{a: 1, b: {c: 2, d: 3}}", "{b: {d: 4, e: 5}, f: 6}", "{a: 1, b: {c: 2, d: 4, e: 5}, f: 6}"},
		{"{a: [1, 2]}", "{a: [3]}", "{a: [3]}"},
		{"{a: {b: 1}}", "{a: 2}", "{a: 2}"},
		{"{a: 1}", "{b: 1, b: 2}", "{a: 1, b: 1, b: 2}"},
		{"{x: &k {b: 1}, a: *k}", "{a: {c: 2}}", "{x: &k {b: 1}, a: {b: 1, c: 2}}"},
	} {
		base, over := parse(t, tc.base), parse(t, tc.over)
		before := encode(t, base) + encode(t, over)
		var made int
		got := encode(t, Merge(base, over, func(out, over *yaml.Node) { made++ }))
		if got != encode(t, parse(t, tc.want)) {
			t.Errorf("Merge(%s, %s) = %s; want %s", tc.base, tc.over, got, tc.want)
		}
		if encode(t, base)+encode(t, over) != before {
			t.Errorf("Merge(%s, %s) changed an input", tc.base, tc.over)
		}
		if made == 0 && strings.Contains(tc.want, "{") && tc.base != "{a: {b: 1}}" && tc.base != "{a: [1, 2]}" {
			t.Errorf("Merge(%s, %s) reported no mapping made", tc.base, tc.over)
		}
	}
}

// TestGetSetError: lookups follow aliases, Set replaces in place or
// appends, and errors carry the position of the node (an alias: of the
// node it names).
func TestGetSetError(t *testing.T) {
	m := parse(t, "a: &x {b: 1}\nc: *x\n")
	if g := Get(m, "c"); g == nil || g.Kind != yaml.MappingNode || Get(g, "b").Value != "1" {
		t.Fatalf("Get through an alias: %v", g)
	}
	if Get(m, "zz") != nil || Get(Get(Get(m, "a"), "b"), "q") != nil {
		t.Error("Get of a missing key or a scalar is not nil")
	}
	Set(m, "a", &yaml.Node{Kind: yaml.ScalarNode, Value: "2"})
	Set(m, "d", &yaml.Node{Kind: yaml.ScalarNode, Value: "3"})
	if Get(m, "a").Value != "2" || Get(m, "d").Value != "3" || len(m.Content) != 6 {
		t.Errorf("Set: %s", encode(t, m))
	}
	err := Errorf(Get(m, "c"), "bad %s", "thing")
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 || err.Error() != "1:4: bad thing" {
		t.Errorf("Errorf: %v", err)
	}
}
