package kernel

import (
	"go/scanner"
	"go/token"
	"sort"
	"strings"
	"unicode"

	"github.com/traefik/yaegi/stdlib"

	"github.com/skybias/skybias/kernel/symbols"
)

// isComplete tells the frontend whether a cell can run as typed or needs
// more lines (open brackets, an unterminated string).
func isComplete(code string) map[string]any {
	if strings.HasPrefix(strings.TrimSpace(code), "%") {
		return map[string]any{"status": "complete"}
	}
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	bad := false
	s.Init(file, []byte(code), func(token.Position, string) { bad = true }, 0)
	depth := 0
	for {
		_, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			depth++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			depth--
		}
	}
	switch {
	case depth > 0 || (bad && strings.Count(code, "`")%2 == 1):
		return map[string]any{"status": "incomplete", "indent": strings.Repeat("\t", depth)}
	case depth < 0 || bad:
		return map[string]any{"status": "invalid"}
	}
	return map[string]any{"status": "complete"}
}

var goKeywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func",
	"go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct", "switch", "type", "var",
	"append", "cap", "close", "complex", "copy", "delete", "imag", "len", "make", "new", "panic", "print", "println", "real", "recover",
	"bool", "byte", "error", "float32", "float64", "int", "int64", "rune", "string", "uint", "uint64", "any", "true", "false", "nil"}

var magicNames = []string{"%help", "%plan", "%run", "%%yaml"}

func isIdent(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// tokenAt returns the dotted identifier ending at cursor (in runes) and
// where it starts.
func tokenAt(code string, cursor int) (string, int) {
	rs := []rune(code)
	cursor = min(max(cursor, 0), len(rs))
	start := cursor
	for start > 0 && (isIdent(rs[start-1]) || rs[start-1] == '.' || rs[start-1] == '%') {
		start--
	}
	return string(rs[start:cursor]), start
}

// complete answers a complete_request: package members after "pkg.",
// otherwise names defined in earlier cells, imported packages, Go's
// keywords and builtins, and magics.
func (k *Kernel) complete(code string, cursor int) map[string]any {
	tok, start := tokenAt(code, cursor)
	var cands []string
	prefix := tok
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		pkg := tok[:i]
		prefix = tok[i+1:]
		start += len([]rune(tok[:i+1]))
		if path, ok := k.sess.Imports()[pkg]; ok {
			cands = Members(path)
		}
	} else if strings.HasPrefix(tok, "%") {
		cands = magicNames
	} else {
		cands = append(cands, k.sess.Globals()...)
		for name := range k.sess.Imports() {
			cands = append(cands, name)
		}
		cands = append(cands, goKeywords...)
	}
	seen := map[string]bool{}
	matches := []string{}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return map[string]any{"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor, "metadata": map[string]any{}}
}

// inspect answers an inspect_request with the doc comment of the project
// function, type or package under the cursor, or the Go signature of a
// standard library name.
func (k *Kernel) inspect(code string, cursor int) map[string]any {
	rs := []rune(code)
	end := min(max(cursor, 0), len(rs))
	for end < len(rs) && isIdent(rs[end]) {
		end++
	}
	tok, _ := tokenAt(code, end)
	text := k.describe(strings.Trim(tok, "."))
	if text == "" {
		return map[string]any{"status": "ok", "found": false, "data": map[string]any{}, "metadata": map[string]any{}}
	}
	return map[string]any{"status": "ok", "found": true, "data": map[string]any{"text/plain": text}, "metadata": map[string]any{}}
}

func (k *Kernel) describe(tok string) string {
	imports := k.sess.Imports()
	parts := strings.Split(tok, ".")
	path, ok := imports[parts[0]]
	if !ok {
		return ""
	}
	if len(parts) == 1 {
		if d := symbols.Docs[path]; d != "" {
			return "package " + parts[0] + " // import \"" + path + "\"\n\n" + d
		}
		return "package " + parts[0] + " // import \"" + path + "\""
	}
	name := strings.Join(parts[1:], ".")
	if d, ok := symbols.Docs[path+"."+name]; ok {
		return d
	}
	key := path + "/" + path[strings.LastIndexByte(path, '/')+1:]
	if syms, ok := stdlib.Symbols[key]; ok {
		if v, ok := syms[parts[1]]; ok {
			return parts[0] + "." + parts[1] + " " + v.Type().String()
		}
	}
	return ""
}
