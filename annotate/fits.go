package annotate

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/skybias/skybias/fitstable"
	"github.com/skybias/skybias/internal/atomicfile"
)

// WriteFITS writes a complete catalog (its CSV) as a FITS file
// (fitstable): an empty primary HDU and a binary table named CATALOG with
// the same columns under the same lower-case names (id and the words as
// fixed-width text, ra and dec as doubles in degrees, the p(spiral)
// columns as doubles, NaN where the CSV is empty), and, when the
// catalog's meta is beside it, its provenance as header keywords
// (SOURCE, SRCDIGST, RESULT, NNET, NET1..., IDSHA256, GALAXIES, and
// DESRA, DESDEC: the direction the training design points to). The file
// is written to a temporary name and renamed.
func WriteFITS(csvPath, fitsPath string) error {
	head, widths, rows, err := scanCatalog(csvPath)
	if err != nil {
		return err
	}
	cols := make([]fitstable.Column, len(head))
	numeric := make([]bool, len(head))
	for i, h := range head {
		switch h {
		case "id", "class", "label":
			cols[i] = fitstable.Column{Name: h, Kind: 'A', Width: max(1, widths[i])}
		case "ra", "dec":
			cols[i] = fitstable.Column{Name: h, Kind: 'D', Unit: "deg"}
			numeric[i] = true
		default:
			cols[i] = fitstable.Column{Name: h, Kind: 'D'}
			numeric[i] = true
		}
	}
	keys := []fitstable.Card{{Key: "ORIGIN", Value: "skybias", Comment: "skybias annotate"}}
	if c, err := Open(csvPath); err == nil {
		m := c.Meta
		keys = append(keys, fitstable.Card{Key: "SOURCE", Value: m.Source, Comment: "data source"},
			fitstable.Card{Key: "SRCDIGST", Value: shortHex(m.SourceDigest), Comment: "source digest (first 16 hex)"},
			fitstable.Card{Key: "GALAXIES", Value: m.Galaxies, Comment: "rows of the catalog"},
			fitstable.Card{Key: "IDSHA256", Value: shortHex(m.IDs), Comment: "SHA-256 of the ids in order (first 16 hex)"},
			fitstable.Card{Key: "NNET", Value: len(m.Networks), Comment: "networks (ensemble members)"})
		if m.Design != nil {
			keys = append(keys, fitstable.Card{Key: "DESRA", Value: m.Design[0], Comment: "[deg] RA the training design points to"},
				fitstable.Card{Key: "DESDEC", Value: m.Design[1], Comment: "[deg] Dec the training design points to"})
		}
		if m.Result != "" {
			keys = append(keys, fitstable.Card{Key: "RESULT", Value: shortHex(m.Result), Comment: "skybias job hash"})
		}
		for k, n := range m.Networks {
			if k < 99 {
				keys = append(keys, fitstable.Card{Key: "NET" + strconv.Itoa(k+1), Value: shortHex(n), Comment: "checkpoint SHA-256 (first 16 hex)"})
			}
		}
	}
	in, err := os.Open(csvPath)
	if err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	defer in.Close()
	cr := csv.NewReader(bufio.NewReader(in))
	cr.Read() // the header, checked by scanCatalog
	tmp, err := atomicfile.Create(fitsPath)
	if err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	defer tmp.Abort()
	err = fitstable.Write(tmp, "CATALOG", cols, keys, rows, func(n int, nums []float64, strs []string) error {
		rec, err := cr.Read()
		if err != nil {
			return fmt.Errorf("fits: %s: %w", csvPath, err)
		}
		for i, v := range rec {
			if !numeric[i] {
				strs[i] = v
				continue
			}
			if v != "" {
				if nums[i], err = strconv.ParseFloat(v, 64); err != nil {
					return fmt.Errorf("fits: %s: row %d: %s %q is not a number", csvPath, n+2, head[i], v)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fits: %s: %w", fitsPath, err)
	}
	if err := tmp.Commit(); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	return nil
}

// shortHex is the first 16 characters of a hex digest (a FITS string
// value fits 68).
func shortHex(h string) string { return h[:min(16, len(h))] }

// scanCatalog reads a catalog's header, the widest value of each column
// and its number of rows.
func scanCatalog(path string) ([]string, []int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("fits: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	head, err := cr.Read()
	if err != nil {
		return nil, nil, 0, fmt.Errorf("fits: %s: no header: %w", path, err)
	}
	if len(head) < 6 || head[0] != "id" || head[1] != "ra" || head[2] != "dec" {
		return nil, nil, 0, fmt.Errorf("fits: %s is not a skybias catalog (header %s)", path, strings.Join(head, ","))
	}
	head = append([]string(nil), head...)
	widths := make([]int, len(head))
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("fits: %s: %w", path, err)
		}
		for i, v := range rec {
			widths[i] = max(widths[i], len(v))
		}
		rows++
	}
	return head, widths, rows, nil
}
