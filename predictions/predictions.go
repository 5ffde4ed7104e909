package predictions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/internal/input"
	"github.com/skybias/skybias/results"
)

// Limits on a predictions file, checked as it is read.
const (
	// MaxBytes is the largest file read.
	MaxBytes = 1 << 30
	// MaxNetworks is the most network columns a file may have.
	MaxNetworks = 1000
)

// Columns are the columns every file has, before its network columns.
var Columns = []string{"id", "class", "field"}

// Table holds one file's predictions.
type Table struct {
	// Path names the file in messages.
	Path string
	// IDs, Class (0 elliptical, 1 spiral) and Field describe the galaxies,
	// in file order.
	IDs   []string
	Class []int
	Field []string
	// Networks are the network columns' names; P[m][i] is network m's
	// p(spiral) for galaxy i (a label reads as 0 or 1).
	Networks []string
	P        [][]float64
}

// Read reads a predictions file: a regular file of at most MaxBytes.
func Read(path string) (*Table, error) {
	f, _, err := input.Open(path, MaxBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads predictions from r; path names it in messages.
func Parse(r io.Reader, path string) (*Table, error) {
	t := &Table{Path: path}
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty; want a header %s,NETWORK...", path, strings.Join(Columns, ","))
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, c := range Columns {
		if i >= len(head) || strings.TrimSpace(strings.ToLower(head[i])) != c {
			return nil, fmt.Errorf("%s:1: column %d is %q, want %q (header: %s,NETWORK...)", path, i+1, at(head, i), c, strings.Join(Columns, ","))
		}
	}
	if len(head) == len(Columns) {
		return nil, fmt.Errorf("%s:1: no network column after %s", path, strings.Join(Columns, ","))
	}
	if len(head)-len(Columns) > MaxNetworks {
		return nil, fmt.Errorf("%s:1: %d network columns, more than %d", path, len(head)-len(Columns), MaxNetworks)
	}
	t.Networks = slices.Clone(head[len(Columns):])
	for k, n := range t.Networks {
		if strings.TrimSpace(n) == "" || slices.Index(t.Networks, n) != k {
			return nil, fmt.Errorf("%s:1: network column %d is unnamed or named twice (%q)", path, k+len(Columns)+1, n)
		}
	}
	t.P = make([][]float64, len(t.Networks))
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			return nil, fmt.Errorf("%s:%d: %d values, the header has %d", path, line, len(rec), len(head))
		}
		id := strings.TrimSpace(rec[0])
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty id", path, line)
		}
		if first, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: galaxy %s again (first on line %d)", path, line, id, first)
		}
		seen[id] = line
		class, ok := label(rec[1])
		if !ok {
			return nil, fmt.Errorf("%s:%d: class %q of galaxy %s (want elliptical or spiral, 0 or 1)", path, line, rec[1], id)
		}
		field := strings.TrimSpace(rec[2])
		if field == "" {
			return nil, fmt.Errorf("%s:%d: galaxy %s has no field", path, line, id)
		}
		t.IDs, t.Class, t.Field = append(t.IDs, id), append(t.Class, class), append(t.Field, field)
		for k := range t.Networks {
			v := rec[len(Columns)+k]
			p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				l, ok := label(v)
				if !ok {
					return nil, fmt.Errorf("%s:%d: network %s gives %q for galaxy %s (want p(spiral) in [0, 1] or a label)", path, line, t.Networks[k], v, id)
				}
				p = float64(l)
			}
			if !(p >= 0 && p <= 1) {
				return nil, fmt.Errorf("%s:%d: network %s gives %v for galaxy %s, not a probability", path, line, t.Networks[k], p, id)
			}
			t.P[k] = append(t.P[k], p)
		}
	}
	if len(t.IDs) == 0 {
		return nil, fmt.Errorf("%s: a header and no galaxies", path)
	}
	return t, nil
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// label reads a class: elliptical/spiral (any case) or 0/1.
func label(s string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "elliptical", "0", "e":
		return 0, true
	case "spiral", "1", "s":
		return 1, true
	}
	return 0, false
}

// Fields lists the fields the table holds, in order of first appearance.
func (t *Table) Fields() []string {
	var out []string
	for _, f := range t.Field {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Calls are the table's galaxies of one field as the verdict takes them:
// each network calls a galaxy spiral when its p(spiral) is above 1/2.
func (t *Table) Calls(field string) (*analysis.Calls, error) {
	c := &analysis.Calls{Spiral: make([][]bool, len(t.Networks))}
	for i, f := range t.Field {
		if f != field {
			continue
		}
		c.IDs, c.Class = append(c.IDs, t.IDs[i]), append(c.Class, t.Class[i])
		for m := range t.Networks {
			c.Spiral[m] = append(c.Spiral[m], t.P[m][i] > 0.5)
		}
	}
	if len(c.IDs) == 0 {
		return nil, fmt.Errorf("%s: no galaxies of field %q (fields: %s)", t.Path, field, strings.Join(t.Fields(), ", "))
	}
	return c, nil
}

// Scores are network m's p(spiral) for the galaxies of one field, in
// file order.
func (t *Table) Scores(m int, field string) []float64 {
	var out []float64
	for i, f := range t.Field {
		if f == field {
			out = append(out, t.P[m][i])
		}
	}
	return out
}

// Write writes the predictions of a stored result's test sets, each under
// its name as the field, one column per ensemble member (net1, net2, ...;
// one column, net1, for a single network), with p(spiral) to the digits
// that make it read back exactly.
func Write(w io.Writer, tests []results.TestResult) error {
	cw := csv.NewWriter(w)
	k := 0
	for _, t := range tests {
		k = max(k, t.Networks())
	}
	head := slices.Clone(Columns)
	for m := range k {
		head = append(head, "net"+strconv.Itoa(m+1))
	}
	cw.Write(head)
	for _, t := range tests {
		if t.Networks() != k {
			return fmt.Errorf("test set %s has %d networks, another %d", t.Name, t.Networks(), k)
		}
		for _, p := range t.Predictions {
			rec := []string{p.ID, p.Class.String(), t.Name}
			vals := p.Members
			if k == 1 {
				vals = []float64{p.PSpiral}
			}
			for _, v := range vals {
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}
