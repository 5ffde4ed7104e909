package markup

import "testing"

// TestInline: markup becomes HTML, everything else is escaped, and only
// web, mail and relative addresses become links or images.
func TestInline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a **b** `c<d>` [e](f.png) <x>", `a <strong>b</strong> <code>c&lt;d&gt;</code> <a href="f.png">e</a> &lt;x&gt;`},
		{"*x* and 2 * 3 * 4", "<em>x</em> and 2 * 3 * 4"},
		{"(* the verdict calls a shift)", "(* the verdict calls a shift)"},
		{"snake_case*not*", "snake_case*not*"},
		{"[site](https://example.org) [bad](javascript:alert(1))", `<a href="https://example.org">site</a> bad` + ")"},
		{"![plot](fig.png) ![x](data:image/png;base64,AAA)", `<img alt="plot" src="fig.png"> x`},
		{`[t](a"onmouseover="x)`, `<a href="a&#34;onmouseover=&#34;x">t</a>`},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"unclosed **bold and `code", "unclosed **bold and `code"},
		{"p(spiral) é ü", "p(spiral) é ü"},
	} {
		if got := Inline(tc.in); got != tc.want {
			t.Errorf("Inline(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestBlocks: headings, lists, code fences and paragraphs.
func TestBlocks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"# Title *x*", "<h1>Title <em>x</em></h1>\n"},
		{"- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"1. a\n2) b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"```\n<b>x</b>\n```", "<pre>&lt;b&gt;x&lt;/b&gt;</pre>\n"},
		{"one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>\n"},
	} {
		if got := Blocks(tc.in); got != tc.want {
			t.Errorf("Blocks(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// FuzzInline: any text renders without panicking, and never opens a tag
// the renderer does not write.
func FuzzInline(f *testing.F) {
	f.Add("a **b** `c` [d](e) ![f](g) *h*")
	f.Fuzz(func(t *testing.T, s string) {
		out := Inline(s)
		for i := 0; i+1 < len(out); i++ {
			if out[i] != '<' {
				continue
			}
			ok := false
			for _, tag := range []string{"<strong>", "</strong>", "<em>", "</em>", "<code>", "</code>", "<a href=", "</a>", "<img "} {
				if len(out)-i >= len(tag) && out[i:i+len(tag)] == tag {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("Inline(%q) = %q opens an unknown tag at %d", s, out, i)
			}
		}
	})
}
