package sky

import (
	"math"
	"strings"
	"testing"
)

// TestAllskySurvey: the shipped all-sky survey tiles the sky with 72
// fields of equal area and 100,800 galaxies, its conditions change as its
// comments say, and positions fall in their fields.
func TestAllskySurvey(t *testing.T) {
	src, err := OpenSource("../experiments/surveys/allsky.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Survey)
	if n := len(s.FieldNames()); n != 72 {
		t.Fatalf("%d fields; want 72", n)
	}
	if n := len(s.Galaxies()); n != 100_800 {
		t.Errorf("%d galaxies; want 100,800", n)
	}
	var area float64
	for _, name := range s.FieldNames() {
		f := s.Spec().Fields[name]
		a := (f.RA[1] - f.RA[0]) * math.Pi / 180 * (math.Sin(f.Dec[1]*math.Pi/180) - math.Sin(f.Dec[0]*math.Pi/180))
		if math.Abs(a-4*math.Pi/72) > 1e-4 {
			t.Errorf("field %s covers %g sr; want %g", name, a, 4*math.Pi/72)
		}
		area += a
	}
	if math.Abs(area-4*math.Pi) > 1e-3 {
		t.Errorf("fields cover %g sr; want the whole sky", area)
	}
	south, north := s.Spec().Fields[TileName(0, 3)].Sky, s.Spec().Fields[TileName(5, 3)].Sky
	if !(south.Seeing > north.Seeing && south.Background > north.Background && south.Noise > north.Noise && south.SkyColor[0] > north.SkyColor[0]) {
		t.Errorf("south %+v and north %+v: seeing, sky level, noise and redness should grow towards the south", south, north)
	}
	// The galactic plane crosses Dec 0 near RA 282 and 102; the poles
	// are far from it.
	plane, pole := s.Spec().Fields[TileName(2, 9)].Sky, s.Spec().Fields[TileName(4, 6)].Sky
	if plane.Stars <= 2*pole.Stars {
		t.Errorf("stars %g near the plane and %g near the galactic pole", plane.Stars, pole.Stars)
	}
	for _, g := range s.Galaxies()[:2000] {
		r := s.Regions()[g.Region]
		if ok, _ := r.Contains(&g); !ok {
			t.Fatalf("galaxy %s at (%g, %g) is outside its field %s", g.ID, g.RA, g.Dec, r.Describe())
		}
	}
}

func TestTilingErrors(t *testing.T) {
	const sky = "sky: {seeing: 2, jpeg: 80, stretch: 0.1}"
	cases := []struct{ tiling, fields, want string }{
		{"bands: 2, cells: 3, " + sky + ", gradients: {moon: {toward: [0, 0], amplitude: 0.1}}", "", `unknown condition "moon"`},
		{"bands: 2, cells: 3, " + sky + ", gradients: {seeing: {toward: [0, 100], amplitude: 0.1}}", "", "toward [0, 100] is not an RA, Dec"},
		{"bands: 2, cells: 3, " + sky + ", gradients: {seeing: {toward: [0, 0], amplitude: 2}}", "", "amplitude 2 is outside"},
		{"bands: 2, cells: 3, " + sky + ", plane: {pole: [0, 90], stars: 2, width: 0}", "", "survey.tiling.plane"},
		{"bands: 2, cells: 3, " + sky, ", fields: {f: {ra: [0, 1], dec: [0, 1], " + sky + "}}", "leave survey.fields out"},
		{"bands: 0, cells: 3, " + sky, "", "0 bands x 3 cells"},
		{"bands: 2, cells: 3, sky: {seeing: 2, jpeg: 80, stretch: 0.1, noise: 0.9}, gradients: {noise: {toward: [0, 0], amplitude: 0.5}}", "", "field b0c00: noise 1.094856 is outside 0..1"},
		{"bands: 2, cells: 3, sky: {seeing: 2, jpeg: 80, stretch: 0.1, noise: 0.5}, gradients: {noise: {toward: [0, 0], amplitude: -0.95}}", "", ""},
	}
	for _, c := range cases {
		text := "survey: {name: t, per_class: 2, tiling: {" + c.tiling + "}" + c.fields + "}"
		_, err := ParseSource("t.yaml", []byte(text))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.tiling, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s%s: error %v; want %q", c.tiling, c.fields, err, c.want)
		}
	}
}
