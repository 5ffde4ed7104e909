package fitstable

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// blockSize is the FITS logical record: every header and data unit is
// padded to a multiple of it.
const blockSize = 2880

// cardSize is the length of one header card.
const cardSize = 80

// Column is one column of a table: a double (Kind 'D'), a float ('E'),
// a 32- or 64-bit integer ('J', 'K') or text of Width bytes ('A').
type Column struct {
	Name string
	Kind byte
	// Width is the text width of an 'A' column (1 or more).
	Width int
	// Unit is written as TUNITn when not empty.
	Unit string
}

// size is the column's bytes in a row.
func (c Column) size() int {
	switch c.Kind {
	case 'D', 'K':
		return 8
	case 'E', 'J':
		return 4
	case 'A':
		return c.Width
	}
	return 0
}

func (c Column) format() string {
	if c.Kind == 'A' {
		return strconv.Itoa(c.Width) + "A"
	}
	return string(c.Kind)
}

// Card is a header keyword with its value (string, bool, int, or
// float64) and an optional comment.
type Card struct {
	Key     string
	Value   any
	Comment string
}

// card formats one 80-byte header card in the fixed format: the keyword
// in columns 1-8, "= " in 9-10, a string from column 11 in quotes
// (quotes doubled, padded to 8 characters), other values right-justified
// to column 30.
func card(c Card) (string, error) {
	k := strings.ToUpper(c.Key)
	if len(k) == 0 || len(k) > 8 {
		return "", fmt.Errorf("keyword %q: want 1 to 8 characters", c.Key)
	}
	for _, r := range k {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", fmt.Errorf("keyword %q: only A-Z, 0-9, - and _ are allowed", c.Key)
		}
	}
	var v string
	switch x := c.Value.(type) {
	case nil:
		s := fmt.Sprintf("%-8s", k)
		if c.Comment != "" {
			s += "  " + c.Comment
		}
		return pad(s)
	case string:
		q := strings.ReplaceAll(x, "'", "''")
		for _, r := range q {
			if r < 32 || r > 126 {
				return "", fmt.Errorf("keyword %s: value %q has a character FITS text cannot hold", k, x)
			}
		}
		v = fmt.Sprintf("'%-8s'", q)
	case bool:
		v = fmt.Sprintf("%20s", map[bool]string{true: "T", false: "F"}[x])
	case int:
		v = fmt.Sprintf("%20d", x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("keyword %s: value %g is not a finite number", k, x)
		}
		f := strconv.FormatFloat(x, 'G', -1, 64)
		if !strings.ContainsAny(f, ".E") {
			f += "."
		}
		v = fmt.Sprintf("%20s", f)
	default:
		return "", fmt.Errorf("keyword %s: value of an unsupported kind", k)
	}
	s := fmt.Sprintf("%-8s= %s", k, v)
	if len(s) > cardSize {
		return "", fmt.Errorf("keyword %s: value too long for one card", k)
	}
	if c.Comment != "" && len(s)+3+len(c.Comment) <= cardSize {
		s += " / " + c.Comment
	}
	return pad(s)
}

func pad(s string) (string, error) {
	if len(s) > cardSize {
		return "", fmt.Errorf("card %.8q longer than 80 characters", s)
	}
	return s + strings.Repeat(" ", cardSize-len(s)), nil
}

// writeHeader writes cards and END, padded with spaces to a block.
func writeHeader(w io.Writer, cards []Card) error {
	var b strings.Builder
	for _, c := range cards {
		s, err := card(c)
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	end, _ := pad("END")
	b.WriteString(end)
	if r := b.Len() % blockSize; r != 0 {
		b.WriteString(strings.Repeat(" ", blockSize-r))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Row fills one row: nums[i] for a numeric column i (NaN for a missing
// double; integers are rounded), strs[i] for a text column (cut at its
// width).
type Row func(i int, nums []float64, strs []string) error

// Write writes a FITS file of one binary table named extname with rows
// rows, filled row by row, and keys as extra header keywords of the
// table (provenance). The primary HDU holds no data.
func Write(w io.Writer, extname string, cols []Column, keys []Card, rows int, row Row) error {
	if len(cols) == 0 || len(cols) > 999 {
		return fmt.Errorf("fits: %d columns (want 1 to 999)", len(cols))
	}
	if rows < 0 {
		return fmt.Errorf("fits: %d rows", rows)
	}
	width := 0
	for _, c := range cols {
		if c.size() == 0 || c.Kind == 'A' && c.Width < 1 {
			return fmt.Errorf("fits: column %s: kind %q width %d is not D, E, J, K or A of 1 or more", c.Name, c.Kind, c.Width)
		}
		if c.Name == "" {
			return errors.New("fits: a column has no name")
		}
		width += c.size()
	}
	bw := bufio.NewWriter(w)
	if err := writeHeader(bw, []Card{
		{"SIMPLE", true, "conforms to FITS standard"}, {"BITPIX", 8, "bits per data value"},
		{"NAXIS", 0, "no data in the primary HDU"}, {"EXTEND", true, "a table extension follows"},
	}); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	head := []Card{
		{"XTENSION", "BINTABLE", "binary table extension"}, {"BITPIX", 8, "8-bit bytes"}, {"NAXIS", 2, "a table"},
		{"NAXIS1", width, "bytes per row"}, {"NAXIS2", rows, "rows"}, {"PCOUNT", 0, "no heap"}, {"GCOUNT", 1, "one group"},
		{"TFIELDS", len(cols), "columns"},
	}
	for i, c := range cols {
		n := strconv.Itoa(i + 1)
		head = append(head, Card{"TTYPE" + n, c.Name, ""}, Card{"TFORM" + n, c.format(), ""})
		if c.Unit != "" {
			head = append(head, Card{"TUNIT" + n, c.Unit, ""})
		}
	}
	head = append(head, Card{"EXTNAME", extname, "table name"})
	head = append(head, keys...)
	if err := writeHeader(bw, head); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	nums := make([]float64, len(cols))
	strs := make([]string, len(cols))
	buf := make([]byte, width)
	for r := 0; r < rows; r++ {
		for i := range nums {
			nums[i], strs[i] = math.NaN(), ""
		}
		if err := row(r, nums, strs); err != nil {
			return err
		}
		o := 0
		for i, c := range cols {
			switch c.Kind {
			case 'D':
				binary.BigEndian.PutUint64(buf[o:], math.Float64bits(nums[i]))
			case 'E':
				binary.BigEndian.PutUint32(buf[o:], math.Float32bits(float32(nums[i])))
			case 'J':
				binary.BigEndian.PutUint32(buf[o:], uint32(int32(math.Round(nums[i]))))
			case 'K':
				binary.BigEndian.PutUint64(buf[o:], uint64(int64(math.Round(nums[i]))))
			case 'A':
				s := strs[i]
				if len(s) > c.Width {
					s = s[:c.Width]
				}
				copy(buf[o:], s)
				for j := o + len(s); j < o+c.Width; j++ {
					buf[j] = ' '
				}
			}
			o += c.size()
		}
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("fits: row %d: %w", r+1, err)
		}
	}
	if r := (width * rows) % blockSize; r != 0 {
		if _, err := bw.Write(make([]byte, blockSize-r)); err != nil {
			return fmt.Errorf("fits: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	return nil
}
