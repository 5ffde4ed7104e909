package sky

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
)

func openSurvey(t testing.TB, name string) *Survey {
	t.Helper()
	src, err := OpenSource(filepath.Join(testenv.Root(t), "experiments", "surveys", name))
	if err != nil {
		t.Fatal(err)
	}
	return src.(*Survey)
}

func TestSurveyDeterministic(t *testing.T) {
	s := openSurvey(t, "ps1-like.yaml")
	a, err := s.RenderJPEG("f2", Spiral, 17)
	if err != nil {
		t.Fatal(err)
	}
	// Render others in between: galaxy 17 must not change.
	for i := 0; i < 5; i++ {
		if _, err := s.RenderJPEG("f1", Elliptical, i); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := s.RenderJPEG("f2", Spiral, 17)
	if !bytes.Equal(a, b) {
		t.Fatal("the same galaxy rendered twice differs")
	}
	img, err := jpeg.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 120 || b.Dy() != 120 {
		t.Fatalf("cutout is %v, want 120x120", b)
	}
	c, _ := s.RenderJPEG("f2", Spiral, 18)
	if bytes.Equal(a, c) {
		t.Fatal("two galaxies rendered identically")
	}
	// A reopened survey lists the same galaxies and has the same digest.
	s2 := openSurvey(t, "ps1-like.yaml")
	if s.Digest() != s2.Digest() || len(s.Galaxies()) != len(s2.Galaxies()) || s.Galaxies()[999].ID != s2.Galaxies()[999].ID || s.Galaxies()[999].RA != s2.Galaxies()[999].RA {
		t.Fatal("reopening the survey changed it")
	}
	if got := len(s.Galaxies()); got != 3*2*11500 {
		t.Fatalf("survey lists %d galaxies", got)
	}
}

func TestSurveyImagesAnyGOMAXPROCS(t *testing.T) {
	s := openSurvey(t, "sdss-like.yaml")
	gals := s.Galaxies()[:40]
	load := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		set, err := LoadImages(context.Background(), s, gals, 64, false)
		if err != nil {
			t.Fatal(err)
		}
		if set.Len() != 40 || len(set.Pix) != 40*64*64*3 {
			t.Fatalf("set holds %d images, %d bytes", set.Len(), len(set.Pix))
		}
		return set.Pix
	}
	if !bytes.Equal(load(1), load(4)) {
		t.Fatal("images differ between GOMAXPROCS 1 and 4")
	}
}

func TestSurveyFieldsDiffer(t *testing.T) {
	// The sky level of the fields must differ as the survey file says, and
	// not (beyond the cutout-to-cutout variation) on the null survey.
	const n = 100
	mean := func(s *Survey, field string) float64 {
		var sum float64
		for i := 0; i < n; i++ {
			img, err := s.Render(field, Elliptical, i)
			if err != nil {
				t.Fatal(err)
			}
			for y := 0; y < 10; y++ { // a corner strip: mostly sky
				for x := 0; x < 120; x++ {
					o := (y*120 + x) * 3
					sum += float64(img.Pix[o]) + float64(img.Pix[o+1]) + float64(img.Pix[o+2])
				}
			}
		}
		return sum / (n * 10 * 120 * 3)
	}
	ps := openSurvey(t, "ps1-like.yaml")
	if d := mean(ps, "f2") - mean(ps, "f3"); d < 3 {
		t.Errorf("ps1-like: f2 sky is only %.2f levels brighter than f3", d)
	}
	null := openSurvey(t, "null.yaml")
	if d := mean(null, "f2") - mean(null, "f3"); d > 2.5 || d < -2.5 {
		t.Errorf("null survey: fields differ by %.2f levels", d)
	}
}

func TestSurveyErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown key", "survey: {name: x, fields: {f: {ra: [0,1], dec: [0,1], per_class: 2, sky: {seeing: 2, jpeg: 80, stretch: 0.1, colour: 1}}}}", "unknown key colour"},
		{"no fields", "survey: {name: x}", "survey.fields is empty"},
		{"no name", "survey: {fields: {f: {}}}", "survey.name is missing"},
		{"bad jpeg", "survey: {name: x, per_class: 2, fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 101, stretch: 0.1}}}}", "s.yaml:1:86: survey.fields.f.sky: jpeg quality 101"},
		{"no per_class", "survey: {name: x, fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}}", "s.yaml:1:28: survey.fields.f.per_class is missing"},
		{"negative per_class", "survey:\n  name: x\n  per_class: -2\n  fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}", "s.yaml:3:3: survey.per_class -2: want a positive number"},
		{"size 0 written", "survey:\n  name: x\n  size: 0\n  per_class: 2\n  fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}", "s.yaml:3:3: survey.size 0 is outside 16..1024"},
		{"size too big", "survey:\n  name: x\n  per_class: 2\n  size: 5000\n  fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}", "s.yaml:4:3: survey.size 5000 is outside 16..1024"},
		{"bad vary", "survey:\n  name: x\n  per_class: 2\n  vary: {noise: 3}\n  fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}", "s.yaml:4:3: survey.vary: variation 3"},
		{"bad contrast", "survey:\n  name: x\n  per_class: 2\n  contrast: -1\n  fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}", "s.yaml:4:3: survey.contrast: -1 is outside"},
		{"bad dec", "survey: {name: x, per_class: 2, fields: {f: {ra: [0,1], dec: [5,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}}", "dec 5..1 is empty"},
		{"both kinds", "survey: {name: x}\ncatalog: {file: a.csv}", "exactly one of"},
		{"not yaml", "survey: [", "did not find expected node content"},
		// Issue 34: values that drew wrong skies without a word.
		{"negative star_flux", "survey: {name: x, per_class: 2, fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1, star_flux: -1}}}}", "star_flux -1 is outside (0, 100]"},
		{"star_flux 0 written", "survey:\n  name: x\n  per_class: 2\n  fields:\n    f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1, star_flux: 0}}", "star_flux 0 draws stars without light"},
		{"NaN noise", "survey: {name: x, per_class: 2, fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: 2, jpeg: 80, stretch: 0.1, noise: .nan}}}}", "noise NaN is outside 0..1"},
		{"overlapping fields", "survey: {name: x, per_class: 2, fields: {f1: {ra: [0,20], dec: [0,20], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}, f2: {ra: [10,30], dec: [10,30], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}}", "survey.fields.f1 and f2 overlap"},
		{"overlap through RA 0", "survey: {name: x, per_class: 2, fields: {a: {ra: [350,10], dec: [0,20], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}, b: {ra: [5,15], dec: [0,20], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}}", "survey.fields.a and b overlap"},
		{"NaN seeing", "survey: {name: x, per_class: 2, fields: {f: {ra: [0,1], dec: [0,1], sky: {seeing: .nan, jpeg: 80, stretch: 0.1}}}}", "seeing NaN px"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSource("s.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "s.yaml") {
				t.Fatalf("got %v, want an error from s.yaml containing %q", err, tc.want)
			}
		})
	}
}

func TestCatalogSourceErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.csv", "id,class,img,camcol\n1,spiral,a.jpg,1\n")
	cases := []struct{ name, yaml, want string }{
		{"unset variable", "catalog: {file: $NOPE_NOT_SET/c.csv, columns: {id: id, class: class, image: img}}", "uses $NOPE_NOT_SET, which is not set"},
		{"missing csv", "catalog: {file: nothere.csv, columns: {id: id, class: class, image: img}}", "nothere.csv"},
		{"no image column", "catalog: {file: c.csv, columns: {id: id, class: class}}", "columns.image is missing"},
		{"box without ra", "catalog: {file: c.csv, columns: {id: id, class: class, image: img}}\nregions: {r: {ra: [0, 10]}}", "region r selects by RA/Dec"},
		{"bad region key", "catalog: {file: c.csv, columns: {id: id, class: class, image: img}}\nregions:\n  r: {raa: [0, 10]}", `3:7: region r: unknown key "raa"`},
		{"bad where", "catalog: {file: c.csv, columns: {id: id, class: class, image: img}}\nregions:\n  r: {where: {camcol: {low: 1}}}", `unknown bound "low"`},
		{"bad crop", "catalog: {file: c.csv, crop: 2, columns: {id: id, class: class, image: img}}", "crop 2"},
		{"NaN crop", "catalog: {file: c.csv, crop: .nan, columns: {id: id, class: class, image: img}}", "crop NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSource(filepath.Join(dir, "s.yaml"), []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	t.Setenv("SKYBIAS_TEST_DIR", dir)
	src, err := ParseSource("elsewhere/s.yaml", []byte("catalog: {file: \"${SKYBIAS_TEST_DIR}/c.csv\", columns: {id: id, class: class, image: img}}\nregions: {one: {where: {camcol: 1}}}"))
	if err != nil {
		t.Fatal(err)
	}
	if g := src.Galaxies()[0]; g.Image != filepath.Join(dir, "a.jpg") {
		t.Fatalf("image path %s", g.Image)
	}
}

func TestExpandPath(t *testing.T) {
	t.Setenv("SKYBIAS_X", "/data")
	cases := []struct{ in, base, want string }{
		{"a/b.csv", "/exp", "/exp/a/b.csv"},
		{"/abs/b.csv", "/exp", "/abs/b.csv"},
		{"$SKYBIAS_X/b.csv", "/exp", "/data/b.csv"},
		{"${SKYBIAS_X:-/other}/b.csv", "/exp", "/data/b.csv"},
		{"${SKYBIAS_UNSET_Y:-../d}/b.csv", "/exp/sources", "/exp/d/b.csv"},
	}
	for _, tc := range cases {
		got, err := ExpandPath(tc.in, tc.base)
		if err != nil || got != tc.want {
			t.Errorf("ExpandPath(%q, %q) = %q, %v; want %q", tc.in, tc.base, got, err, tc.want)
		}
	}
}

func TestResample(t *testing.T) {
	// A 4x4 image of 2x2 blocks shrinks to the blocks' colours exactly.
	src := image.NewRGBA(image.Rect(0, 0, 4, 4))
	cols := [2][2]color.RGBA{{{200, 0, 0, 255}, {0, 100, 0, 255}}, {{0, 0, 50, 255}, {10, 20, 30, 255}}}
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			src.Set(x, y, cols[y/2][x/2])
		}
	}
	got := FromImage(src, 2, 1)
	want := []uint8{200, 0, 0, 0, 100, 0, 0, 0, 50, 10, 20, 30}
	if !bytes.Equal(got.Pix, want) {
		t.Fatalf("2x2 = %v, want %v", got.Pix, want)
	}
	// Shrinking 3 -> 2 averages by overlap: a uniform image stays uniform.
	u := NewImage(3)
	for i := range u.Pix {
		u.Pix[i] = 77
	}
	for _, v := range u.Resample(2).Pix {
		if v != 77 {
			t.Fatalf("uniform image resampled to %d", v)
		}
	}
	// Centre crop of one half keeps the middle.
	c := FromImage(src, 2, 0.5)
	if c.Size != 2 || c.Pix[0] != 200 || c.Pix[3*3+2] != 30 {
		t.Fatalf("crop = %v", c.Pix)
	}
}

