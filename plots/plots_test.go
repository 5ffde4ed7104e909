package plots

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/sky"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// fixtures are the figures drawn from fixed data for the golden tests.
func fixtures(t *testing.T) []*Figure {
	t.Helper()
	must := func(f *Figure, err error) *Figure {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	bias := must(BiasChart("Predicted spiral fraction by training design", []BiasRow{
		{Label: "3: S1 E1 -> 1", PSpiral: 0.462, Lo: 0.454, Hi: 0.470, Published: 0.46},
		{Label: "6: S1 E2 -> 1", PSpiral: 0.490, Lo: 0.482, Hi: 0.498, Published: 0.49, Significant: true},
		{Label: "8: S2 E1 -> 1", PSpiral: 0.500, Lo: 0.492, Hi: 0.508, Published: 0.49, Significant: true},
		{Label: "null", PSpiral: 0.47, Lo: 0.45, Hi: 0.49, Published: math.NaN()},
	}))
	curve := must(AccuracyCurve("Accuracy against training-set size", []Series{
		{Name: "field 1", Points: []CurvePoint{{100, 0.80, 0.78, 0.82}, {250, 0.87, 0.855, 0.885}, {500, 0.91, 0.90, 0.92}, {1000, 0.94, 0.935, 0.945}, {3000, 0.95, 0.946, 0.954}}},
		{Name: "field 2", Points: []CurvePoint{{100, 0.78, 0.75, 0.81}, {250, 0.85, 0.83, 0.87}, {500, 0.90, 0.89, 0.91}, {1000, 0.93, 0.92, 0.94}, {3000, 0.945, 0.94, 0.95}}},
	}, true))
	conf := must(ConfusionFigure("Table 6", [2][2]int{{7749, 251}, {408, 7592}}, &[2][2]int{{7700, 300}, {400, 7600}}))
	skymap := must(SkyMap("Predicted spiral fraction by field", []SkyRegion{
		{Name: "f1", RAMin: 0, RAMax: 20, DecMin: 0, DecMax: 20, Value: 0.54},
		{Name: "f2", RAMin: 180, RAMax: 200, DecMin: 0, DecMax: 20, Value: 0.44},
		{Name: "wrap", RAMin: 340, RAMax: 10, DecMin: -30, DecMax: -10, Value: 0.5},
	}))
	hist := must(TrainingHistory("table06", &netspec.History{Epochs: []netspec.EpochStats{
		{Epoch: 1, Loss: 0.6, Acc: 0.7, ValLoss: 0.55, ValAcc: 0.72}, {Epoch: 2, Loss: 0.4, Acc: 0.82, ValLoss: 0.42, ValAcc: 0.8},
		{Epoch: 3, Loss: 0.3, Acc: 0.88, ValLoss: 0.38, ValAcc: 0.83}}}))
	img := sky.NewImage(8)
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	_ = img
	var ps []float64
	for i := 1; i <= 40; i++ {
		ps = append(ps, float64(i)/41)
	}
	qq, err := PValueQQ("P values against uniform", []QQSeries{{Name: "null", P: ps}, {Name: "biased", P: []float64{1e-9, 1e-6, 1e-4, 0.01, 0.2}}})
	if err != nil {
		panic(err)
	}
	dose := must(EffectCurve("Effect against field contrast", "field contrast", []EffectSeries{
		{Name: "all conditions", Points: []EffectPoint{{0, 0.01, -0.05, 0.07, false}, {0.2, 0.04, -0.01, 0.09, false}, {0.4, 0.12, 0.07, 0.17, true}, {1, 0.3, 0.22, 0.38, true}}},
		{Name: "stars only", Points: []EffectPoint{{0, -0.02, -0.08, 0.04, false}, {0.4, 0.05, 0.0, 0.1, false}, {1, 0.15, 0.08, 0.22, true}}},
	}))
	var cells []MapCell
	for b := range 6 {
		for c := range 12 {
			s0, s1 := -1+float64(b)/3, -1+float64(b+1)/3
			dec0, dec1 := math.Asin(s0)*180/math.Pi, math.Asin(s1)*180/math.Pi
			cells = append(cells, MapCell{RAMin: float64(c) * 30, RAMax: float64(c+1) * 30, DecMin: dec0, DecMax: dec1, N: 10,
				Value: 0.5 + 0.1*math.Sin((dec0+dec1)/2*math.Pi/180)})
		}
	}
	cells[5].N = 0 // an empty cell stays white
	aniso := must(AnisotropyMaps("dipole", 0.5, 0.1, []MapPanel{
		{Title: "biased", Cells: cells, Markers: []SkyMarker{{RA: 0, Dec: 90, Glyph: "o", Label: "design"}, {RA: 30, Dec: 80, Glyph: "+"}, {RA: 210, Dec: -80, Glyph: "x"}}},
		{Title: "balanced", Cells: cells[:36]},
	}))
	dipole := func(ra, dec float64) (float64, bool) {
		if dec < -60 {
			return 0, false // unseen
		}
		return 0.5 + 0.1*math.Sin(dec*math.Pi/180)*math.Cos((ra-90)*math.Pi/180), true
	}
	healpixMap := must(SkyFunction("a dipole on a HEALPix-like map", "mean p(spiral)", 0.5, 0.1, dipole))
	return []*Figure{bias, curve, conf, skymap, hist, qq, dose, aniso, healpixMap}
}

// TestGoldenFigures compares each figure with its golden PNG within a
// tolerance (gonum/plot's cmpimg.EqualApprox). Regenerate the goldens
// with: go test ./plots -run Golden -update
func TestGoldenFigures(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			got := f.PNG()
			path := filepath.Join("testdata", f.Name+"_golden.png")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./plots -run Golden -update)", err)
			}
			ok, err := cmpimg.EqualApprox("png", got, want, 0.02)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				bad := filepath.Join(t.TempDir(), f.Name+".png")
				os.WriteFile(bad, got, 0o644)
				t.Errorf("%s differs from %s beyond tolerance; new image in %s", f.Name, path, bad)
			}
			svg := f.SVG()
			if !strings.HasPrefix(strings.TrimSpace(svg), "<?xml") || !strings.Contains(svg, "<svg") {
				t.Errorf("SVG output does not look like SVG: %.80s", svg)
			}
		})
	}
}

