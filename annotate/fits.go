package annotate

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/astrogo/fitsio"

	"github.com/skybias/skybias/internal/atomicfile"
)

// WriteFITS writes a complete catalog (its CSV) as a FITS file: an empty
// primary HDU and a binary table named CATALOG with the same columns (ID
// and the words as fixed-width text, RA and Dec in degrees and the
// p(spiral) columns as doubles, NaN where the CSV is empty), for tools
// that read FITS (TOPCAT, astropy). The file is written to a temporary
// name and renamed.
func WriteFITS(csvPath, fitsPath string) error {
	head, widths, rows, err := scanCatalog(csvPath)
	if err != nil {
		return err
	}
	cols := make([]fitsio.Column, len(head))
	numeric := make([]bool, len(head))
	for i, h := range head {
		name := strings.ToUpper(h)
		switch h {
		case "id", "class", "label":
			cols[i] = fitsio.Column{Name: name, Format: strconv.Itoa(max(1, widths[i])+1) + "A"} // fitsio keeps a byte for the end of the string
		case "ra", "dec":
			cols[i] = fitsio.Column{Name: name, Format: "D", Unit: "deg"}
			numeric[i] = true
		default:
			cols[i] = fitsio.Column{Name: name, Format: "D"}
			numeric[i] = true
		}
	}
	tmp, err := atomicfile.Create(fitsPath)
	if err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	defer tmp.Abort()
	w := bufio.NewWriter(tmp)
	f, err := fitsio.Create(w)
	if err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	phdu, err := fitsio.NewPrimaryHDU(nil)
	if err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	if err := f.Write(phdu); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	tbl, err := fitsio.NewTable("CATALOG", cols, fitsio.BINARY_TBL)
	if err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	defer tbl.Close()
	in, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer in.Close()
	cr := csv.NewReader(bufio.NewReader(in))
	cr.Read() // the header, checked by scanCatalog
	nums := make([]float64, len(head))
	strs := make([]string, len(head))
	args := make([]any, len(head))
	for i := range head {
		if numeric[i] {
			args[i] = &nums[i]
		} else {
			args[i] = &strs[i]
		}
	}
	for n := 0; n < rows; n++ {
		rec, err := cr.Read()
		if err != nil {
			return fmt.Errorf("fits: %s: %w", csvPath, err)
		}
		for i, v := range rec {
			if !numeric[i] {
				strs[i] = v
				continue
			}
			nums[i] = math.NaN()
			if v != "" {
				if nums[i], err = strconv.ParseFloat(v, 64); err != nil {
					return fmt.Errorf("fits: %s: row %d: %s %q is not a number", csvPath, n+2, head[i], v)
				}
			}
		}
		if err := tbl.Write(args...); err != nil {
			return fmt.Errorf("fits: row %d: %w", n+2, err)
		}
	}
	if err := f.Write(tbl); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	if err := tmp.Commit(); err != nil {
		return fmt.Errorf("fits: %w", err)
	}
	return nil
}

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
