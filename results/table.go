package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// The prediction files (predictions/T.csv, probe.csv) share one layout:
// fixed leading columns, then one column per ensemble member (none for a
// single network), named member_1 .. member_K.

// memberColumns names an ensemble's per-member columns (none for k <= 1).
func memberColumns(member string, k int) []string {
	if k <= 1 {
		return nil
	}
	out := make([]string, k)
	for m := range out {
		out[m] = member + "_" + strconv.Itoa(m+1)
	}
	return out
}

// withMembers appends each member's answer to a record.
func withMembers(rec []string, members []float64) []string {
	for _, v := range members {
		rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
	}
	return rec
}

// encodeTable writes a header and records as CSV.
func encodeTable(head []string, recs [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(head)
	w.WriteAll(recs)
	return b.Bytes(), w.Error()
}

// readTable reads a prediction file whose leading columns are fixed
// (their names, for messages) and whose member columns are named
// member_K. row receives each record, its members' answers and the
// header; its errors are reported at path:line, prefixed with what.
func readTable(path, what string, fixed []string, member string, row func(rec []string, members []float64) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	n := len(fixed)
	if len(head) < n || len(head) == n+1 {
		return fmt.Errorf("%s %s: header has %d columns; want %s and one %s_K per ensemble member", what, path, len(head), strings.Join(fixed, ", "), member)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", what, path, err)
		}
		line, _ := r.FieldPos(0)
		var members []float64
		if len(rec) > n {
			members = make([]float64, len(rec)-n)
			for m := range members {
				if members[m], err = strconv.ParseFloat(rec[n+m], 64); err != nil {
					return fmt.Errorf("%s %s:%d: %s: %w", what, path, line, head[n+m], err)
				}
			}
		}
		if err := row(rec, members); err != nil {
			return fmt.Errorf("%s %s:%d: %w", what, path, line, err)
		}
	}
}