func TestSaveByExtension(t *testing.T) {
	f := fixtures(t)[2]
	dir := t.TempDir()
	for _, name := range []string{"a.png", "a.svg"} {
		if err := f.Save(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(filepath.Join(dir, "a.gif")); err == nil || !strings.Contains(err.Error(), "want a .png or .svg") {
		t.Fatalf("gif: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "a.png"))
	if len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatal("a.png is not a PNG")
	}
}

func TestAitoff(t *testing.T) {
	x, y := aitoff(180, 0)
	if math.Abs(x) > 1e-12 || math.Abs(y) > 1e-12 {
		t.Errorf("centre maps to %g, %g", x, y)
	}
	x, _ = aitoff(0, 0) // RA 0: the right edge
	if math.Abs(x-math.Pi) > 1e-9 {
		t.Errorf("RA 0 maps to x = %g, want +-pi", x)
	}
	_, y = aitoff(100, 90)
	if math.Abs(y-math.Pi/2) > 1e-9 {
		t.Errorf("pole maps to y = %g", y)
	}
	if xl, _ := aitoff(190, 0); xl >= 0 {
		t.Errorf("RA increases to the left: RA 190 at x = %g", xl)
	}
}

// Values a plotter cannot draw (NaN, infinities) are errors naming the
// figure, not a panic or a silently empty figure.
func TestBadValuesAreErrors(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		draw func() (*Figure, error)
	}{
		{"bias NaN p", func() (*Figure, error) {
			return BiasChart("b", []BiasRow{{Label: "x", PSpiral: nan, Lo: 0.4, Hi: 0.6, Published: nan}})
		}},
		{"curve Inf", func() (*Figure, error) {
			return AccuracyCurve("c", []Series{{Name: "s", Points: []CurvePoint{{X: 1, Mean: math.Inf(1)}}}}, false)
		}},
		{"skymap NaN value", func() (*Figure, error) {
			return SkyMap("m", []SkyRegion{{Name: "r", RAMin: 0, RAMax: 10, DecMin: 0, DecMax: 10, Value: nan}})
		}},
		{"skymap Dec out of range", func() (*Figure, error) {
			return SkyMap("m", []SkyRegion{{Name: "r", RAMin: 0, RAMax: 10, DecMin: 80, DecMax: 95, Value: 0.5}})
		}},
		{"history NaN loss", func() (*Figure, error) {
			return TrainingHistory("h", &netspec.History{Epochs: []netspec.EpochStats{{Epoch: 1, Loss: nan, Acc: 0.5}}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.draw()
			if err == nil || f != nil {
				t.Fatalf("got figure %v, error %v; want an error", f, err)
			}
		})
	}
}

// TestMollweideRoundTrip: the projection's inverse gives back the
// direction, and points outside the ellipse are no direction.
func TestMollweideRoundTrip(t *testing.T) {
	for _, d := range [][2]float64{{0.5, 0}, {180, 0}, {90, 45}, {300, -80}, {200, 89.5}, {10, -30}} {
		x, y := mollweide(d[0], d[1])
		ra, dec, ok := unmollweide(x, y)
		if !ok || math.Abs(dec-d[1]) > 1e-6 || math.Abs(math.Remainder(ra-d[0], 360)) > 1e-6 {
			t.Errorf("(%g, %g) -> (%g, %g) -> (%g, %g, %v)", d[0], d[1], x, y, ra, dec, ok)
		}
	}
	if _, _, ok := unmollweide(2.8, 1.3); ok {
		t.Error("a corner of the plane outside the ellipse read as a direction")
	}
}
