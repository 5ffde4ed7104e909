package fitstable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxHeaderBlocks bounds one header (36 cards a block): 10,000 cards.
const maxHeaderBlocks = 278

// Table is a binary table read from a FITS file.
type Table struct {
	// Name is EXTNAME (empty when absent).
	Name    string
	Columns []Column
	Rows    int
	// Keys holds the table header's keyword values as written (strings
	// without their quotes).
	Keys map[string]string
	nums map[int][]float64
	strs map[int][]string
}

// Index finds a column by name, ignoring case; -1 when there is none.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// Floats is a numeric column's values (NaN where missing).
func (t *Table) Floats(i int) []float64 { return t.nums[i] }

// Strings is a text column's values, trailing spaces and NULs removed.
func (t *Table) Strings(i int) []string { return t.strs[i] }

// Text is cell (row, i) as text: a text column's value, an integer
// column's integer, or a number in the shortest form that reads back as
// the same float64 ("" for NaN).
func (t *Table) Text(row, i int) string {
	if s, ok := t.strs[i]; ok {
		return s[row]
	}
	x := t.nums[i][row]
	switch {
	case math.IsNaN(x):
		return ""
	case (t.Columns[i].Kind == 'J' || t.Columns[i].Kind == 'K') && x == math.Trunc(x) && math.Abs(x) < 1<<63:
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// header reads one header unit: its keyword values in order of first
// appearance, up to END.
func header(r io.Reader, what string) (map[string]string, error) {
	keys := map[string]string{}
	block := make([]byte, blockSize)
	for b := 0; b < maxHeaderBlocks; b++ {
		if _, err := io.ReadFull(r, block); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("%s header: the file ends before END", what)
			}
			return nil, fmt.Errorf("%s header: %w", what, err)
		}
		for c := 0; c < blockSize; c += cardSize {
			line := string(block[c : c+cardSize])
			key := strings.TrimSpace(line[:8])
			if key == "END" {
				return keys, nil
			}
			if len(line) < 10 || line[8:10] != "= " {
				continue // COMMENT, HISTORY, blank
			}
			v, err := value(line[10:])
			if err != nil {
				return nil, fmt.Errorf("%s header, card %d (%s): %w", what, b*36+c/cardSize+1, key, err)
			}
			if _, seen := keys[key]; !seen {
				keys[key] = v
			}
		}
	}
	return nil, fmt.Errorf("%s header: no END in %d cards", what, maxHeaderBlocks*36)
}

// value parses a card's value field: a quoted string (quotes doubled
// inside) or a token, a comment after "/" dropped.
func value(f string) (string, error) {
	t := strings.TrimLeft(f, " ")
	if strings.HasPrefix(t, "'") {
		var b strings.Builder
		for i := 1; i < len(t); i++ {
			if t[i] == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				return strings.TrimRight(b.String(), " "), nil
			}
			b.WriteByte(t[i])
		}
		return "", errors.New("a string value without its closing quote")
	}
	if i := strings.IndexByte(t, '/'); i >= 0 {
		t = t[:i]
	}
	return strings.TrimSpace(t), nil
}

func intKey(keys map[string]string, k, what string) (int, error) {
	v, ok := keys[k]
	if !ok {
		return 0, fmt.Errorf("%s header: no %s", what, k)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s header: %s = %q is not an integer", what, k, v)
	}
	return n, nil
}

// parseForm reads a TFORM: an optional repeat count and a kind; numeric
// columns must hold one value a row.
func parseForm(f string) (Column, error) {
	f = strings.TrimSpace(f)
	i := 0
	for i < len(f) && f[i] >= '0' && f[i] <= '9' {
		i++
	}
	if i == len(f) {
		return Column{}, fmt.Errorf("TFORM %q names no data type", f)
	}
	rep := 1
	if i > 0 {
		n, err := strconv.Atoi(f[:i])
		if err != nil || n < 0 || n > 1<<20 {
			return Column{}, fmt.Errorf("TFORM %q: repeat count out of range", f)
		}
		rep = n
	}
	c := Column{Kind: f[i]}
	switch c.Kind {
	case 'A':
		if rep < 1 {
			return Column{}, fmt.Errorf("TFORM %q: a text column of no width", f)
		}
		c.Width = rep
	case 'D', 'E', 'J', 'K':
		if rep != 1 {
			return Column{}, fmt.Errorf("TFORM %q: only one value a row is read", f)
		}
	default:
		return Column{}, fmt.Errorf("TFORM %q: type %c is not read (D, E, J, K, A are)", f, c.Kind)
	}
	return c, nil
}

