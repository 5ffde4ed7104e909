package aniso

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/skybias/skybias/stats"
)

// uniformSky draws n positions uniformly over the sphere, or, with cap,
// 90% of them inside a cap of 30 degrees around (RA 150, Dec 40): a
// footprint as uneven as a survey's.
func uniformSky(r *rand.Rand, n int, cap bool) (ra, dec []float64) {
	centre := Direction{150, 40}
	for len(ra) < n {
		a := r.Float64() * 360
		d := math.Asin(2*r.Float64()-1) * 180 / math.Pi
		if cap && r.Float64() < 0.9 && Separation(Direction{a, d}, centre) > 30 {
			continue
		}
		ra, dec = append(ra, a), append(dec, d)
	}
	return ra, dec
}

// TestInjectedDipole recovers a dipole put into labels drawn with
// P(spiral) = 0.5 + A cos(angle to the axis), for labels and for
// continuous values.
func TestInjectedDipole(t *testing.T) {
	cases := []struct {
		name   string
		amp    float64
		axis   Direction
		binary bool
	}{
		{"labels", 0.08, Direction{120, 30}, true},
		{"labels south", 0.05, Direction{300, -60}, true},
		{"p_spiral", 0.03, Direction{10, 5}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			ra, dec := uniformSky(r, 20000, false)
			ax := c.axis.Unit()
			v := make([]float64, len(ra))
			for i := range ra {
				u := Direction{ra[i], dec[i]}.Unit()
				p := 0.5 + c.amp*(u[0]*ax[0]+u[1]*ax[1]+u[2]*ax[2])
				if c.binary {
					if r.Float64() < p {
						v[i] = 1
					}
				} else {
					v[i] = p + 0.2*r.NormFloat64()
				}
			}
			res, err := Test(context.Background(), ra, dec, v, Options{Permutations: 200, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			d := res.Dipole
			if math.Abs(d.Amplitude-c.amp) > 3*d.AmplitudeErr+0.005 {
				t.Errorf("amplitude %.4f +- %.4f; injected %.3f", d.Amplitude, d.AmplitudeErr, c.amp)
			}
			if sep := Separation(d.Axis, c.axis); sep > 3*d.AxisErr+2 {
				t.Errorf("axis (%.1f, %.1f) +- %.1f deg is %.1f deg from the injected (%g, %g)", d.Axis.RA, d.Axis.Dec, d.AxisErr, sep, c.axis.RA, c.axis.Dec)
			}
			if d.AxisErr <= 0 || d.AxisErr > 20 {
				t.Errorf("axis error %.2f deg is not a plausible uncertainty", d.AxisErr)
			}
			if res.P > 1.0/201+1e-12 {
				t.Errorf("P %g: no permutation should reach an injected dipole", res.P)
			}
			if math.Abs(d.Monopole-0.5) > 4*d.MonopoleErr {
				t.Errorf("monopole %.4f +- %.4f; injected 0.5", d.Monopole, d.MonopoleErr)
			}
			h := res.Hemisphere
			// Along the axis the halves differ by A (the mean of cos over
			// a hemisphere is 1/2, so +-A/2 each side).
			if h.Lo > c.amp || h.Hi < c.amp || h.NTowards+h.NAway != len(ra) {
				t.Errorf("hemisphere difference %.4f [%.4f, %.4f] over %d+%d galaxies; want it to cover %.3f", h.Diff, h.Lo, h.Hi, h.NTowards, h.NAway, c.amp)
			}
		})
	}
}

// TestUnevenFootprintNull: labels independent of position on a footprint
// with 90% of the galaxies in one cap give no dipole by permutation, and
// over 40 such catalogs the p-values look uniform; a dipole of the same
// catalog judged against its own fit's error (as if the sky were evenly
// covered) is what permutations guard against.
func TestUnevenFootprintNull(t *testing.T) {
	var ps []float64
	for k := range 40 {
		r := rand.New(rand.NewPCG(uint64(k), 99))
		ra, dec := uniformSky(r, 3000, true)
		v := make([]float64, len(ra))
		for i := range v {
			if r.Float64() < 0.4 {
				v[i] = 1
			}
		}
		res, err := Test(context.Background(), ra, dec, v, Options{Permutations: 200, Seed: uint64(k)})
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 && res.P <= 0.05 {
			t.Errorf("catalog 0: P %g on a footprint without a dipole", res.P)
		}
		if res.Null95 <= res.NullMedian || res.NullMedian <= 0 {
			t.Errorf("catalog %d: null amplitudes median %g, 95th %g", k, res.NullMedian, res.Null95)
		}
		ps = append(ps, res.P)
	}
	ks, err := stats.KSUniform(ps)
	if err != nil {
		t.Fatal(err)
	}
	if ks.P < 0.01 {
		t.Errorf("null p-values over 40 uneven footprints are not uniform: KS D %.3f, P %.4f (%v)", ks.D, ks.P, ps)
	}
	below := 0
	for _, p := range ps {
		if p <= 0.05 {
			below++
		}
	}
	if below > 6 {
		t.Errorf("%d of 40 null catalogs at P <= 0.05 (expect about 2)", below)
	}
}

// TestPermutationsDeterministic: the same seed gives the same answer
// whatever the number of workers, and another seed another one.
func TestPermutationsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ra, dec := uniformSky(r, 500, true)
	v := make([]float64, len(ra))
	for i := range v {
		v[i] = r.Float64()
	}
	var first *Result
	for _, w := range []int{1, 2, 7} {
		res, err := Test(context.Background(), ra, dec, v, Options{Permutations: 150, Seed: 11, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
		} else if res.Exceed != first.Exceed || res.NullMedian != first.NullMedian || res.Null95 != first.Null95 {
			t.Errorf("workers %d: exceed %d, median %g; 1 worker: %d, %g", w, res.Exceed, res.NullMedian, first.Exceed, first.NullMedian)
		}
	}
	other, _ := Test(context.Background(), ra, dec, v, Options{Permutations: 150, Seed: 12})
	if other.NullMedian == first.NullMedian {
		t.Error("another seed gave the same permutations")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Test(ctx, ra, dec, v, Options{Permutations: 150}); err == nil {
		t.Error("a cancelled test finished")
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name        string
		ra, dec, v  []float64
		perms       int
		wantInError string
	}{
		{"too few", []float64{1, 2, 3}, []float64{0, 0, 0}, []float64{1, 0, 1}, 200, "do not determine"},
		{"one great circle", []float64{0, 60, 120, 180, 240, 300}, []float64{0, 0, 0, 0, 0, 0}, []float64{1, 0, 1, 0, 1, 0}, 200, "do not determine"},
		{"lengths", []float64{0, 60, 120, 180, 240}, []float64{0, 10, 20, 30, 40}, []float64{1}, 200, "1 values for 5 positions"},
		{"dec", []float64{0, 60, 120, 180, 240}, []float64{0, 10, 20, 30, 95}, []float64{1, 0, 1, 0, 1}, 200, "not a position"},
		{"nan value", []float64{0, 60, 120, 180, 240}, []float64{0, 10, -20, 30, 45}, []float64{1, 0, math.NaN(), 0, 1}, 200, "galaxy 3 has value NaN"},
		{"permutations", []float64{0, 60, 120, 180, 240}, []float64{0, 10, -20, 30, 45}, []float64{1, 0, 1, 0, 1}, 10, "10 permutations"},
	}
	for _, c := range cases {
		_, err := Test(context.Background(), c.ra, c.dec, c.v, Options{Permutations: c.perms})
		if err == nil || !strings.Contains(err.Error(), c.wantInError) {
			t.Errorf("%s: error %v; want one saying %q", c.name, err, c.wantInError)
		}
	}
}

// TestGridEqualArea: every cell covers the same solid angle, and uniform
// positions fill them evenly.
func TestGridEqualArea(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ra, dec := uniformSky(r, 48000, false)
	v := make([]float64, len(ra))
	cells, err := Grid(ra, dec, v, 6, 8)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range cells {
		area := (c.RAMax - c.RAMin) * math.Pi / 180 * (math.Sin(c.DecMax*math.Pi/180) - math.Sin(c.DecMin*math.Pi/180))
		if math.Abs(area-4*math.Pi/48) > 1e-12 {
			t.Errorf("cell %+v covers %g sr; want %g", c, area, 4*math.Pi/48)
		}
		if c.N < 850 || c.N > 1150 {
			t.Errorf("cell %+v holds %d of 48000 uniform galaxies; want about 1000", c, c.N)
		}
		total += c.N
	}
	if total != len(ra) {
		t.Errorf("cells hold %d galaxies of %d", total, len(ra))
	}
	if _, err := Grid(ra, dec, v, 0, 8); err == nil {
		t.Error("0 bands accepted")
	}
}

func TestReadCatalog(t *testing.T) {
	const cat = "id,ra,dec,class,p_spiral,label\na,10,20,spiral,0.9,spiral\nb,350,-5,elliptical,0.2,elliptical\nc,5,5,,0.5,\n"
	cases := []struct {
		column string
		values []float64
		skip   int
		err    string
	}{
		{"p_spiral", []float64{0.9, 0.2, 0.5}, 0, ""},
		{"label", []float64{1, 0}, 1, ""},
		{"class", []float64{1, 0}, 1, ""},
		{"p_elliptical", nil, 0, `no column "p_elliptical"`},
	}
	for _, c := range cases {
		cols, skip, err := ReadCatalog(strings.NewReader(cat), "cat.csv", c.column)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v; want %q", c.column, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.column, err)
		}
		if skip != c.skip || len(cols.Value) != len(c.values) {
			t.Fatalf("%s: %v, skipped %d", c.column, cols.Value, skip)
		}
		for i := range c.values {
			if cols.Value[i] != c.values[i] {
				t.Errorf("%s: value %d = %g; want %g", c.column, i, cols.Value[i], c.values[i])
			}
		}
	}
	bad := []struct{ text, err string }{
		{"", "empty file"},
		{"id,ra,dec,p_spiral\na,x,1,0.5\n", `cat.csv:2: ra "x"`},
		{"id,ra,dec,p_spiral\na,1,91,0.5\n", "cat.csv:2: dec"},
		{"id,ra,dec,p_spiral\na,1,1\n", "wrong number of fields"},
		{"id,ra,dec,p_spiral\n", "no galaxies"},
	}
	for _, b := range bad {
		_, _, err := ReadCatalog(strings.NewReader(b.text), "cat.csv", "p_spiral")
		if err == nil || !strings.Contains(err.Error(), b.err) {
			t.Errorf("%q: error %v; want %q", b.text, err, b.err)
		}
	}
}

// FuzzReadCatalog: any bytes give a catalog or an error naming the file,
// never a panic, and what is read lies on the sky.
func FuzzReadCatalog(f *testing.F) {
	f.Add("id,ra,dec,p_spiral,label\na,10,20,0.9,spiral\n")
	f.Add("ra,dec,label\n1,2,elliptical\n3,4,spiral\n")
	f.Add("ra,dec,label\n\"1,2\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, col := range []string{"p_spiral", "label"} {
			cols, _, err := ReadCatalog(strings.NewReader(text), "f.csv", col)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "f.csv") {
					t.Fatalf("error %q does not name the file", err)
				}
				continue
			}
			for i := range cols.RA {
				if cols.Dec[i] < -90 || cols.Dec[i] > 90 || math.IsNaN(cols.RA[i]) || math.IsNaN(cols.Value[i]) {
					t.Fatalf("row %d: %g %g %g", i, cols.RA[i], cols.Dec[i], cols.Value[i])
				}
			}
		}
	})
}

// TestReadCatalogExtra: extra columns come back as text, row for row
// with the values kept; a missing one is an error naming it.
func TestReadCatalogExtra(t *testing.T) {
	csv := "id,ra,dec,label,run\na,10,5,spiral,3\nb,11,6,,4\nc,12,7,elliptical,5\n"
	cols, skipped, err := ReadCatalog(strings.NewReader(csv), "cat.csv", "label", "run")
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 || !reflect.DeepEqual(cols.Extra["run"], []string{"3", "5"}) {
		t.Errorf("skipped %d, runs %v; want 1 and [3 5]", skipped, cols.Extra["run"])
	}
	if _, _, err := ReadCatalog(strings.NewReader(csv), "cat.csv", "label", "seeing"); err == nil || !strings.Contains(err.Error(), `cat.csv: no column "seeing"`) {
		t.Errorf("missing extra column: %v", err)
	}
}
