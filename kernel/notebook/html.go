package notebook

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/skybias/skybias/internal/markup"
)

// HTML is the executed notebook as one self-contained page: Markdown
// cells rendered (headings, paragraphs, lists, code, emphasis, links),
// code cells with their sources and outputs, figures inline as data URLs.
// It needs nothing but a browser.
func (nb *Notebook) HTML(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n<style>%s</style></head><body>\n", html.EscapeString(title), pageStyle)
	for _, cell := range nb.Cells {
		src := Source(cell)
		switch cell["cell_type"] {
		case "markdown":
			b.WriteString("<div class=\"md\">\n" + markdown(src) + "</div>\n")
		case "raw":
			b.WriteString("<pre class=\"raw\">" + html.EscapeString(src) + "</pre>\n")
		case "code":
			count := "&nbsp;"
			if n, ok := cell["execution_count"].(float64); ok {
				count = fmt.Sprintf("%d", int(n))
			} else if n, ok := cell["execution_count"].(int); ok {
				count = fmt.Sprintf("%d", n)
			}
			fmt.Fprintf(&b, "<div class=\"cell\"><div class=\"in\"><span class=\"count\">[%s]</span><pre>%s</pre></div>\n", count, html.EscapeString(src))
			outs, _ := cell["outputs"].([]any)
			for _, o := range outs {
				if m, ok := o.(map[string]any); ok {
					b.WriteString(outputHTML(m))
				}
			}
			b.WriteString("</div>\n")
		}
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

const pageStyle = `body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap}
.cell{margin:1em 0}.in{display:flex;gap:.5em}.in pre{flex:1;margin:0}.count{color:#307fc1;font-family:monospace;min-width:3em}
.out{margin:.3em 0 .3em 3.5em}.out pre{background:none;padding:0}.stderr pre{background:#fdd}.error pre{background:#fdd;color:#900}
img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}`

// outputHTML renders one output: the richest type it can (HTML from the
// kernel's own display, then PNG, SVG, then text).
func outputHTML(o map[string]any) string {
	switch o["output_type"] {
	case "stream":
		cls := "out"
		if o["name"] == "stderr" {
			cls += " stderr"
		}
		return "<div class=\"" + cls + "\"><pre>" + html.EscapeString(joinText(o["text"])) + "</pre></div>\n"
	case "error":
		tb := joinText(o["traceback"])
		if tb == "" {
			tb = fmt.Sprintf("%v: %v", o["ename"], o["evalue"])
		}
		return "<div class=\"out error\"><pre>" + html.EscapeString(stripANSI(tb)) + "</pre></div>\n"
	case "display_data", "execute_result":
		data, _ := o["data"].(map[string]any)
		switch {
		case data["text/html"] != nil:
			return "<div class=\"out\">" + joinText(data["text/html"]) + "</div>\n"
		case data["image/png"] != nil:
			return "<div class=\"out\"><img src=\"data:image/png;base64," + strings.TrimSpace(joinText(data["image/png"])) + "\"></div>\n"
		case data["image/svg+xml"] != nil:
			return "<div class=\"out\">" + joinText(data["image/svg+xml"]) + "</div>\n"
		case data["text/markdown"] != nil:
			return "<div class=\"out md\">" + markdown(joinText(data["text/markdown"])) + "</div>\n"
		case data["text/plain"] != nil:
			return "<div class=\"out\"><pre>" + html.EscapeString(joinText(data["text/plain"])) + "</pre></div>\n"
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return "<div class=\"out\"><pre>(output of type " + html.EscapeString(strings.Join(keys, ", ")) + ")</pre></div>\n"
	}
	return ""
}

// joinText is nbformat's multiline text (a string or a list of lines)
// as one string.
func joinText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		var b strings.Builder
		for _, p := range t {
			if s, ok := p.(string); ok {
				b.WriteString(s)
				if len(t) > 1 && !strings.HasSuffix(s, "\n") {
					// tracebacks are lists of lines without newlines
					b.WriteString("\n")
				}
			}
		}
		return b.String()
	}
	return ""
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

// markdown renders the Markdown notebooks use (see markup.Blocks).
func markdown(src string) string { return markup.Blocks(src) }
