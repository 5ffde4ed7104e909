package aniso

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Columns are the positions and values read from a catalog.
type Columns struct {
	RA, Dec, Value []float64
	// Column is the name of the value's column.
	Column string
	// Extra holds, for each extra column asked for, its text in each row
	// kept (a covariate, or the block a galaxy belongs to).
	Extra map[string][]string
}

// ReadCatalog reads a CSV catalog with a header naming at least ra, dec
// and column; where it has an id column, a repeated id is an error. The column holds numbers, or, for a column named label or
// class, the words spiral and elliptical (1 and 0); rows whose value is
// empty or another word (an unclassified galaxy) are skipped and counted.
// name labels errors (a file path). The extra columns named are kept as
// text (Columns.Extra); a catalog without one is an error.
func ReadCatalog(r io.Reader, name, column string, extra ...string) (*Columns, int, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("%s: empty file; want a CSV catalog with a header (id,ra,dec,...)", name)
		}
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	return ReadRows(head, cr.Read, name, column, extra...)
}

// ReadRows is ReadCatalog over any table: head names the columns and next
// returns each row's cells as text (io.EOF after the last), the line of
// row k being k+1 in errors. A FITS table read through fitstable gives
// the same columns as the CSV it was written from.
func ReadRows(head []string, next func() ([]string, error), name, column string, extra ...string) (*Columns, int, error) {
	at := map[string]int{}
	for i, h := range head {
		at[strings.ToLower(strings.TrimSpace(h))] = i
	}
	index := func(k string) (int, error) {
		i, ok := at[strings.ToLower(k)]
		if !ok {
			return 0, fmt.Errorf("%s: no column %q in the header (it has %s)", name, k, strings.Join(head, ", "))
		}
		return i, nil
	}
	col := strings.ToLower(column)
	need := map[string]int{}
	for _, k := range []string{"ra", "dec", col} {
		i, err := index(k)
		if err != nil {
			return nil, 0, err
		}
		need[k] = i
	}
	words := col == "label" || col == "class"
	out := &Columns{Column: col}
	extraAt := make([]int, len(extra))
	for k, x := range extra {
		i, err := index(x)
		if err != nil {
			return nil, 0, err
		}
		extraAt[k] = i
	}
	if len(extra) > 0 {
		out.Extra = map[string][]string{}
	}
	skipped := 0
	// A galaxy listed twice would count twice: its value would weigh
	// double and the errors shrink as if the catalog were larger.
	idCol, hasID := at["id"]
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		num := func(k string, lo, hi float64) (float64, error) {
			s := strings.TrimSpace(rec[need[k]])
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(x) || x < lo || x > hi {
				return 0, fmt.Errorf("%s:%d: %s %.30q is not a number in %g..%g", name, line, k, s, lo, hi)
			}
			return x, nil
		}
		if hasID {
			id := strings.TrimSpace(rec[idCol])
			if first, dup := seen[id]; dup {
				return nil, 0, fmt.Errorf("%s:%d: id %.40q repeats line %d; a catalog lists each galaxy once (two runs written into one file?)", name, line, id, first)
			}
			seen[id] = line
		}
		ra, err := num("ra", -360, 360)
		if err != nil {
			return nil, 0, err
		}
		dec, err := num("dec", -90, 90)
		if err != nil {
			return nil, 0, err
		}
		var v float64
		if words {
			switch strings.ToLower(strings.TrimSpace(rec[need[col]])) {
			case "spiral", "s", "1":
				v = 1
			case "elliptical", "e", "0":
				v = 0
			default:
				skipped++
				continue
			}
		} else {
			if strings.TrimSpace(rec[need[col]]) == "" {
				skipped++
				continue
			}
			if v, err = num(col, -1e300, 1e300); err != nil {
				return nil, 0, err
			}
		}
		out.RA = append(out.RA, ra)
		out.Dec = append(out.Dec, dec)
		out.Value = append(out.Value, v)
		for k, x := range extra {
			out.Extra[x] = append(out.Extra[x], strings.TrimSpace(rec[extraAt[k]]))
		}
	}
	if len(out.RA) == 0 {
		return nil, skipped, fmt.Errorf("%s: no galaxies with a value in column %s", name, col)
	}
	return out, skipped, nil
}
