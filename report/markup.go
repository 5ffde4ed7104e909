package report

import (
	"fmt"
	"html"
	"strings"

	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/internal/markup"
)

// doc is a report written once and rendered twice: as Markdown and as
// HTML, from the same blocks.
type doc struct {
	blocks []block
}

type block interface {
	md(*strings.Builder)
	html(*strings.Builder)
}

type heading struct {
	level int
	text  string
}

type para struct{ text string }

type table struct {
	head []string
	rows [][]string
}

type image struct{ alt, path string }

type list struct{ items []string }

func (d *doc) h(level int, format string, args ...any) {
	d.blocks = append(d.blocks, heading{level, fmt.Sprintf(format, args...)})
}
func (d *doc) p(format string, args ...any) {
	d.blocks = append(d.blocks, para{fmt.Sprintf(format, args...)})
}
func (d *doc) table(head []string, rows [][]string) { d.blocks = append(d.blocks, table{head, rows}) }
func (d *doc) img(alt, path string)                 { d.blocks = append(d.blocks, image{alt, path}) }
func (d *doc) list(items ...string)                 { d.blocks = append(d.blocks, list{items}) }

func (h heading) md(b *strings.Builder) {
	fmt.Fprintf(b, "%s %s\n\n", strings.Repeat("#", h.level), h.text)
}
func (h heading) html(b *strings.Builder) {
	fmt.Fprintf(b, "<h%d id=\"%s\">%s</h%d>\n", h.level, anchor(h.text), inline(h.text), h.level)
}
func (p para) md(b *strings.Builder)   { b.WriteString(p.text + "\n\n") }
func (p para) html(b *strings.Builder) { fmt.Fprintf(b, "<p>%s</p>\n", inline(p.text)) }
func (t table) md(b *strings.Builder) {
	b.WriteString("| " + strings.Join(t.head, " | ") + " |\n|")
	for range t.head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}
func (t table) html(b *strings.Builder) {
	b.WriteString("<table>\n<thead><tr>")
	for _, h := range t.head {
		fmt.Fprintf(b, "<th>%s</th>", inline(h))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(b, "<td>%s</td>", inline(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}
func (i image) md(b *strings.Builder) { fmt.Fprintf(b, "![%s](%s)\n\n", i.alt, i.path) }
func (i image) html(b *strings.Builder) {
	fmt.Fprintf(b, "<figure><img src=\"%s\" alt=\"%s\"><figcaption>%s</figcaption></figure>\n",
		html.EscapeString(i.path), html.EscapeString(i.alt), inline(i.alt))
}
func (l list) md(b *strings.Builder) {
	for _, it := range l.items {
		b.WriteString("- " + it + "\n")
	}
	b.WriteString("\n")
}
func (l list) html(b *strings.Builder) {
	b.WriteString("<ul>\n")
	for _, it := range l.items {
		fmt.Fprintf(b, "<li>%s</li>\n", inline(it))
	}
	b.WriteString("</ul>\n")
}

// inline renders the Markdown the report uses inside text (see
// markup.Inline: one escaping rule for reports and notebooks).
func inline(s string) string { return markup.Inline(s) }

func anchor(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 32
		case r == ' ':
			return '-'
		}
		return -1
	}, s)
}

func (d *doc) markdown() string {
	var b strings.Builder
	for _, bl := range d.blocks {
		bl.md(&b)
	}
	return b.String()
}

const style = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}img{max-width:100%}figure{margin:1rem 0}
figcaption{font-size:.85rem;color:#555}code{background:#f4f4f4;padding:0 .2rem}`

func (d *doc) html(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n",
		html.EscapeString(title), style)
	for _, bl := range d.blocks {
		bl.html(&b)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// fmtP writes a P value as findings.FormatP does.
func fmtP(p float64) string { return findings.FormatP(p) }
