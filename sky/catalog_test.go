package sky

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var stdCols = Columns{ID: "id", RA: "ra", Dec: "dec", Class: "class", Certainty: "p", Image: "img"}

func TestReadCatalogErrors(t *testing.T) {
	cases := []struct {
		name, csv string
		cols      Columns
		want      string // substring of the error
	}{
		{"wrong column", "id,ra,dec,klass,p,img\n1,1,1,spiral,1,a.jpg\n", stdCols, `column "class" (mapped to class) is not in the header`},
		{"empty file", "", stdCols, "empty catalog"},
		{"no rows", "id,ra,dec,class,p,img\n", stdCols, "no rows"},
		{"bad ra", "id,ra,dec,class,p,img\n1,abc,1,spiral,1,a.jpg\n", stdCols, `cat.csv:2: column "ra": "abc" is not a number`},
		{"ra out of range", "id,ra,dec,class,p,img\n1,1,1,spiral,1,a.jpg\n2,361,1,spiral,1,b.jpg\n", stdCols, `cat.csv:3: column "ra": "361"`},
		{"dec out of range", "id,ra,dec,class,p,img\n1,1,-91,spiral,1,a.jpg\n", stdCols, `column "dec": "-91"`},
		{"certainty above 1", "id,ra,dec,class,p,img\n1,1,1,spiral,1.5,a.jpg\n", stdCols, `column "p": "1.5"`},
		{"duplicate id", "id,ra,dec,class,p,img\n7,1,1,spiral,1,a.jpg\n7,2,2,spiral,1,b.jpg\n", stdCols, `cat.csv:3: duplicate id "7" (first on line 2)`},
		{"empty id", "id,ra,dec,class,p,img\n,1,1,spiral,1,a.jpg\n", stdCols, "empty id"},
		{"ra without dec", "id,ra,dec,class,p,img\n1,1,1,spiral,1,a.jpg\n", Columns{ID: "id", RA: "ra", Class: "class"}, "map both ra and dec"},
		{"no id mapped", "id,ra,dec,class,p,img\n1,1,1,spiral,1,a.jpg\n", Columns{Class: "class"}, `no column is mapped to "id"`},
		{"ragged row", "id,ra,dec,class,p,img\n1,1,1,spiral\n", stdCols, "wrong number of fields"},
		{"bad class map", "id,ra,dec,class,p,img\n1,1,1,spiral,1,a.jpg\n", Columns{ID: "id", Class: "class", Classes: map[string]string{"x": "lenticular"}}, `class mapping "x"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "cat.csv", tc.csv)
			_, err := ReadCatalogCSV(p, tc.cols, "")
			if err == nil {
				t.Fatalf("no error; want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "cat.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
		})
	}
	if _, err := ReadCatalogCSV(filepath.Join(t.TempDir(), "missing.csv"), stdCols, ""); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: got %v, want an os.ErrNotExist", err)
	}
}

func TestReadCatalogFields(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "cat.csv", "id,ra,dec,class,p,img,run\n"+
		"a,10.5,-3,spiral,0.95,x/a.jpg,752\n"+
		"b,359.9,2,elliptical,0.8,/abs/b.png,756\n"+
		"c,5,5,merger,1,c.jpg,752\n"+
		"d,6,6,0,1,d.jpg,1\n")
	cat, err := ReadCatalogCSV(p, stdCols, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id    string
		class Class
		img   string
	}{{"a", Spiral, filepath.Join(dir, "x/a.jpg")}, {"b", Elliptical, "/abs/b.png"}, {"c", Other, filepath.Join(dir, "c.jpg")}, {"d", Elliptical, filepath.Join(dir, "d.jpg")}}
	for i, w := range want {
		g := cat.Galaxies[i]
		if g.ID != w.id || g.Class != w.class || g.Image != w.img {
			t.Errorf("row %d: got %s %v %s, want %s %v %s", i, g.ID, g.Class, g.Image, w.id, w.class, w.img)
		}
	}
	if v, _ := cat.Galaxies[1].Field("run"); v != "756" {
		t.Errorf("extra column run = %q, want 756", v)
	}
	if cat.Galaxies[0].Certainty != 0.95 {
		t.Errorf("certainty = %g", cat.Galaxies[0].Certainty)
	}
	if got := cat.Counts(); got[Spiral] != 1 || got[Elliptical] != 2 || got[Other] != 1 {
		t.Errorf("counts = %v", got)
	}
	// Without ra/dec the positions are NaN and a box region is an error.
	cat2, err := ReadCatalogCSV(p, Columns{ID: "id", Class: "class"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(cat2.Galaxies[0].RA) {
		t.Fatal("RA should be NaN without an ra column")
	}
	r := &Region{Name: "box", RA: &Range{0, 20}}
	if _, err := Select(cat2.Galaxies, []*Region{r}, Spiral); err == nil || !strings.Contains(err.Error(), "has no position") {
		t.Fatalf("box on catalog without positions: %v", err)
	}
}

func TestRegions(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	g := func(ra, dec float64, run string, cert float64) *Galaxy {
		return &Galaxy{ID: "g", RA: ra, Dec: dec, Certainty: cert, Fields: map[string]string{"run": run}}
	}
	cases := []struct {
		name   string
		region Region
		gal    *Galaxy
		want   bool
	}{
		{"inside box", Region{RA: &Range{0, 20}, Dec: &Range{0, 20}}, g(10, 10, "1", 1), true},
		{"max is open", Region{RA: &Range{0, 20}}, g(20, 10, "1", 1), false},
		{"min is closed", Region{RA: &Range{0, 20}}, g(0, 10, "1", 1), true},
		{"wrap holds 355", Region{RA: &Range{350, 10}}, g(355, 0, "1", 1), true},
		{"wrap holds 5", Region{RA: &Range{350, 10}}, g(5, 0, "1", 1), true},
		{"wrap holds 0", Region{RA: &Range{350, 10}}, g(0, 0, "1", 1), true},
		{"wrap excludes 180", Region{RA: &Range{350, 10}}, g(180, 0, "1", 1), false},
		{"wrap excludes 10", Region{RA: &Range{350, 10}}, g(10, 0, "1", 1), false},
		{"full circle", Region{RA: &Range{0, 360}}, g(359.99, 0, "1", 1), true},
		{"dec outside", Region{Dec: &Range{-10, 40}}, g(0, 45, "1", 1), false},
		{"run in list", Region{Where: []Predicate{{Column: "run", In: []string{"752", "756"}}}}, g(0, 0, "756", 1), true},
		{"run numeric match", Region{Where: []Predicate{{Column: "run", In: []string{"0752"}}}}, g(0, 0, "752", 1), true},
		{"run not in list", Region{Where: []Predicate{{Column: "run", In: []string{"752"}}}}, g(0, 0, "999", 1), false},
		{"run in range", Region{Where: []Predicate{{Column: "run", Min: f(700), Max: f(800)}}}, g(0, 0, "752", 1), true},
		{"run above range", Region{Where: []Predicate{{Column: "run", Max: f(700)}}}, g(0, 0, "752", 1), false},
		{"certainty cut", Region{MinCertainty: 0.9}, g(0, 0, "1", 0.85), false},
		{"certainty kept", Region{MinCertainty: 0.9}, g(0, 0, "1", 0.9), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.region.Contains(tc.gal)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Contains = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := (&Region{Name: "r", Where: []Predicate{{Column: "camcol", In: []string{"1"}}}}).Contains(g(0, 0, "1", 1)); err == nil || !strings.Contains(err.Error(), `no column "camcol"`) {
		t.Fatalf("predicate on a missing column: %v", err)
	}
	bad := []Region{{Name: "b", RA: &Range{0, 400}}, {Name: "b", Dec: &Range{10, 5}}, {Name: "b", RA: &Range{5, 5}}, {Name: "b", MinCertainty: 2}}
	for _, r := range bad {
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "region b") {
			t.Errorf("Validate(%+v) = %v, want an error naming the region", r, err)
		}
	}
}

// testGalaxies makes n galaxies of each class in each of two boxes.
func testGalaxies(n int) []Galaxy {
	var gals []Galaxy
	for _, ra := range []float64{5, 185} {
		for _, c := range Classes {
			for i := 0; i < n; i++ {
				gals = append(gals, Galaxy{ID: synthID(map[float64]string{5: "a", 185: "b"}[ra], c, i), RA: ra, Dec: 5, Class: c, Certainty: 1, Index: len(gals)})
			}
		}
	}
	return gals
}

func TestDraw(t *testing.T) {
	gals := testGalaxies(100)
	a := &Region{Name: "a", RA: &Range{0, 20}}
	b := &Region{Name: "b", RA: &Range{180, 200}}
	plan := DrawPlan{
		Train: map[Class][]Part{Spiral: {{Regions: []*Region{a}, N: 30}}, Elliptical: {{Regions: []*Region{b}, N: 30}}},
		Tests: []TestSet{{Name: "a", Regions: []*Region{a}, N: 50}, {Name: "b", Regions: []*Region{b}, N: 50}},
	}
	s1, err := Draw(gals, plan, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.CheckDisjoint(gals); err != nil {
		t.Fatal(err)
	}
	if len(s1.Train[Spiral]) != 30 || len(s1.Tests["a"][Spiral]) != 50 {
		t.Fatalf("sizes: %d train, %d test", len(s1.Train[Spiral]), len(s1.Tests["a"][Spiral]))
	}
	// The same test set comes out whatever the training design.
	plan2 := plan
	plan2.Train = map[Class][]Part{Spiral: {{Regions: []*Region{a}, N: 40}}, Elliptical: {{Regions: []*Region{a}, N: 40}}}
	s2, err := Draw(gals, plan2, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Classes {
		if !equalInts(s1.Tests["a"][c], s2.Tests["a"][c]) {
			t.Fatalf("test set a changed with the training design")
		}
	}
	s3, _ := Draw(gals, plan, 8)
	if equalInts(s1.Tests["a"][Spiral], s3.Tests["a"][Spiral]) {
		t.Fatal("another seed drew the same test set")
	}
	// A mixture: three parts from different regions.
	plan3 := plan
	plan3.Train = map[Class][]Part{
		Spiral:     {{Regions: []*Region{a}, N: 20}, {Regions: []*Region{b}, N: 20}, {Regions: []*Region{a, b}, N: 20}},
		Elliptical: {{Regions: []*Region{a, b}, N: 60}},
	}
	s4, err := Draw(gals, plan3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(s4.Train[Spiral]) != 60 {
		t.Fatalf("mixture drew %d", len(s4.Train[Spiral]))
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDrawErrors(t *testing.T) {
	gals := testGalaxies(100)
	a := &Region{Name: "a", RA: &Range{0, 20}}
	empty := &Region{Name: "empty", RA: &Range{100, 120}}
	train := map[Class][]Part{Spiral: {{Regions: []*Region{a}, N: 10}}, Elliptical: {{Regions: []*Region{a}, N: 10}}}
	cases := []struct {
		name string
		plan DrawPlan
		want string
	}{
		{"too few for training", DrawPlan{Train: map[Class][]Part{Spiral: {{Regions: []*Region{a}, N: 101}}, Elliptical: train[Elliptical]}}, "asks for 101, the region holds 100"},
		{"train and test overlap", DrawPlan{Train: map[Class][]Part{Spiral: {{Regions: []*Region{a}, N: 60}}, Elliptical: train[Elliptical]}, Tests: []TestSet{{Name: "t", Regions: []*Region{a}, N: 50}}}, "holds 100 of which 50 are free"},
		{"empty region", DrawPlan{Train: train, Tests: []TestSet{{Name: "t", Regions: []*Region{empty}, N: 5}}}, "test set t: asks for 5 ellipticals from empty, which holds 0"},
		{"no class selection", DrawPlan{Train: map[Class][]Part{Spiral: train[Spiral]}}, "no training selection for class elliptical"},
		{"zero count", DrawPlan{Train: map[Class][]Part{Spiral: {{Regions: []*Region{a}, N: 0}}, Elliptical: train[Elliptical]}}, "asks for 0 galaxies"},
		{"duplicate test name", DrawPlan{Train: train, Tests: []TestSet{{Name: "t", Regions: []*Region{a}, N: 5}, {Name: "t", Regions: []*Region{a}, N: 5}}}, "listed twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Draw(gals, tc.plan, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// A catalog listing one object twice under one ID in two regions is caught.
	dup := []Galaxy{{ID: "x", RA: 5, Class: Spiral}, {ID: "x", RA: 185, Class: Spiral}}
	sp := &Split{Train: map[Class][]int{Spiral: {0}}, Tests: map[string]map[Class][]int{"t": {Spiral: {1}}}}
	if err := sp.CheckDisjoint(dup); err == nil || !strings.Contains(err.Error(), "galaxy x is in both") {
		t.Fatalf("overlap by id: %v", err)
	}
}

func TestImagesBad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "corrupt.jpg", "\xff\xd8\xff\xe0 this is not a jpeg")
	writeFile(t, dir, "text.jpg", "hello")
	p := writeFile(t, dir, "cat.csv", "id,class,img\n1,spiral,corrupt.jpg\n2,spiral,missing.jpg\n3,spiral,text.jpg\n")
	cat, err := ReadCatalogCSV(p, Columns{ID: "id", Class: "class", Image: "img"}, "")
	if err != nil {
		t.Fatal(err)
	}
	src := &catalogSource{cat: cat}
	for i, want := range []string{"corrupt.jpg", "missing.jpg", "text.jpg: not a JPEG or PNG"} {
		_, err := src.Image(&cat.Galaxies[i], 32)
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrBadImage) {
			t.Errorf("image %d: got %v, want a bad-image error naming %q", i, err, want)
		}
	}
	if _, err := LoadImages(context.Background(), src, cat.Galaxies, 32, false); err == nil || !strings.Contains(err.Error(), "corrupt.jpg") {
		t.Fatalf("LoadImages without skip_bad: %v", err)
	}
	set, err := LoadImages(context.Background(), src, cat.Galaxies, 32, true)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 0 || len(set.Bad) != 3 {
		t.Fatalf("skip_bad kept %d and counted %d bad", set.Len(), len(set.Bad))
	}
}

// Rows whose class is neither elliptical nor spiral (misspelled, empty)
// are counted by label, not dropped without a word.
func TestOtherLabelsCounted(t *testing.T) {
	dir := t.TempDir()
	csv := "id,class\n1,spiral\n2,spirall\n3,elipical\n4,\n5,elliptical\n6,spirall\n"
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "catalog:\n  file: c.csv\n  columns: {id: id, class: class, image: id}\n"
	p := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSource(p)
	if err != nil {
		t.Fatal(err)
	}
	got := OtherLabels(s)
	want := map[string]int{"spirall": 2, "elipical": 1, "(empty)": 1}
	if len(got) != len(want) {
		t.Fatalf("other labels %v, want %v", got, want)
	}
	for l, n := range want {
		if got[l] != n {
			t.Errorf("%s: %d, want %d", l, got[l], n)
		}
	}
	var b strings.Builder
	WriteOtherLabels(&b, s)
	if !strings.Contains(b.String(), "4 rows") || !strings.Contains(b.String(), "spirall 2") {
		t.Errorf("line %q", b.String())
	}
}

// Source files' YAML errors speak of the file, never of Go types.
func TestSourceYAMLMessages(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"empty", "", []string{"the file is empty"}},
		{"an experiment file", "name: t6\ntrain: {}\n", []string{"line 1: unknown key name", "is this an experiment file?"}},
		{"a misspelled survey key", "survey:\n  name: x\n  sizze: 3\n", []string{"line 3: unknown key sizze"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSource("s.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "sky.") || strings.Contains(err.Error(), "EOF") {
				t.Errorf("%q shows Go internals", err)
			}
		})
	}
}

// A catalog's image paths stay inside its image folder unless the source
// says allow_outside.
func TestImagePathsContained(t *testing.T) {
	tests := []struct {
		name, image, extra string
		ok                 bool
	}{
		{"inside", "img/a.jpg", "", true},
		{"up and out", "../../../../etc/passwd", "", false},
		{"absolute", "/etc/passwd", "", false},
		{"absolute, allowed", "/etc/passwd", "  allow_outside: true\n", true},
		{"up but back inside", "img/../b.jpg", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte("id,class,img\n1,spiral,"+tc.image+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			src := "catalog:\n  file: c.csv\n  columns: {id: id, class: class, image: img}\n" + tc.extra
			p := filepath.Join(dir, "s.yaml")
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenSource(p)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "leaves the image folder")) {
				t.Fatalf("got %v; want an error saying the path leaves the image folder", err)
			}
		})
	}
}
