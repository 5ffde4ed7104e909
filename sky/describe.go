package sky

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// RegionCount is the number of galaxies of each class in one region.
type RegionCount struct {
	Region     string
	Describe   string
	Elliptical int
	Spiral     int
}

// CountRegions counts the galaxies of each class in every region a source
// names, sorted by region name; the first row, "(all)", counts the whole
// source.
func CountRegions(src Source) ([]RegionCount, error) {
	gals := src.Galaxies()
	all := RegionCount{Region: "(all)", Describe: "whole source"}
	for i := range gals {
		switch gals[i].Class {
		case Elliptical:
			all.Elliptical++
		case Spiral:
			all.Spiral++
		}
	}
	out := []RegionCount{all}
	names := make([]string, 0, len(src.Regions()))
	for n := range src.Regions() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := src.Regions()[n]
		rc := RegionCount{Region: n, Describe: r.Describe()}
		for _, c := range Classes {
			idx, err := Select(gals, []*Region{r}, c)
			if err != nil {
				return nil, fmt.Errorf("source %s: %w", src.Name(), err)
			}
			if c == Spiral {
				rc.Spiral = len(idx)
			} else {
				rc.Elliptical = len(idx)
			}
		}
		out = append(out, rc)
	}
	return out, nil
}

// WriteCounts prints region counts as an aligned table.
func WriteCounts(w io.Writer, name string, counts []RegionCount) {
	fmt.Fprintf(w, "source %s\n", name)
	fmt.Fprintf(w, "  %-12s %10s %8s  %s\n", "region", "elliptical", "spiral", "selection")
	for _, c := range counts {
		fmt.Fprintf(w, "  %-12s %10d %8d  %s\n", c.Region, c.Elliptical, c.Spiral, c.Describe)
	}
}

// OtherLabels counts, by label, the galaxies of a source that are neither
// elliptical nor spiral (a catalog's other classes, or misspelled ones),
// so that rows are never dropped without a word.
func OtherLabels(src Source) map[string]int {
	out := map[string]int{}
	for _, g := range src.Galaxies() {
		if g.Class != Elliptical && g.Class != Spiral {
			label := g.Label
			if label == "" {
				label = "(empty)"
			}
			out[label]++
		}
	}
	return out
}

// WriteOtherLabels writes the OtherLabels line ("not used: 2 rows with
// other labels: elipical 1, spirall 1"), or nothing when there are none.
func WriteOtherLabels(w io.Writer, src Source) {
	if s := OtherLabelsText(OtherLabels(src)); s != "" {
		fmt.Fprintf(w, "  not used: %s\n", s)
	}
}

// OtherLabelsText says what OtherLabels counted ("2 rows whose class is
// neither elliptical nor spiral: elipical 1, spirall 1"); "" for none.
func OtherLabelsText(other map[string]int) string {
	if len(other) == 0 {
		return ""
	}
	labels := make([]string, 0, len(other))
	total := 0
	for l, n := range other {
		labels = append(labels, fmt.Sprintf("%s %d", l, n))
		total += n
	}
	sort.Strings(labels)
	return fmt.Sprintf("%d rows whose class is neither elliptical nor spiral: %s", total, strings.Join(labels, ", "))
}
