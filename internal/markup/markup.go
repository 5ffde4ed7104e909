// Package markup renders the Markdown skybias writes and reads (reports,
// notebook cells) as HTML, with one escaping rule: everything that is not
// markup is escaped, and only web, mail and relative links are links, so
// a name or a notebook from someone else cannot put script in a page.
package markup

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// Inline renders the Markdown of a line of text: `code`, **bold**,
// *italics*, [links](url) and ![images](src), escaping everything else.
// A link or image to any other kind of address (javascript:, data:) keeps
// only its text.
func Inline(s string) string {
	var b strings.Builder
	prev := byte(' ')
	for len(s) > 0 {
		switch {
		case s[0] == '`':
			if j := strings.IndexByte(s[1:], '`'); j >= 0 {
				b.WriteString("<code>" + html.EscapeString(s[1:1+j]) + "</code>")
				s, prev = s[2+j:], '`'
				continue
			}
		case strings.HasPrefix(s, "**"):
			if j := strings.Index(s[2:], "**"); j > 0 {
				b.WriteString("<strong>" + Inline(s[2:2+j]) + "</strong>")
				s, prev = s[4+j:], '*'
				continue
			}
		case s[0] == '*' && len(s) > 2 && !word(prev) && prev != '*' && s[1] != ' ' && s[1] != '*':
			if j := strings.IndexByte(s[1:], '*'); j > 0 {
				b.WriteString("<em>" + Inline(s[1:1+j]) + "</em>")
				s, prev = s[2+j:], '*'
				continue
			}
		case strings.HasPrefix(s, "!["):
			if text, url, rest, ok := link(s[1:]); ok {
				if SafeURL(url) {
					fmt.Fprintf(&b, "<img alt=\"%s\" src=\"%s\">", html.EscapeString(text), html.EscapeString(url))
				} else {
					b.WriteString(html.EscapeString(text))
				}
				s, prev = rest, ')'
				continue
			}
		case s[0] == '[':
			if text, url, rest, ok := link(s); ok {
				if SafeURL(url) {
					b.WriteString("<a href=\"" + html.EscapeString(url) + "\">" + Inline(text) + "</a>")
				} else {
					b.WriteString(Inline(text))
				}
				s, prev = rest, ')'
				continue
			}
		}
		b.WriteString(html.EscapeString(s[:1]))
		prev, s = s[0], s[1:]
	}
	return b.String()
}

// link splits "[text](url)rest".
func link(s string) (text, url, rest string, ok bool) {
	j := strings.Index(s, "](")
	if j <= 0 {
		return "", "", "", false
	}
	k := strings.IndexByte(s[j:], ')')
	if k <= 0 {
		return "", "", "", false
	}
	return s[1:j], s[j+2 : j+k], s[j+k+1:], true
}

func word(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// SafeURL admits web, mail and relative addresses, not javascript: or
// data: ones.
func SafeURL(u string) bool {
	scheme, _, found := strings.Cut(u, ":")
	if !found || strings.ContainsAny(scheme, "/?#") {
		return true // relative
	}
	scheme = strings.ToLower(strings.TrimSpace(scheme))
	return scheme == "http" || scheme == "https" || scheme == "mailto"
}

var numbered = regexp.MustCompile(`^\d+[.)]\s+`)

// Blocks renders a Markdown document: headings, paragraphs, bullet and
// numbered lists, fenced code, and Inline markup within them.
func Blocks(src string) string {
	var b strings.Builder
	lines := strings.Split(src, "\n")
	var para []string
	list := ""
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + Inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	endList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "```"):
			flush()
			endList()
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				code = append(code, lines[i])
			}
			b.WriteString("<pre>" + html.EscapeString(strings.Join(code, "\n")) + "</pre>\n")
		case t == "":
			flush()
			endList()
		case strings.HasPrefix(t, "#"):
			flush()
			endList()
			n := min(len(t)-len(strings.TrimLeft(t, "#")), 6)
			fmt.Fprintf(&b, "<h%d>%s</h%d>\n", n, Inline(strings.TrimSpace(t[n:])), n)
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* "):
			flush()
			if list != "ul" {
				endList()
				b.WriteString("<ul>\n")
				list = "ul"
			}
			b.WriteString("<li>" + Inline(t[2:]) + "</li>\n")
		case numbered.MatchString(t):
			flush()
			if list != "ol" {
				endList()
				b.WriteString("<ol>\n")
				list = "ol"
			}
			b.WriteString("<li>" + Inline(numbered.ReplaceAllString(t, "")) + "</li>\n")
		default:
			if list != "" && strings.HasPrefix(l, " ") {
				b.WriteString(Inline(t) + "\n")
				continue
			}
			endList()
			para = append(para, t)
		}
	}
	flush()
	endList()
	return b.String()
}