func TestRealDataCounts(t *testing.T) {
	data := testenv.SharedData(t, "gz1-sdss")
	testenv.SharedData(t, "sdss-spirals-120")
	t.Setenv("SKYBIAS_DATA", data)
	cases := []struct {
		file   string
		region string
		ell    int
		sp     int
	}{
		// Counts from the data sets' README.txt.
		{"gz1-sdss.yaml", "(all)", 4645, 1848},
		{"sdss-spirals-120.yaml", "(all)", 0, 7339},
		{"sdss-spirals-120.yaml", "ps1-f1", 0, 23},
		{"sdss-spirals-120.yaml", "ps1-f2", 0, 817},
		{"sdss-spirals-120.yaml", "ps1-f3", 0, 91},
		{"sdss-spirals-120.yaml", "sdss-A", 0, 373},
		{"sdss-spirals-120.yaml", "sdss-B", 0, 108},
	}
	counts := map[string][]RegionCount{}
	for _, f := range []string{"gz1-sdss.yaml", "sdss-spirals-120.yaml"} {
		src, err := OpenSource(filepath.Join(testenv.Root(t), "experiments", "sources", f))
		if err != nil {
			t.Fatal(err)
		}
		if counts[f], err = CountRegions(src); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		WriteCounts(&buf, src.Name(), counts[f])
		t.Log("\n" + buf.String())
		// Every image of the first few galaxies loads at 64x64.
		set, err := LoadImages(context.Background(), src, src.Galaxies()[:8], 64, false)
		if err != nil {
			t.Fatal(err)
		}
		if set.Len() != 8 {
			t.Fatalf("%s: loaded %d of 8 images", f, set.Len())
		}
	}
	for _, tc := range cases {
		found := false
		for _, c := range counts[tc.file] {
			if c.Region == tc.region {
				found = true
				if c.Elliptical != tc.ell || c.Spiral != tc.sp {
					t.Errorf("%s %s: %d ellipticals, %d spirals; README says %d, %d", tc.file, tc.region, c.Elliptical, c.Spiral, tc.ell, tc.sp)
				}
			}
		}
		if !found {
			t.Errorf("%s has no region %s", tc.file, tc.region)
		}
	}
	// GZ1 camcols partition the catalog.
	sum := 0
	for _, c := range counts["gz1-sdss.yaml"] {
		if strings.HasPrefix(c.Region, "camcol") {
			sum += c.Elliptical + c.Spiral
		}
	}
	if sum != 4645+1848 {
		t.Errorf("camcols hold %d galaxies, want %d", sum, 4645+1848)
	}
}

func TestSurveyFilesParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testenv.Root(t), "experiments", "surveys", "*.yaml"))
	if len(files) < 3 {
		t.Fatalf("found %d survey files", len(files))
	}
	for _, f := range files {
		if _, err := OpenSource(f); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(testenv.Root(t), "go.mod")); err != nil {
		t.Fatal("testenv.Root is not the module root")
	}
}

// survey.contrast: 0 renders exactly the images of a survey whose fields
// share the fields' mean sky; 1 is the survey as written (same digest);
// other values are other surveys.
func TestSurveyContrast(t *testing.T) {
	base := openSurvey(t, "ps1-like.yaml").spec
	with := func(c *float64) SurveySpec {
		s := base
		s.Fields = map[string]FieldSpec{}
		for n, f := range base.Fields {
			s.Fields[n] = f
		}
		s.Contrast = c
		return s
	}
	zero, one, half := 0.0, 1.0, 0.5
	null, err := NewSurvey("zero", with(&zero))
	if err != nil {
		t.Fatal(err)
	}
	// The same survey written with one sky: each field gets the resolved
	// mean conditions.
	shared := with(nil)
	for n, f := range shared.Fields {
		f.Sky = null.spec.Fields["f1"].Sky
		shared.Fields[n] = f
	}
	same, err := NewSurvey("shared", shared)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"f1", "f2", "f3"} {
		a, errA := null.RenderJPEG(field, Spiral, 3)
		b, errB := same.RenderJPEG(field, Spiral, 3)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Fatalf("field %s: contrast 0 and a shared sky render different images (%v, %v)", field, errA, errB)
		}
	}
	if null.spec.Fields["f1"].Sky != null.spec.Fields["f2"].Sky {
		t.Error("at contrast 0 the fields' skies differ")
	}
	asWritten, _ := NewSurvey("one", with(&one))
	plain, _ := NewSurvey("plain", with(nil))
	if asWritten.Digest() != plain.Digest() {
		t.Error("contrast 1 changed the digest of the survey as written")
	}
	h, err := NewSurvey("half", with(&half))
	if err != nil {
		t.Fatal(err)
	}
	if h.Digest() == plain.Digest() || h.Digest() == null.Digest() {
		t.Error("contrast 0.5 has the digest of another contrast")
	}
	f1, f2 := h.spec.Fields["f1"].Sky.Stars, h.spec.Fields["f2"].Sky.Stars
	w1, w2 := base.Fields["f1"].Sky.Stars, base.Fields["f2"].Sky.Stars
	if d, w := f2-f1, w2-w1; d <= 0 || d >= w {
		t.Errorf("contrast 0.5: star difference %g, want between 0 and %g", d, w)
	}
	bad := -1.0
	if _, err := NewSurvey("bad", with(&bad)); err == nil || !strings.Contains(err.Error(), "contrast") {
		t.Errorf("contrast -1: %v", err)
	}
}