// Read reads the first binary table of a FITS file from r, refusing files
// whose table would exceed maxBytes before reading its data. name labels
// errors (the file's path).
func Read(r io.Reader, name string, maxBytes int64) (*Table, error) {
	prim, err := header(r, name+": primary")
	if err != nil {
		return nil, err
	}
	if prim["SIMPLE"] != "T" {
		return nil, fmt.Errorf("%s: not a FITS file (SIMPLE is not T)", name)
	}
	// Skip the primary data, if any.
	naxis, err := intKey(prim, "NAXIS", name+": primary")
	if err != nil {
		return nil, err
	}
	if naxis > 0 {
		bitpix, err := intKey(prim, "BITPIX", name+": primary")
		if err != nil {
			return nil, err
		}
		size := int64(abs(bitpix) / 8)
		for k := 1; k <= naxis && k <= 999; k++ {
			n, err := intKey(prim, "NAXIS"+strconv.Itoa(k), name+": primary")
			if err != nil {
				return nil, err
			}
			if n < 0 || size > 0 && int64(n) > maxBytes/size {
				return nil, fmt.Errorf("%s: the primary image is larger than %d bytes", name, maxBytes)
			}
			size *= int64(n)
		}
		if _, err := io.CopyN(io.Discard, r, padded(size)); err != nil {
			return nil, fmt.Errorf("%s: primary data: %w", name, err)
		}
	}
	what := name + ": table"
	keys, err := header(r, what)
	if err != nil {
		return nil, err
	}
	if keys["XTENSION"] != "BINTABLE" {
		return nil, fmt.Errorf("%s: the first extension is %q, not a binary table (BINTABLE)", name, keys["XTENSION"])
	}
	width, err := intKey(keys, "NAXIS1", what)
	if err != nil {
		return nil, err
	}
	rows, err := intKey(keys, "NAXIS2", what)
	if err != nil {
		return nil, err
	}
	fields, err := intKey(keys, "TFIELDS", what)
	if err != nil {
		return nil, err
	}
	if fields < 1 || fields > 999 || width < 1 || rows < 0 {
		return nil, fmt.Errorf("%s: TFIELDS %d, NAXIS1 %d, NAXIS2 %d are not a table", what, fields, width, rows)
	}
	if int64(rows) > maxBytes/int64(width) {
		return nil, fmt.Errorf("%s: %d rows of %d bytes exceed the limit of %d bytes", what, rows, width, maxBytes)
	}
	t := &Table{Name: keys["EXTNAME"], Rows: rows, Keys: keys, nums: map[int][]float64{}, strs: map[int][]string{}}
	scale := make([][2]float64, fields)
	sum := 0
	for i := 1; i <= fields; i++ {
		n := strconv.Itoa(i)
		c, err := parseForm(keys["TFORM"+n])
		if err != nil {
			return nil, fmt.Errorf("%s: column %d (%s): %w", what, i, keys["TTYPE"+n], err)
		}
		c.Name, c.Unit = keys["TTYPE"+n], keys["TUNIT"+n]
		if c.Name == "" {
			c.Name = "col" + n
		}
		scale[i-1] = [2]float64{1, 0}
		for j, k := range []string{"TSCAL", "TZERO"} {
			if v, ok := keys[k+n]; ok {
				x, err := strconv.ParseFloat(strings.Replace(v, "D", "E", 1), 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("%s: column %s: %s%s = %q is not a finite number", what, c.Name, k, n, v)
				}
				scale[i-1][j] = x
			}
		}
		sum += c.size()
		t.Columns = append(t.Columns, c)
	}
	if sum != width {
		return nil, fmt.Errorf("%s: the columns take %d bytes a row, NAXIS1 says %d", what, sum, width)
	}
	for i, c := range t.Columns {
		if c.Kind == 'A' {
			t.strs[i] = make([]string, 0, min(rows, 1<<16))
		} else {
			t.nums[i] = make([]float64, 0, min(rows, 1<<16))
		}
	}
	buf := make([]byte, width)
	for row := 0; row < rows; row++ {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("%s: row %d of %d: %w", what, row+1, rows, err)
		}
		o := 0
		for i, c := range t.Columns {
			b := buf[o : o+c.size()]
			var x float64
			switch c.Kind {
			case 'A':
				t.strs[i] = append(t.strs[i], strings.TrimRight(strings.SplitN(string(b), "\x00", 2)[0], " "))
			case 'D':
				x = math.Float64frombits(binary.BigEndian.Uint64(b))
			case 'E':
				x = float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
			case 'J':
				x = float64(int32(binary.BigEndian.Uint32(b)))
			case 'K':
				x = float64(int64(binary.BigEndian.Uint64(b)))
			}
			if c.Kind != 'A' {
				t.nums[i] = append(t.nums[i], scale[i][1]+scale[i][0]*x)
			}
			o += c.size()
		}
	}
	return t, nil
}

func padded(n int64) int64 { return (n + blockSize - 1) / blockSize * blockSize }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// IsFITS reports whether head (a file's first bytes) starts a FITS file.
func IsFITS(head []byte) bool { return strings.HasPrefix(string(head), "SIMPLE  =") }
