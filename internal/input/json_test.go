package input

import (
	"strings"
	"testing"
)

// TestDecodeJSON: what is wrong with a JSON document is said in words,
// naming the field, never a Go type.
func TestDecodeJSON(t *testing.T) {
	type spec struct {
		Title string   `json:"title"`
		Files []string `json:"files"`
		N     int      `json:"n"`
	}
	for _, tc := range []struct {
		in     string
		strict bool
		want   string
	}{
		{`{"title": 5}`, false, "title holds a number; want text"},
		{`{"files": "a.yaml"}`, false, "files holds text; want a list"},
		{`{"n": 1.5}`, false, "n holds the number 1.5; want a whole number"},
		{`{"title": "x",}`, false, "not valid JSON at byte"},
		{`{"titel": "x"}`, true, `unknown field "titel"`},
		{``, false, "empty, or cut short"},
		{`{"title": "x"`, false, "empty, or cut short"},
		{`[1]`, false, "the document holds a list; want an object"},
	} {
		var s spec
		err := DecodeJSON([]byte(tc.in), &s, tc.strict)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "struct") {
			t.Errorf("%s: %v; want %q", tc.in, err, tc.want)
		}
	}
	var s spec
	if err := DecodeJSON([]byte(`{"title": "ok", "files": ["a"]}`), &s, true); err != nil || s.Title != "ok" {
		t.Errorf("a good document: %v %+v", err, s)
	}
}
