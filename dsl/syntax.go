package dsl

import "strings"

// syntaxPlace finds where a YAML syntax error really is, for the errors
// whose line yaml.v3 reports poorly: an unclosed { or [ (reported where
// the parser gave up, often lines away, and one line early), an unclosed
// quote, a tab in the indentation. It returns the 1-based line and column
// and what to say, or ok false to keep the parser's report.
func syntaxPlace(data []byte, msg string) (line, col int, say string, ok bool) {
	switch {
	case strings.Contains(msg, "expected ',' or '}'"), strings.Contains(msg, "expected ',' or ']'"):
		want := byte('{')
		if strings.Contains(msg, "']'") {
			want = '['
		}
		if l, c, found := unclosed(data, want); found {
			return l, c, "the " + string(want) + " opened here is never closed (" + msg + ")", true
		}
	case strings.Contains(msg, "unexpected end of stream"), strings.Contains(msg, "found unexpected end"):
		if l, c, found := unclosed(data, '"'); found {
			return l, c, "the quote opened here is never closed", true
		}
		if l, c, found := unclosed(data, '\''); found {
			return l, c, "the quote opened here is never closed", true
		}
	case strings.Contains(msg, "tab character"), strings.Contains(msg, "cannot start any token"):
		for i, ln := range strings.Split(string(data), "\n") {
			indent := ln[:len(ln)-len(strings.TrimLeft(ln, " \t"))]
			if k := strings.IndexByte(indent, '\t'); k >= 0 {
				return i + 1, k + 1, "a tab in the indentation (YAML indents with spaces)", true
			}
		}
	}
	return 0, 0, "", false
}

// unclosed scans YAML text for the innermost flow bracket ({ or [) or
// quote (" or ') of the given kind still open at the end, skipping
// comments and quoted text. A bracket counts only where a flow collection
// can start: after ':', '-', ',', an opening bracket, or at a line's start.
func unclosed(data []byte, want byte) (line, col int, found bool) {
	type open struct {
		ch        byte
		line, col int
	}
	var stack []open
	var quote *open
	line, col = 1, 0
	prev := byte('\n') // last non-space character outside quotes
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		if c == '\n' {
			line, col = line+1, 0
			prev = '\n'
			continue
		}
		if quote != nil {
			switch {
			case quote.ch == '"' && c == '\\':
				i++
				col++
			case c == quote.ch:
				if c == '\'' && i+1 < len(data) && data[i+1] == '\'' { // '' inside '...'
					i++
					col++
					continue
				}
				quote = nil
				prev = c
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r':
			continue
		case '#':
			if i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n' {
				for i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
				continue
			}
		case '"', '\'':
			if strings.IndexByte(":-,[{\n", prev) >= 0 {
				quote = &open{c, line, col}
				continue
			}
		case '{', '[':
			if strings.IndexByte(":-,[{\n", prev) >= 0 {
				stack = append(stack, open{c, line, col})
			}
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
		prev = c
	}
	if quote != nil && quote.ch == want {
		return quote.line, quote.col, true
	}
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].ch == want {
			return stack[k].line, stack[k].col, true
		}
	}
	return 0, 0, false
}
