package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/skybias/skybias/internal/input"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Notebook is an nbformat 4 notebook, kept as parsed JSON so that fields
// this package does not know survive a run unchanged.
type Notebook struct {
	// Path names the file in errors.
	Path  string
	raw   map[string]any
	Cells []map[string]any
}

// maxNotebook bounds the file read, so that a wrong path (a data file)
// fails at once.
const maxNotebook = 256 << 20

// Read reads a notebook file.
func Read(path string) (*Notebook, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("notebook: %w", err)
	}
	if st.Size() > maxNotebook {
		return nil, fmt.Errorf("notebook %s: %d bytes; a notebook is at most %d", path, st.Size(), maxNotebook)
	}
	b, err := input.ReadFile(path, maxNotebook)
	if err != nil {
		return nil, fmt.Errorf("notebook: %w", err)
	}
	return Parse(path, b)
}

// Parse reads a notebook's JSON.
func Parse(path string, b []byte) (*Notebook, error) {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("notebook %s: not a notebook (JSON): %w", path, err)
	}
	if v, _ := raw["nbformat"].(float64); v != 4 {
		what := "no nbformat field"
		if f, ok := raw["nbformat"]; ok {
			what = fmt.Sprintf("nbformat %v", f)
		}
		return nil, fmt.Errorf("notebook %s: %s; only nbformat 4 notebooks are read (is it a Jupyter notebook?)", path, what)
	}
	cells, ok := raw["cells"].([]any)
	if !ok {
		return nil, fmt.Errorf("notebook %s: no cells list", path)
	}
	nb := &Notebook{Path: path, raw: raw}
	for i, c := range cells {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("notebook %s: cell %d is not an object", path, i+1)
		}
		if t, _ := m["cell_type"].(string); t != "code" && t != "markdown" && t != "raw" {
			return nil, fmt.Errorf("notebook %s: cell %d has cell_type %q", path, i+1, m["cell_type"])
		}
		if _, err := sourceOf(m); err != nil {
			return nil, fmt.Errorf("notebook %s: cell %d: %w", path, i+1, err)
		}
		nb.Cells = append(nb.Cells, m)
	}
	return nb, nil
}

// JSON encodes the notebook as Jupyter writes it (one-space indent,
// trailing newline).
func (nb *Notebook) JSON() ([]byte, error) {
	cells := make([]any, len(nb.Cells))
	for i, c := range nb.Cells {
		cells[i] = c
	}
	nb.raw["cells"] = cells
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nb.raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Source is a cell's source as one string.
func Source(cell map[string]any) string {
	s, _ := sourceOf(cell)
	return s
}

func sourceOf(cell map[string]any) (string, error) {
	switch v := cell["source"].(type) {
	case string:
		return v, nil
	case []any:
		var b strings.Builder
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return "", fmt.Errorf("source holds a %T, not text", p)
			}
			b.WriteString(s)
		}
		return b.String(), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("source is a %T, not text", cell["source"])
}

