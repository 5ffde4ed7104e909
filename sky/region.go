package sky

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is a closed-open interval [Min, Max) of degrees. For right
// ascension a Range whose Min is greater than its Max wraps through 0:
// {350, 10} holds 355 and 5.
type Range struct {
	Min, Max float64
}

// String writes the range as "min..max".
func (r Range) String() string {
	return strconv.FormatFloat(r.Min, 'g', -1, 64) + ".." + strconv.FormatFloat(r.Max, 'g', -1, 64)
}

// containsRA reports whether ra lies in the range, wrapping through 0 when
// Min > Max. A range of 0..360 holds every RA.
func (r Range) containsRA(ra float64) bool {
	ra = math.Mod(ra, 360)
	if ra < 0 {
		ra += 360
	}
	if r.Min <= r.Max {
		return (ra >= r.Min && ra < r.Max) || (r.Max == 360 && ra == 0 && r.Min == 0)
	}
	return ra >= r.Min || ra < r.Max
}

// WidthRA is the range's extent in RA, wrap-around included.
func (r Range) WidthRA() float64 {
	if r.Min <= r.Max {
		return r.Max - r.Min
	}
	return 360 - r.Min + r.Max
}

func (r Range) contains(v float64) bool { return v >= r.Min && v < r.Max }

// Predicate selects galaxies by the value of one catalog column: either one
// of a list of values (compared as numbers when both sides are numbers) or a
// numeric interval [Min, Max].
type Predicate struct {
	Column string
	In     []string
	Min    *float64
	Max    *float64
}

// String writes the predicate as it would read in YAML.
func (p Predicate) String() string {
	if p.In != nil {
		return p.Column + " in [" + strings.Join(p.In, ", ") + "]"
	}
	var parts []string
	if p.Min != nil {
		parts = append(parts, ">= "+strconv.FormatFloat(*p.Min, 'g', -1, 64))
	}
	if p.Max != nil {
		parts = append(parts, "<= "+strconv.FormatFloat(*p.Max, 'g', -1, 64))
	}
	return p.Column + " " + strings.Join(parts, " and ")
}

// Match reports whether a value satisfies the predicate.
func (p Predicate) Match(v string) bool {
	v = strings.TrimSpace(v)
	fv, err := strconv.ParseFloat(v, 64)
	isNum := err == nil
	if p.In != nil {
		for _, want := range p.In {
			if want == v {
				return true
			}
			if fw, err := strconv.ParseFloat(want, 64); err == nil && isNum && fw == fv {
				return true
			}
		}
		return false
	}
	if !isNum {
		return false
	}
	if p.Min != nil && fv < *p.Min {
		return false
	}
	if p.Max != nil && fv > *p.Max {
		return false
	}
	return true
}

// Region is a named part of the sky: an optional RA/Dec box, optional
// column predicates, and an optional certainty cut. A galaxy belongs to the
// region when it satisfies all of them.
type Region struct {
	Name string
	// RA and Dec bound the box; nil means unbounded.
	RA, Dec *Range
	// Where holds column predicates, all of which must hold.
	Where []Predicate
	// MinCertainty drops galaxies whose label certainty is lower.
	MinCertainty float64
}

// Validate checks the region's numbers.
func (r *Region) Validate() error {
	if r.RA != nil {
		if r.RA.Min < 0 || r.RA.Min > 360 || r.RA.Max < 0 || r.RA.Max > 360 {
			return fmt.Errorf("region %s: ra %s is outside 0..360", r.Name, r.RA)
		}
		if r.RA.Min == r.RA.Max {
			return fmt.Errorf("region %s: ra %s is empty", r.Name, r.RA)
		}
	}
	if r.Dec != nil {
		if r.Dec.Min < -90 || r.Dec.Max > 90 {
			return fmt.Errorf("region %s: dec %s is outside -90..90", r.Name, r.Dec)
		}
		if r.Dec.Min >= r.Dec.Max {
			return fmt.Errorf("region %s: dec %s is empty (min must be below max)", r.Name, r.Dec)
		}
	}
	if r.MinCertainty < 0 || r.MinCertainty > 1 {
		return fmt.Errorf("region %s: certainty cut %g is outside 0..1", r.Name, r.MinCertainty)
	}
	return nil
}

// Contains reports whether a galaxy lies in the region. A region with an
// RA/Dec box cannot select galaxies without positions: that is an error, as
// is a predicate on a column the galaxy does not have.
func (r *Region) Contains(g *Galaxy) (bool, error) {
	if r.RA != nil || r.Dec != nil {
		if math.IsNaN(g.RA) || math.IsNaN(g.Dec) {
			return false, fmt.Errorf("region %s selects by RA/Dec but galaxy %s has no position (select by a column instead)", r.Name, g.ID)
		}
		if r.RA != nil && !r.RA.containsRA(g.RA) {
			return false, nil
		}
		if r.Dec != nil && !r.Dec.contains(g.Dec) {
			return false, nil
		}
	}
	for _, p := range r.Where {
		v, ok := g.Field(p.Column)
		if !ok {
			return false, fmt.Errorf("region %s: galaxy %s has no column %q", r.Name, g.ID, p.Column)
		}
		if !p.Match(v) {
			return false, nil
		}
	}
	if g.Certainty < r.MinCertainty {
		return false, nil
	}
	return true, nil
}

// Describe writes the region's selection in one line, for plans and reports.
func (r *Region) Describe() string {
	var parts []string
	if r.RA != nil {
		parts = append(parts, "RA "+r.RA.String())
	}
	if r.Dec != nil {
		parts = append(parts, "Dec "+r.Dec.String())
	}
	for _, p := range r.Where {
		parts = append(parts, p.String())
	}
	if r.MinCertainty > 0 {
		parts = append(parts, "certainty >= "+strconv.FormatFloat(r.MinCertainty, 'g', -1, 64))
	}
	if len(parts) == 0 {
		return "whole catalog"
	}
	return strings.Join(parts, ", ")
}

// Select returns the indices (into gals) of the galaxies of the given class
// that lie in any of the regions, in catalog order.
func Select(gals []Galaxy, regions []*Region, class Class) ([]int, error) {
	var out []int
	for i := range gals {
		g := &gals[i]
		if g.Class != class {
			continue
		}
		for _, r := range regions {
			ok, err := r.Contains(g)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, i)
				break
			}
		}
	}
	return out, nil
}

// RegionNames joins the names of regions with "+", as tables print them.
func RegionNames(regions []*Region) string {
	names := make([]string, len(regions))
	for i, r := range regions {
		names[i] = r.Name
	}
	return strings.Join(names, "+")
}
