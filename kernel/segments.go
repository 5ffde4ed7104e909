package kernel

import (
	"go/scanner"
	"go/token"
	"strings"
)

// segment is a run of a cell: consecutive statements, one declaration
// (func or type) or one import declaration.
type segment struct {
	kind  segmentKind
	src   string
	line  int // lines of the cell before it
	start int // byte offset in the cell
}

type segmentKind int

const (
	segStatements segmentKind = iota
	segDecl
	segImport
)

// scanned is one token of a cell and its byte offset.
type scanned struct {
	off int
	tok token.Token
}

// segments splits a cell into its top-level parts in order, so that a cell
// may mix imports, declarations and statements as a person writes them:
// "func double(v int) int {...}" then "y := double(x)" then "y". A func
// keyword starts a declaration when a name (or a method's receiver and
// then a name) follows it; otherwise (a function literal) it starts a
// statement. A cell that does not scan, or whose brackets do not balance,
// is one statement segment, for the interpreter to report its error.
func segments(code string) []segment {
	whole := []segment{{kind: segStatements, src: code}}
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	var sc scanner.Scanner
	bad := false
	sc.Init(file, []byte(code), func(token.Position, string) { bad = true }, 0)
	var toks []scanned
	for {
		pos, t, _ := sc.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, scanned{file.Offset(pos), t})
	}
	if bad {
		return whole
	}
	var out []segment
	depth, first := 0, -1
	for i, t := range toks {
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		if depth < 0 {
			return whole
		}
		if first < 0 && t.tok != token.SEMICOLON {
			first = i
		}
		last := i == len(toks)-1
		if depth != 0 || first < 0 || (t.tok != token.SEMICOLON && !last) {
			continue
		}
		start, end := toks[first].off, len(code)
		if t.tok == token.SEMICOLON && t.off < len(code) {
			end = t.off
		}
		kind := unitKind(toks[first:])
		first = -1
		if kind == segStatements && len(out) > 0 && out[len(out)-1].kind == segStatements {
			prev := &out[len(out)-1]
			prev.src = code[prev.start:end]
			continue
		}
		// From the start of its line where only blanks precede it, so
		// that columns in errors are the cell's.
		line := strings.Count(code[:start], "\n")
		if ls := lineStart(code, line); strings.TrimSpace(code[ls:start]) == "" {
			start = ls
		}
		out = append(out, segment{kind: kind, src: code[start:end], line: line, start: start})
	}
	for i := range out {
		out[i].src = strings.TrimRight(out[i].src, " \t\r\n;")
	}
	if depth != 0 {
		return whole
	}
	return out
}

// lineStart is the byte offset where line (0-based) of code begins; a
// segment's source starts there so that its columns are the cell's.
func lineStart(code string, line int) int {
	off := 0
	for k := 0; k < line; k++ {
		i := strings.IndexByte(code[off:], '\n')
		if i < 0 {
			return len(code)
		}
		off += i + 1
	}
	return off
}

// unitKind classifies a top-level unit by its first tokens.
func unitKind(ts []scanned) segmentKind {
	switch ts[0].tok {
	case token.IMPORT:
		return segImport
	case token.TYPE:
		return segDecl
	case token.FUNC:
		if len(ts) > 1 && ts[1].tok == token.IDENT {
			return segDecl // func name(...)
		}
		if len(ts) > 1 && ts[1].tok == token.LPAREN { // a receiver, then a name?
			depth := 0
			for k := 1; k < len(ts); k++ {
				switch ts[k].tok {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
				}
				if depth == 0 {
					// func (r T) Name( is a method; func() T { a literal.
					if k+2 < len(ts) && ts[k+1].tok == token.IDENT && ts[k+2].tok == token.LPAREN {
						return segDecl
					}
					return segStatements
				}
			}
		}
	}
	return segStatements
}
