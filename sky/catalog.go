package sky

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Galaxy is one catalog entry.
type Galaxy struct {
	// ID is unique within its catalog (an SDSS objID, a synthetic key, ...).
	ID string
	// RA and Dec are J2000 degrees; NaN when the catalog has no positions.
	RA, Dec float64
	// Class is the morphological class; Other for anything that is neither
	// elliptical nor spiral.
	Class Class
	// Label is the class as the catalog wrote it.
	Label string
	// Certainty is the label's certainty in [0, 1] (1 when not given).
	Certainty float64
	// Image is the image's path (absolute or relative to the working
	// directory) or, for a synthetic survey, empty.
	Image string
	// Region is the name of the field a synthetic galaxy was rendered in;
	// empty for real catalogs.
	Region string
	// Index is the galaxy's position in its catalog.
	Index int
	// Fields holds every column of the catalog row by header name, so that
	// regions can select on any column (SDSS run, camcol, ...).
	Fields map[string]string
}

// Field returns the value of a catalog column and whether the galaxy has it.
// The mapped names "id", "ra", "dec", "class" and "certainty" are always
// available.
func (g *Galaxy) Field(name string) (string, bool) {
	if v, ok := g.Fields[name]; ok {
		return v, true
	}
	switch name {
	case "id":
		return g.ID, true
	case "ra":
		return strconv.FormatFloat(g.RA, 'g', -1, 64), !math.IsNaN(g.RA)
	case "dec":
		return strconv.FormatFloat(g.Dec, 'g', -1, 64), !math.IsNaN(g.Dec)
	case "class":
		return g.Class.String(), true
	case "certainty":
		return strconv.FormatFloat(g.Certainty, 'g', -1, 64), true
	case "region":
		return g.Region, g.Region != ""
	}
	return "", false
}

// Columns maps the catalog's CSV header names to the fields skybias needs.
// ID and Class are required; RA, Dec, Certainty and Image may be empty.
type Columns struct {
	ID        string `yaml:"id"`
	RA        string `yaml:"ra"`
	Dec       string `yaml:"dec"`
	Class     string `yaml:"class"`
	Certainty string `yaml:"certainty"`
	Image     string `yaml:"image"`
	// Classes maps raw labels to classes ("0": elliptical, "merger": other).
	// When empty, labels are read with ParseClass and unknown ones become
	// Other.
	Classes map[string]string `yaml:"classes"`
}

// Catalog is a list of galaxies read from one CSV file.
type Catalog struct {
	// Path is the CSV file the catalog was read from.
	Path string
	// Header is the CSV header, in file order.
	Header []string
	// Galaxies are the rows, in file order.
	Galaxies []Galaxy
	// HasRADec and HasCertainty tell whether those columns were mapped.
	HasRADec, HasCertainty bool
}

// Counts returns the number of galaxies per class.
func (c *Catalog) Counts() map[Class]int {
	m := map[Class]int{}
	for i := range c.Galaxies {
		m[c.Galaxies[i].Class]++
	}
	return m
}

// ReadCatalogCSV reads a catalog from a CSV file with a header row. Image
// paths are taken relative to imageDir (the CSV's folder when empty). Every
// error names the file, and the line and column where one is at fault.
func ReadCatalogCSV(path string, cols Columns, imageDir string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer f.Close()
	if imageDir == "" {
		imageDir = filepath.Dir(path)
	}
	cat, err := readCatalog(f, path, cols, imageDir)
	if err != nil {
		return nil, err
	}
	return cat, nil
}

func readCatalog(r io.Reader, path string, cols Columns, imageDir string) (*Catalog, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty catalog (no header row)", path)
		}
		return nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	index := map[string]int{}
	for i, h := range header {
		index[strings.TrimSpace(h)] = i
	}
	col := func(field, name string, required bool) (int, error) {
		if name == "" {
			if required {
				return -1, fmt.Errorf("%s: no column is mapped to %q", path, field)
			}
			return -1, nil
		}
		i, ok := index[name]
		if !ok {
			return -1, fmt.Errorf("%s: column %q (mapped to %s) is not in the header; the header has %s",
				path, name, field, strings.Join(header, ", "))
		}
		return i, nil
	}
	var ci [6]int
	for k, spec := range []struct {
		field, name string
		required    bool
	}{
		{"id", cols.ID, true}, {"class", cols.Class, true}, {"ra", cols.RA, false},
		{"dec", cols.Dec, false}, {"certainty", cols.Certainty, false}, {"image", cols.Image, false},
	} {
		if ci[k], err = col(spec.field, spec.name, spec.required); err != nil {
			return nil, err
		}
	}
	iID, iClass, iRA, iDec, iCert, iImg := ci[0], ci[1], ci[2], ci[3], ci[4], ci[5]
	if (iRA < 0) != (iDec < 0) {
		return nil, fmt.Errorf("%s: map both ra and dec, or neither", path)
	}
	classMap := map[string]Class{}
	for raw, name := range cols.Classes {
		c, err := ParseClass(name)
		if err != nil {
			return nil, fmt.Errorf("%s: class mapping %q: %w", path, raw, err)
		}
		classMap[raw] = c
	}
	cat := &Catalog{Path: path, Header: header, HasRADec: iRA >= 0, HasCertainty: iCert >= 0}
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
		g := Galaxy{ID: strings.TrimSpace(rec[iID]), RA: math.NaN(), Dec: math.NaN(), Certainty: 1, Index: len(cat.Galaxies)}
		if g.ID == "" {
			return nil, fmt.Errorf("%s:%d: empty id in column %q", path, line, cols.ID)
		}
		if prev, dup := seen[g.ID]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate id %q (first on line %d)", path, line, g.ID, prev)
		}
		seen[g.ID] = line
		g.Label = strings.TrimSpace(rec[iClass])
		if len(classMap) > 0 {
			c, ok := classMap[g.Label]
			if !ok {
				c = Other
			}
			g.Class = c
		} else if c, err := ParseClass(g.Label); err == nil {
			g.Class = c
		} else {
			g.Class = Other
		}
		num := func(i int, name string, lo, hi float64) (float64, error) {
			s := strings.TrimSpace(rec[i])
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || v < lo || v > hi {
				return 0, fmt.Errorf("%s:%d: column %q: %q is not a number in [%g, %g]", path, line, name, s, lo, hi)
			}
			return v, nil
		}
		if iRA >= 0 {
			if g.RA, err = num(iRA, cols.RA, 0, 360); err != nil {
				return nil, err
			}
			if g.Dec, err = num(iDec, cols.Dec, -90, 90); err != nil {
				return nil, err
			}
		}
		if iCert >= 0 {
			if g.Certainty, err = num(iCert, cols.Certainty, 0, 1); err != nil {
				return nil, err
			}
		}
		if iImg >= 0 {
			p := strings.TrimSpace(rec[iImg])
			if p == "" {
				return nil, fmt.Errorf("%s:%d: empty image path in column %q", path, line, cols.Image)
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(imageDir, p)
			}
			g.Image = p
		}
		g.Fields = make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				g.Fields[h] = rec[i]
			}
		}
		cat.Galaxies = append(cat.Galaxies, g)
	}
	if len(cat.Galaxies) == 0 {
		return nil, fmt.Errorf("%s: catalog has a header but no rows", path)
	}
	return cat, nil
}