// splitLines is source as nbformat stores it: lines with their newlines.
func splitLines(s string) []any {
	var out []any
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// Tags are a cell's metadata tags.
func Tags(cell map[string]any) []string {
	md, _ := cell["metadata"].(map[string]any)
	list, _ := md["tags"].([]any)
	var out []string
	for _, t := range list {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func hasTag(cell map[string]any, tag string) bool {
	for _, t := range Tags(cell) {
		if t == tag {
			return true
		}
	}
	return false
}

// Param is one -p NAME=VALUE.
type Param struct{ Name, Value string }

// ParseParam reads NAME=VALUE.
func ParseParam(s string) (Param, error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || !identifier.MatchString(name) {
		return Param{}, fmt.Errorf("parameter %q: want NAME=VALUE with NAME a Go identifier", s)
	}
	return Param{Name: name, Value: value}, nil
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// declaration matches a parameter declared in the parameters cell:
// "name := LITERAL", "var name = LITERAL" or "var name TYPE = LITERAL".
var declaration = regexp.MustCompile(`^\s*(?:var\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:(string|int|int64|float64|bool)\s*)?:?=\s*(.+?)\s*(?://.*)?$`)

// kinds of parameter values.
const (
	kindString = "string"
	kindInt    = "int"
	kindFloat  = "float64"
	kindBool   = "bool"
)

// declared lists the parameters a parameters cell declares, with their
// kinds: from the declared type, else from the literal.
func declared(src string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(src, "\n") {
		m := declaration.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		kind := m[2]
		if kind == "int64" {
			kind = kindInt
		}
		if kind == "" {
			kind = literalKind(m[3])
		}
		if kind != "" {
			out[m[1]] = kind
		}
	}
	return out
}

func literalKind(lit string) string {
	switch {
	case strings.HasPrefix(lit, `"`) || strings.HasPrefix(lit, "`"):
		return kindString
	case lit == "true" || lit == "false":
		return kindBool
	}
	if _, err := strconv.ParseInt(lit, 0, 64); err == nil {
		return kindInt
	}
	if _, err := strconv.ParseFloat(lit, 64); err == nil {
		return kindFloat
	}
	return ""
}

// goValue writes a parameter's value as a Go literal of kind (or, for a
// parameter the cell does not declare, of the kind its text reads as:
// true/false, an integer, a number, else a string).
func goValue(p Param, kind string) (string, error) {
	v := p.Value
	if kind == "" {
		switch {
		case v == "true" || v == "false":
			kind = kindBool
		case literalKind(v) == kindInt:
			kind = kindInt
		case literalKind(v) == kindFloat:
			kind = kindFloat
		default:
			kind = kindString
		}
	}
	switch kind {
	case kindString:
		return strconv.Quote(v), nil
	case kindBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("parameter %s: %q is not a bool (the parameters cell declares one)", p.Name, v)
		}
		return strconv.FormatBool(b), nil
	case kindInt:
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			return "", fmt.Errorf("parameter %s: %q is not an integer (the parameters cell declares one)", p.Name, v)
		}
		return strconv.FormatInt(n, 10), nil
	case kindFloat:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("parameter %s: %q is not a finite number (the parameters cell declares one)", p.Name, v)
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") { // keep it a float constant
			s += ".0"
		}
		return s, nil
	}
	return "", fmt.Errorf("parameter %s: unknown kind %s", p.Name, kind)
}

// Inject puts a cell tagged injected-parameters after the cell tagged
// parameters (at the top when there is none, as papermill does), with Go
// assignments of params typed as the parameters cell declares them. A
// previous injected cell is replaced. It returns warnings: parameters the
// cell does not declare.
func (nb *Notebook) Inject(params []Param) ([]string, error) {
	if len(params) == 0 {
		return nil, nil
	}
	var kept []map[string]any
	for _, c := range nb.Cells {
		if !hasTag(c, "injected-parameters") {
			kept = append(kept, c)
		}
	}
	nb.Cells = kept
	at, decl := 0, map[string]string{}
	found := -1
	for i, c := range nb.Cells {
		if hasTag(c, "parameters") {
			if found >= 0 {
				// The second would assign its defaults after the
				// injected values and reset them without a word.
				return nil, fmt.Errorf("cells %d and %d are both tagged parameters; tag one", found+1, i+1)
			}
			found = i
			at, decl = i+1, declared(Source(c))
		}
	}
	var warnings []string
	var lines []string
	seen := map[string]bool{}
	names := make([]string, 0, len(params))
	byName := map[string]Param{}
	for _, p := range params {
		if seen[p.Name] {
			return nil, fmt.Errorf("parameter %s is given twice", p.Name)
		}
		seen[p.Name] = true
		names = append(names, p.Name)
		byName[p.Name] = p
	}
	for _, n := range names {
		p := byName[n]
		kind, ok := decl[n]
		v, err := goValue(p, kind)
		if err != nil {
			return nil, err
		}
		if ok {
			lines = append(lines, fmt.Sprintf("%s = %s", n, v))
		} else {
			lines = append(lines, fmt.Sprintf("var %s = %s", n, v))
			warnings = append(warnings, fmt.Sprintf("parameter %s is not declared in the notebook's parameters cell (it declares %s); it is defined anew", n, declaredNames(decl)))
		}
	}
	cell := map[string]any{"cell_type": "code", "execution_count": nil, "outputs": []any{},
		"metadata": map[string]any{"tags": []any{"injected-parameters"}},
		"source":   splitLines("// Parameters\n" + strings.Join(lines, "\n") + "\n")}
	if minor, _ := nb.raw["nbformat_minor"].(float64); minor >= 5 {
		cell["id"] = "injected-parameters" // nbformat 4.5 cells carry a unique id
	}
	nb.Cells = append(nb.Cells[:at], append([]map[string]any{cell}, nb.Cells[at:]...)...)
	return warnings, nil
}

func declaredNames(decl map[string]string) string {
	if len(decl) == 0 {
		return "none"
	}
	var out []string
	for n := range decl {
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
