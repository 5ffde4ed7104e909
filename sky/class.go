package sky

import (
	"fmt"
	"strings"
)

// Class is a galaxy's morphological class. The numeric values are the
// network's labels: p(spiral) is the probability of label 1.
type Class int8

const (
	// Elliptical galaxies have label 0.
	Elliptical Class = 0
	// Spiral galaxies have label 1.
	Spiral Class = 1
	// Other marks any class that is neither (mergers, "don't know", stars);
	// such galaxies are dropped from selections.
	Other Class = -1
)

// Classes lists the two classes experiments train on, in label order.
var Classes = []Class{Elliptical, Spiral}

// String returns "elliptical", "spiral" or "other".
func (c Class) String() string {
	switch c {
	case Elliptical:
		return "elliptical"
	case Spiral:
		return "spiral"
	default:
		return "other"
	}
}

// Short returns the one-letter code used in tables: E, S or O.
func (c Class) Short() string {
	return strings.ToUpper(c.String()[:1])
}

// ParseClass reads a class name as catalogs write it. It accepts the full
// names, the one-letter codes and the Galaxy Zoo codes 0 (elliptical) and
// 1, 2, 3 (spiral: clockwise, anticlockwise, edge-on); anything else is an
// error.
func ParseClass(s string) (Class, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "elliptical", "e", "ell", "0":
		return Elliptical, nil
	case "spiral", "s", "sp", "1", "2", "3":
		return Spiral, nil
	case "other", "o":
		return Other, nil
	}
	return Other, fmt.Errorf("unknown class %q (want elliptical or spiral)", s)
}
