package annotator

import (
	"math"
	"testing"

	"github.com/skybias/skybias/sky"
)

// TestDesign: the design's direction points from the ellipticals' mean
// position to the spirals'; classes drawn alike, or without positions,
// point nowhere.
func TestDesign(t *testing.T) {
	gals := []sky.Galaxy{
		{ID: "e1", RA: 10, Dec: -30}, {ID: "e2", RA: 20, Dec: -30}, // south
		{ID: "s1", RA: 10, Dec: 60}, {ID: "s2", RA: 20, Dec: 60}, // north
		{ID: "n1", RA: math.NaN(), Dec: math.NaN()},
	}
	tests := []struct {
		name  string
		train map[sky.Class][]int
		want  *[2]float64 // nil: no direction; else Dec sign checked
	}{
		{"spirals north", map[sky.Class][]int{sky.Elliptical: {0, 1}, sky.Spiral: {2, 3}}, &[2]float64{195, 1}},
		{"spirals south", map[sky.Class][]int{sky.Elliptical: {2, 3}, sky.Spiral: {0, 1}}, &[2]float64{15, -1}},
		{"alike", map[sky.Class][]int{sky.Elliptical: {0, 3}, sky.Spiral: {1, 2}}, nil},
		{"no positions", map[sky.Class][]int{sky.Elliptical: {4}, sky.Spiral: {2, 3}}, nil},
		{"one class", map[sky.Class][]int{sky.Spiral: {2, 3}}, nil},
	}
	for _, tc := range tests {
		got := Design(gals, tc.train)
		switch {
		case tc.want == nil && got != nil:
			t.Errorf("%s: direction %v; want none", tc.name, *got)
		case tc.want != nil && got == nil:
			t.Errorf("%s: no direction", tc.name)
		case tc.want != nil && (math.Abs(got[0]-tc.want[0]) > 1 || math.Signbit(got[1]) != math.Signbit(tc.want[1])):
			t.Errorf("%s: direction %v; want RA %g, Dec of sign %g", tc.name, *got, tc.want[0], tc.want[1])
		}
	}
}
