package healpix

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/fitstable"
	"github.com/skybias/skybias/internal/testenv"
)

// points are random directions (uniform on the sphere) and the awkward
// ones: the poles, RA 0 and 360, the belt's edges (|sin dec| = 2/3) and
// a pixel corner.
func points() (ra, dec []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 4000 {
		ra = append(ra, 360*r.Float64())
		dec = append(dec, math.Asin(2*r.Float64()-1)*180/math.Pi)
	}
	edge := math.Asin(2.0/3) * 180 / math.Pi
	for _, p := range [][2]float64{{0, 90}, {0, -90}, {360, 0}, {0, 0}, {45, 0}, {359.9999999, 10}, {10, edge}, {10, -edge}, {200, edge + 1e-9}, {90, 41.8}} {
		ra, dec = append(ra, p[0]), append(dec, p[1])
	}
	return ra, dec
}

// TestPixelsAgreeWithHealpy: every direction falls in the pixel healpy
// gives it, in both orders, at NSIDE from 1 to 4096.
func TestPixelsAgreeWithHealpy(t *testing.T) {
	py := testenv.Python(t, "healpy", "numpy")
	ra, dec := points()
	nsides := []int{1, 2, 4, 16, 64, 1024, 4096}
	var b strings.Builder
	b.WriteString("ra,dec")
	for _, n := range nsides {
		fmt.Fprintf(&b, ",ring%d,nest%d", n, n)
	}
	b.WriteString("\n")
	for i := range ra {
		fmt.Fprintf(&b, "%.17g,%.17g", ra[i], dec[i])
		for _, n := range nsides {
			fmt.Fprintf(&b, ",%d,%d", Pixel(n, Ring, ra[i], dec[i]), Pixel(n, Nested, ra[i], dec[i]))
		}
		b.WriteString("\n")
	}
	csv := filepath.Join(t.TempDir(), "pix.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, numpy as np, healpy as hp
d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
bad = 0
for name in d.dtype.names[2:]:
    nest = name.startswith("nest")
    n = int(name[4:])
    got = hp.ang2pix(n, d["ra"], d["dec"], lonlat=True, nest=nest)
    diff = np.nonzero(got != d[name].astype(np.int64))[0]
    for i in diff[:3]:
        print("%s: (%r, %r) healpy %d, skybias %d" % (name, d["ra"][i], d["dec"][i], got[i], d[name][i]))
    bad += len(diff)
print("checked", len(d), "points", len(d.dtype.names) - 2, "maps", bad, "differ")
sys.exit(1 if bad else 0)
`
	out, err := exec.Command(py, "-c", script, csv).CombinedOutput()
	if err != nil {
		t.Fatalf("healpy disagrees: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// TestMapReadByHealpy: a map written here is read by healpy's read_map
// with its NSIDE, ordering and coordinate system, every pixel's count and
// mean equal to healpy's own binning of the same galaxies, and pixels
// without galaxies UNSEEN.
func TestMapReadByHealpy(t *testing.T) {
	py := testenv.Python(t, "healpy", "numpy", "astropy")
	ra, dec := points()
	v := make([]float64, len(ra))
	for i := range v {
		v[i] = math.Sin(ra[i]*math.Pi/180) + dec[i]/90
	}
	for _, o := range []Order{Ring, Nested} {
		const nside = 8
		counts, means, err := Bin(nside, o, ra, dec, [][]float64{v})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var fits bytes.Buffer
		if err := WriteMap(&fits, nside, o, []Column{{Name: "count", Values: counts}, {Name: "mean_v", Values: means[0]}},
			[]fitstable.Card{{Key: "CATALOG", Value: "points"}}); err != nil {
			t.Fatal(err)
		}
		mapPath := filepath.Join(dir, "map.fits")
		os.WriteFile(mapPath, fits.Bytes(), 0o644)
		var b strings.Builder
		b.WriteString("ra,dec,v\n")
		for i := range ra {
			fmt.Fprintf(&b, "%.17g,%.17g,%.17g\n", ra[i], dec[i], v[i])
		}
		csv := filepath.Join(dir, "points.csv")
		os.WriteFile(csv, []byte(b.String()), 0o644)
		script := `
import sys, numpy as np, healpy as hp
from astropy.io import fits
nest = sys.argv[3] == "NESTED"
m, h = hp.read_map(sys.argv[1], field=(0, 1), nest=nest, h=True, dtype=np.float64)
h = dict(h)
assert h["NSIDE"] == 8 and h["ORDERING"] == sys.argv[3] and h["COORDSYS"] == "C" and h["PIXTYPE"] == "HEALPIX", h
d = np.genfromtxt(sys.argv[2], delimiter=",", names=True)
pix = hp.ang2pix(8, d["ra"], d["dec"], lonlat=True, nest=nest)
count = np.bincount(pix, minlength=hp.nside2npix(8)).astype(float)
s = np.bincount(pix, weights=d["v"], minlength=hp.nside2npix(8))
mean = np.where(count > 0, s / np.maximum(count, 1), hp.UNSEEN)
assert np.array_equal(m[0], count), "counts differ"
assert np.allclose(m[1], mean, rtol=1e-12, atol=0), "means differ: %r" % np.max(np.abs(m[1] - mean))
assert fits.open(sys.argv[1])[1].header["CATALOG"] == "points"
print("ok", int(count.sum()), "galaxies in", int((count > 0).sum()), "pixels")
`
		out, err := exec.Command(py, "-c", script, mapPath, csv, o.String()).CombinedOutput()
		if err != nil {
			t.Fatalf("%s map: healpy: %v\n%s", o, err, out)
		}
	}
}

// TestChecks: NSIDE must be a power of two within bounds, positions real,
// and maps as long as the sky.
func TestChecks(t *testing.T) {
	for _, n := range []int{0, -2, 3, 12, MaxNside * 2} {
		if CheckNside(n) == nil {
			t.Errorf("nside %d accepted", n)
		}
	}
	if _, _, err := Bin(4, Ring, []float64{1}, []float64{math.NaN()}, nil); err == nil || !strings.Contains(err.Error(), "galaxy 1") {
		t.Errorf("NaN position: %v", err)
	}
	if _, _, err := Bin(4, Ring, []float64{1}, []float64{95}, nil); err == nil {
		t.Error("Dec 95 accepted")
	}
	if err := WriteMap(&bytes.Buffer{}, 4, Ring, []Column{{Name: "x", Values: make([]float64, 10)}}, nil); err == nil || !strings.Contains(err.Error(), "192") {
		t.Errorf("short map: %v", err)
	}
}
