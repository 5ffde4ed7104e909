package kernel

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/skybias/skybias/kernel/nb"
	"github.com/skybias/skybias/kernel/symbols"
)

// Session is an interpreter whose state lives from cell to cell.
type Session struct {
	interp *interp.Interpreter
	mu     sync.Mutex
	// imports maps the names cells use for packages to their paths.
	imports map[string]string
}

// Preloaded are imported into every session under their package names.
var Preloaded = []string{"github.com/skybias/skybias/kernel/display", "github.com/skybias/skybias/kernel/nb"}

// NewSession starts an interpreter with the standard library and the
// project's packages available to import.
func NewSession(stdin io.Reader, stdout, stderr io.Writer) (*Session, error) {
	i := interp.New(interp.Options{Stdin: stdin, Stdout: stdout, Stderr: stderr})
	if err := i.Use(stdlib.Symbols); err != nil {
		return nil, err
	}
	if err := i.Use(symbols.Symbols); err != nil {
		return nil, err
	}
	s := &Session{interp: i, imports: map[string]string{}}
	for _, p := range Preloaded {
		if err := s.importPath("", p); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Session) importPath(alias, path string) error {
	name := alias
	if name == "" {
		name = path[strings.LastIndexByte(path, '/')+1:]
	}
	if s.imports[name] == path {
		return nil // importing a package twice is fine
	}
	src := "import " + strconv.Quote(path)
	if alias != "" {
		src = "import " + alias + " " + strconv.Quote(path)
	}
	if _, err := s.interp.Eval(src); err != nil {
		return fmt.Errorf("import %q: %w", path, err)
	}
	s.imports[name] = path
	return nil
}

// CellError is a cell's failure: a compile or runtime error at a line of
// the cell, or a panic.
type CellError struct {
	Name    string // "error", "panic", "interrupted"
	Line    int    // 1-based line of the cell, 0 when unknown
	Message string
	Stack   string
}

func (e *CellError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("cell line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

var importLine = regexp.MustCompile(`^import\s+(?:([A-Za-z_][A-Za-z0-9_]*|\.)\s+)?("[^"]+")\s*(?://.*)?$`)
var importSpec = regexp.MustCompile(`^(?:([A-Za-z_][A-Za-z0-9_]*|\.)\s+)?("[^"]+")\s*(?://.*)?$`)
var errPos = regexp.MustCompile(`(?:^|[\s(])(?:[^\s:]*:)?(\d+):(\d+): `)

// splitImports takes the import declarations off the top of a cell: it
// returns (alias, path) pairs, the rest of the code, and how many lines
// were taken.
func splitImports(code string) ([][2]string, string, int, error) {
	lines := strings.Split(code, "\n")
	var specs [][2]string
	i := 0
	for i < len(lines) {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "" || strings.HasPrefix(l, "//"):
			i++
		case l == "import (" || l == "import(":
			j := i + 1
			for ; j < len(lines) && strings.TrimSpace(lines[j]) != ")"; j++ {
				t := strings.TrimSpace(lines[j])
				if t == "" || strings.HasPrefix(t, "//") {
					continue
				}
				m := importSpec.FindStringSubmatch(t)
				if m == nil {
					return nil, "", 0, &CellError{Name: "error", Line: j + 1, Message: "cannot read import " + t}
				}
				p, _ := strconv.Unquote(m[2])
				specs = append(specs, [2]string{m[1], p})
			}
			if j == len(lines) {
				return nil, "", 0, &CellError{Name: "error", Line: i + 1, Message: "import ( is not closed"}
			}
			i = j + 1
		case strings.HasPrefix(l, "import "):
			m := importLine.FindStringSubmatch(l)
			if m == nil {
				return nil, "", 0, &CellError{Name: "error", Line: i + 1, Message: "cannot read " + l}
			}
			p, _ := strconv.Unquote(m[2])
			specs = append(specs, [2]string{m[1], p})
			i++
		default:
			return specs, strings.Join(lines[i:], "\n"), i, nil
		}
	}
	return specs, "", i, nil
}

// Execute runs a cell: any mix and order of imports, declarations (a
// later func or var of the same name replaces the earlier) and statements.
// It returns the value of its last expression when that is the cell's last
// part and yields one value (see yields), an invalid Value otherwise, and
// on failure a *CellError. ctx is the cell's context: cancelling it
// interrupts the cell, and project code receives it through nb.Context().
func (s *Session) Execute(ctx context.Context, code string) (reflect.Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb.SetContext(ctx)
	defer nb.SetContext(context.Background())
	var v reflect.Value
	for _, seg := range segments(code) {
		v = reflect.Value{}
		switch seg.kind {
		case segImport:
			specs, _, _, err := splitImports(seg.src)
			if err != nil {
				var ce *CellError
				if errors.As(err, &ce) {
					ce.Line += seg.line
				}
				return reflect.Value{}, err
			}
			for _, sp := range specs {
				if err := s.importPath(sp[0], sp[1]); err != nil {
					return reflect.Value{}, &CellError{Name: "error", Line: seg.line + 1, Message: err.Error()}
				}
			}
		case segDecl:
			if _, err := s.interp.EvalWithContext(ctx, seg.src); err != nil {
				return reflect.Value{}, cellError(err, seg.line, ctx)
			}
		default:
			var err error
			if v, err = s.statements(ctx, seg.src, seg.line); err != nil {
				return reflect.Value{}, err
			}
		}
	}
	return v, nil
}

// statements runs a cell's run of statements one at a time, so that
// declarations ("var x T") and statements mix as in a function body, and
// returns the value of the last when it is an expression to show.
func (s *Session) statements(ctx context.Context, code string, offset int) (reflect.Value, error) {
	if strings.TrimSpace(code) == "" {
		return reflect.Value{}, nil
	}
	stmts, isBody := statements(code)
	if !isBody {
		// Not statements after all: evaluate whole, for the interpreter
		// to run it or say what is wrong.
		if _, err := s.interp.EvalWithContext(ctx, code); err != nil {
			return reflect.Value{}, cellError(err, offset, ctx)
		}
		return reflect.Value{}, nil
	}
	last := stmts[len(stmts)-1]
	yields := unknownYield
	if last.expr && (last.fun != "" || last.lit != unknownYield) {
		yields = last.lit
		if last.fun != "" {
			yields = s.yields(last.fun)
		}
		switch yields {
		case oneValue, valueAndError:
			// Evaluated into hidden variables: yaegi gives no value for a
			// call of several results, nor for a function literal's.
			lhs := "_skybias_v"
			if yields == valueAndError {
				lhs += ", _skybias_err"
			}
			stmts[len(stmts)-1].src = lhs + " := " + last.src
			stmts[len(stmts)-1].block = false
		}
	}
	var v reflect.Value
	for _, st := range stmts {
		src, shift := st.src, 0
		if st.block {
			// yaegi loses short variable declarations made inside the
			// blocks of a top-level if/for/switch; a function literal
			// scopes them as Go does, and still sees the cell's globals.
			// It is called in an assignment: yaegi replays a top-level
			// call of a closure at every later evaluation.
			src, shift = "_ = func() struct{} {\n"+st.src+"\nreturn struct{}{}\n}()", -1
		}
		var err error
		if v, err = s.interp.EvalWithContext(ctx, src); err != nil {
			return reflect.Value{}, cellError(err, offset+st.line+shift, ctx)
		}
	}
	switch {
	case !last.expr:
		return reflect.Value{}, nil
	case yields == oneValue || yields == valueAndError:
		if yields == valueAndError {
			if e, err := s.interp.Eval("_skybias_err"); err == nil && e.IsValid() && !e.IsNil() {
				called := last.fun
				if called == "" {
					called = "the function literal"
				}
				return reflect.Value{}, &CellError{Name: "error", Line: offset + last.line + 1, Message: fmt.Sprintf("%s returned an error: %v", called, e.Interface())}
			}
		}
		return s.interp.Eval("_skybias_v")
	case yields == unknownYield:
		return v, nil
	}
	return reflect.Value{}, nil
}

// What a called function yields, for the cell's last expression.
const (
	unknownYield  = iota // not a named function's call, or its type is unknown
	noValue              // no results, several results, or a count of bytes written
	oneValue             // one result: shown
	valueAndError        // a value and an error: the value shown, a non-nil error reported
)

// yields says what calling fun yields, from its type. A call of several
// results is not shown, with one exception: a value and an error, as most
// Go functions return, shows the value (or the error), unless the call
// writes and the value counts the bytes written (fmt.Println, w.Write,
// io.Copy), which nobody asked to see.
func (s *Session) yields(fun string) int {
	f, err := s.interp.Eval(fun)
	if err != nil || !f.IsValid() || f.Kind() != reflect.Func {
		return unknownYield
	}
	t := f.Type()
	switch {
	case t.NumOut() == 1:
		return oneValue
	case t.NumOut() == 2 && t.Out(1) == errorType:
		k := t.Out(0).Kind()
		if (k == reflect.Int || k == reflect.Int64) && writer.MatchString(fun[strings.LastIndexByte(fun, '.')+1:]) {
			return noValue
		}
		return valueAndError
	}
	return noValue
}

// writer matches the names of functions that write and return the count
// of bytes written with an error.
var writer = regexp.MustCompile(`^(F?Print(ln|f)?|Write(String|Byte|Rune|To)?|ReadFrom|Copy(N|Buffer)?)$`)

// litYields says what calling a function literal yields, from its
// declared results.
func litYields(ft *ast.FuncType) int {
	if ft.Results == nil {
		return noValue
	}
	var types []ast.Expr
	for _, f := range ft.Results.List {
		for range max(1, len(f.Names)) {
			types = append(types, f.Type)
		}
	}
	switch {
	case len(types) == 1:
		return oneValue
	case len(types) == 2:
		if id, ok := types[1].(*ast.Ident); ok && id.Name == "error" {
			return valueAndError
		}
	}
	return noValue
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// statement is one top-level statement of a cell.
type statement struct {
	src   string
	line  int  // lines before it in the cell
	expr  bool // an expression: its value is the cell's
	block bool // a compound statement with blocks of its own
	// fun is the called function of an expression statement that calls
	// a name (f, pkg.F, x.M), whose type says what the call yields.
	fun string
	// lit is what a called function literal yields (unknownYield when
	// the statement calls none).
	lit int
}

// pureName reports whether an expression is a name or a chain of
// selectors on one: it evaluates without side effects.
func pureName(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return pureName(x.X)
	}
	return false
}

// statements splits a cell into its statements when it parses as a
// function body; false when it does not (it declares functions or types).
func statements(code string) ([]statement, bool) {
	const head = "package p\nfunc _() {\n"
	src := head + code + "\n}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0)
	if err != nil || len(f.Decls) == 0 {
		return nil, false
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok || fd.Body == nil {
		return nil, false
	}
	base := fset.File(f.Pos()).Base()
	var out []statement
	for _, st := range fd.Body.List {
		lo, hi := int(st.Pos())-base-len(head), int(st.End())-base-len(head)
		if lo < 0 || hi > len(code) || lo >= hi {
			return nil, false
		}
		es, isExpr := st.(*ast.ExprStmt)
		fun, lit := "", unknownYield
		if isExpr {
			if call, ok := es.X.(*ast.CallExpr); ok {
				if fl, ok := call.Fun.(*ast.FuncLit); ok {
					lit = litYields(fl.Type)
				} else if pureName(call.Fun) {
					fun = src[int(call.Fun.Pos())-base : int(call.Fun.End())-base]
				}
			}
		}
		block := false
		switch st.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
			block = true
		}
		out = append(out, statement{src: code[lo:hi], line: strings.Count(code[:lo], "\n"), expr: isExpr, block: block, fun: fun, lit: lit})
	}
	return out, true
}

func cellError(err error, offset int, ctx context.Context) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return &CellError{Name: "interrupted", Message: "the cell was interrupted"}
	}
	var p interp.Panic
	if errors.As(err, &p) {
		return &CellError{Name: "panic", Message: fmt.Sprint(p.Value), Stack: string(p.Stack)}
	}
	msg := err.Error()
	ce := &CellError{Name: "error", Message: msg}
	if m := errPos.FindStringSubmatchIndex(msg); m != nil {
		line, _ := strconv.Atoi(msg[m[2]:m[3]])
		ce.Line = line + offset
		ce.Message = strings.TrimSpace(msg[m[1]:])
	}
	return ce
}

// Globals lists the names cells have defined.
func (s *Session) Globals() []string {
	var out []string
	for n := range s.interp.Globals() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Imports returns the package names cells can use and their paths.
func (s *Session) Imports() map[string]string {
	out := map[string]string{}
	for k, v := range s.imports {
		out[k] = v
	}
	return out
}

// Members lists the exported names of an importable package.
func Members(path string) []string {
	name := path[strings.LastIndexByte(path, '/')+1:]
	key := path + "/" + name
	syms, ok := symbols.Symbols[key]
	if !ok {
		syms = stdlib.Symbols[key]
	}
	var out []string
	for n := range syms {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