// survey.contrasts scales single conditions: {contrast: 0, contrasts:
// {stars: d}} leaves the fields differing in stars alone, by d times the
// written difference; entries equal to the overall contrast are dropped
// from the resolved survey, so they do not make another digest.
func TestSurveyContrasts(t *testing.T) {
	base := openSurvey(t, "ps1-like.yaml").spec
	with := func(c *float64, per map[string]float64) SurveySpec {
		s := base
		s.Fields = map[string]FieldSpec{}
		for n, f := range base.Fields {
			s.Fields[n] = f
		}
		s.Contrast, s.Contrasts = c, per
		return s
	}
	zero, third := 0.0, 0.3
	cases := []struct {
		name    string
		c       *float64
		per     map[string]float64
		stars   float64 // want f2 - f1 stars, in units of the written difference
		seeing  float64 // the same for seeing
		sameAs  string  // a case with the same digest
		wantErr string
	}{
		{name: "stars only", c: &zero, per: map[string]float64{"stars": 2}, stars: 2, seeing: 0},
		{name: "seeing only", c: &zero, per: map[string]float64{"seeing": 1}, stars: 0, seeing: 1},
		{name: "stars kept", c: &third, per: map[string]float64{"stars": 1, "star_flux": 1}, stars: 1, seeing: 0.3},
		{name: "redundant entry", c: &third, per: map[string]float64{"noise": 0.3}, stars: 0.3, seeing: 0.3, sameAs: "plain 0.3"},
		{name: "plain 0.3", c: &third, stars: 0.3, seeing: 0.3},
		{name: "all one", per: map[string]float64{"stars": 1}, stars: 1, seeing: 1, sameAs: "as written"},
		{name: "as written", stars: 1, seeing: 1},
		{name: "unknown", per: map[string]float64{"starz": 1}, wantErr: `unknown condition "starz"`},
		{name: "negative", per: map[string]float64{"stars": -1}, wantErr: "stars -1 is outside 0..10"},
	}
	digests := map[string]string{}
	w1, w2 := base.Fields["f1"].Sky, base.Fields["f2"].Sky
	for _, tc := range cases {
		s, err := NewSurvey(tc.name, with(tc.c, tc.per))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		digests[tc.name] = s.Digest()
		f1, f2 := s.spec.Fields["f1"].Sky, s.spec.Fields["f2"].Sky
		if got := (f2.Stars - f1.Stars) / (w2.Stars - w1.Stars); math.Abs(got-tc.stars) > 1e-9 {
			t.Errorf("%s: star difference %g of the written, want %g", tc.name, got, tc.stars)
		}
		if got := (f2.Seeing - f1.Seeing) / (w2.Seeing - w1.Seeing); math.Abs(got-tc.seeing) > 1e-9 {
			t.Errorf("%s: seeing difference %g of the written, want %g", tc.name, got, tc.seeing)
		}
	}
	for _, tc := range cases {
		if tc.sameAs != "" && digests[tc.name] != digests[tc.sameAs] {
			t.Errorf("%s: digest differs from %s's", tc.name, tc.sameAs)
		}
	}
	if digests["stars only"] == digests["seeing only"] || digests["stars kept"] == digests["plain 0.3"] {
		t.Error("different per-condition contrasts share a digest")
	}
}

// Image files that would take unbounded time or memory fail at once,
// naming the path.
func TestImageLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.png")
	var b bytes.Buffer
	// A 8000x8000 single-colour PNG compresses to a few hundred KB.
	img := image.NewGray(image.Rect(0, 0, 8000, 8000))
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"a device", "/dev/zero", "not a regular file"},
		{"a folder", dir, "not a regular file"},
		{"too many pixels", big, "8000x8000 pixels"},
		{"missing", filepath.Join(dir, "nope.jpg"), "nope.jpg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeImageFile(tc.path)
			if err == nil || !errors.Is(err, ErrBadImage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want a bad-image error containing %q", err, tc.want)
			}
		})
	}
}
