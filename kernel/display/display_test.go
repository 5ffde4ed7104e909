package display

import (
	"strings"
	"testing"
)

type fig struct{ fail bool }

func (f *fig) PNG() []byte {
	if f.fail {
		panic("no pixels")
	}
	return []byte{1}
}

func (f *fig) SVG() string { return "<svg/>" }

// A cell's value never stops the kernel: nil figures show nothing, and a
// figure whose rendering panics shows the panic as text.
func TestAutoIsSafe(t *testing.T) {
	var nilFig *fig
	tests := []struct {
		name string
		v    any
		ok   bool
		mime string
		text string
	}{
		{"nil", nil, false, "", ""},
		{"nil pointer with PNG", nilFig, false, "", ""},
		{"figure", &fig{}, true, MIMEPNG, ""},
		{"panicking figure", &fig{fail: true}, true, MIMEText, "no pixels"},
		{"markdown", Markdown("*x*"), true, MIMEMarkdown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := Auto(tc.v)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if _, has := d.Data[tc.mime]; !has {
				t.Errorf("bundle %v lacks %s", d.Data, tc.mime)
			}
			if tc.text != "" && !strings.Contains(d.Data[MIMEText].(string), tc.text) {
				t.Errorf("text %q lacks %q", d.Data[MIMEText], tc.text)
			}
		})
	}
}
