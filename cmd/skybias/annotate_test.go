package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/internal/testenv"
)

// tinyResult runs testdata/tiny/t5.yaml (spirals from field p,
// ellipticals from q, the whole source annotated and tested) into a fresh
// store and returns the store, the report folder and the job's hash.
func tinyResult(t *testing.T) (store, out, hash string) {
	t.Helper()
	dir := t.TempDir()
	store, out = filepath.Join(dir, "store"), filepath.Join(dir, "out")
	text, code := run(t, "run", "--results", store, "--out", out, "testdata/tiny/t5.yaml")
	if code != 0 {
		t.Fatalf("run t5: exit %d\n%s", code, text)
	}
	m := regexp.MustCompile(`catalog of job ([0-9a-f]{12})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no catalog was written:\n%s", text)
	}
	return store, out, m[1]
}

// TestAnnotateAndAnisotropy: an experiment that annotates gets its
// catalog tested in the report and summary.json; the CLI annotates a
// stored result by hash prefix and tests the catalog, as text and JSON.
func TestAnnotateAndAnisotropy(t *testing.T) {
	store, out, hash := tinyResult(t)
	md, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Does the annotated catalog show a fake anisotropy?") || !strings.Contains(string(md), "figures/anisotropy-t5.png") {
		t.Error("the report has no anisotropy section with its map")
	}
	sum, err := findings.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Anisotropy) != 1 || sum.Anisotropy[0].N != 320 || sum.Anisotropy[0].Permutations != 200 || sum.Anisotropy[0].DesignRA == nil {
		t.Errorf("summary.json anisotropy: %+v; want one catalog of 320 galaxies (480 less 80 trained on, less 80 of the other class in their fields to keep the mix), 200 permutations and a design", sum.Anisotropy)
	}
	// t5 asks for multipoles to l = 2 under both nulls, with and without
	// dec, and the axis scan: 2 nulls x 2 covariate sets x 2 orders.
	if len(sum.Multipoles) != 8 {
		t.Errorf("summary.json has %d multipole rows, want 8: %+v", len(sum.Multipoles), sum.Multipoles)
	}
	nulls := map[string]bool{}
	for _, m := range sum.Multipoles {
		nulls[m.Null] = true
		if m.P <= 0 || m.P > 1 || m.BayesFactor <= 0 || m.Permutations != 200 {
			t.Errorf("multipole row %+v: P, Bayes factor or permutations out of place", m)
		}
	}
	if !nulls["galaxy"] || !nulls["HEALPix NSIDE 32 pixel"] {
		t.Errorf("multipole nulls %v; want galaxies and HEALPix NSIDE 32 pixels", nulls)
	}
	if a := sum.Anisotropy; len(a) == 1 && (a[0].ScanAxes == nil || *a[0].ScanAxes < 40 || a[0].ScanP == nil || !(a[0].AmplitudeLo <= a[0].AmplitudeHi)) {
		t.Errorf("summary.json anisotropy lacks the scan or the amplitude interval: %+v", a[0])
	}
	for _, want := range []string{"### Multipoles", "### Shamir's axis scan", "true amplitude: debiased [95% interval]", "figures/healpix-t5.png"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "multipoles.csv")); err != nil || !bytes.HasPrefix(b, []byte("experiment,repeat,null,units,covariates,l_max,l,power,chi2,p_mc,permutations,bayes_factor\n")) {
		t.Errorf("multipoles.csv: %v\n%.200s", err, b)
	}

	cat := filepath.Join(t.TempDir(), "sub", "cat.csv")
	text, code := run(t, "annotate", hash[:8], "--results", store, "--out", cat, "--n", "100", "--regions", "p", "--fits", cat+".fits")
	if code != 0 {
		t.Fatalf("annotate: exit %d\n%s", code, text)
	}
	data, _ := os.ReadFile(cat)
	if n := bytes.Count(data, []byte{'\n'}); n != 101 || !bytes.HasPrefix(data, []byte("id,ra,dec,class,p_spiral,label,sky_level,sky_noise\n")) {
		t.Errorf("catalog has %d lines; want a header and 100 rows:\n%.200s", n, data)
	}
	if st, err := os.Stat(cat + ".fits"); err != nil || st.Size() < 2880*2 {
		t.Errorf("no FITS catalog beside the CSV: %v", err)
	}
	if !strings.Contains(text, "40 training galaxies left out") {
		t.Errorf("annotate output does not say what it left out:\n%s", text)
	}
	text, code = run(t, "anisotropy", cat, "--json", "--permutations", "150")
	if code != 0 {
		t.Fatalf("anisotropy: exit %d\n%s", code, text)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		t.Fatalf("--json printed %q: %v", text, err)
	}
	for _, k := range []string{"amplitude", "ra", "dec", "p_mc", "n", "permutations"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("--json has no %q: %s", k, text)
		}
	}
	if obj["n"].(float64) != 100 || obj["permutations"].(float64) != 150 {
		t.Errorf("n %v, permutations %v", obj["n"], obj["permutations"])
	}
	// The FITS catalog gives the same answer, number for number, design
	// direction included.
	fitsText, code := run(t, "anisotropy", cat+".fits", "--json", "--permutations", "150")
	if code != 0 {
		t.Fatalf("anisotropy of the FITS catalog: exit %d\n%s", code, fitsText)
	}
	var fitsObj map[string]any
	if err := json.Unmarshal([]byte(fitsText), &fitsObj); err != nil {
		t.Fatal(err)
	}
	if fitsObj["catalog"] != cat+".fits" || fitsObj["design_ra"] == nil {
		t.Errorf("FITS: catalog %v, design %v", fitsObj["catalog"], fitsObj["design_ra"])
	}
	delete(fitsObj, "catalog")
	csvObj := maps.Clone(obj)
	delete(csvObj, "catalog")
	if !reflect.DeepEqual(fitsObj, csvObj) {
		t.Errorf("anisotropy cat.fits differs from anisotropy cat.csv:\nFITS %s\nCSV  %s", fitsText, text)
	}
	// Multipoles and a HEALPix map of the same catalog: two orders, each
	// with a permutation P; the map holds every galaxy.
	hpx := filepath.Join(t.TempDir(), "map.fits")
	mpText, code := run(t, "anisotropy", cat, "--json", "--permutations", "150", "--lmax", "2", "--healpix", hpx, "--nside", "8", "--scan", "500", "--covariates", "glat", "--healpix-png", hpx+".png")
	if code != 0 {
		t.Fatalf("anisotropy --lmax 2 --healpix: exit %d\n%s", code, mpText)
	}
	if png, err := os.ReadFile(hpx + ".png"); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("--healpix-png wrote no PNG: %v", err)
	}
	var mp struct {
		Multipoles struct {
			Orders []struct {
				L int     `json:"l"`
				P float64 `json:"p_mc"`
			} `json:"orders"`
			Block string `json:"block"`
		} `json:"multipoles"`
		WithCov struct {
			Covariates []struct {
				Name string `json:"name"`
			} `json:"covariates"`
		} `json:"multipoles_with_covariates"`
		Scan struct {
			Axes         int     `json:"axes"`
			P            float64 `json:"p_mc"`
			PUncorrected float64 `json:"p_uncorrected"`
		} `json:"scan"`
	}
	if err := json.Unmarshal([]byte(mpText), &mp); err != nil || len(mp.Multipoles.Orders) != 2 || mp.Multipoles.Orders[1].L != 2 ||
		!(mp.Multipoles.Orders[0].P > 0 && mp.Multipoles.Orders[0].P <= 1) || mp.Multipoles.Block != "galaxy" {
		t.Errorf("multipoles: %v %+v", err, mp)
	}
	if c := mp.WithCov.Covariates; len(c) != 1 || c[0].Name != "glat" {
		t.Errorf("covariates: %+v", c)
	}
	if s := mp.Scan; s.Axes != 500 || !(s.P > 0 && s.P <= 1) || !(s.PUncorrected >= 0 && s.PUncorrected <= 1) {
		t.Errorf("scan: %+v", s)
	}
	t.Run("healpy reads the map", func(t *testing.T) {
		py := testenv.Python(t, "healpy", "numpy")
		out, err := exec.Command(py, "-c", "import sys, numpy as np, healpy as hp; m = hp.read_map(sys.argv[1], field=0, dtype=np.float64); assert hp.get_nside(m) == 8 and m.sum() == 100, m.sum(); print('ok')", hpx).CombinedOutput()
		if err != nil {
			t.Errorf("healpy: %v\n%s", err, out)
		}
		// The map's mean p(spiral) and fraction labelled spiral per pixel
		// are the catalog's, binned by healpy's own pixel function.
		check := `import sys, csv, numpy as np, healpy as hp
count, p, lab = hp.read_map(sys.argv[1], field=(0, 1, 2), dtype=np.float64)
rows = list(csv.DictReader(open(sys.argv[2])))
pix = hp.ang2pix(8, [float(r["ra"]) for r in rows], [float(r["dec"]) for r in rows], lonlat=True)
for k in set(pix):
    sel = [r for r, q in zip(rows, pix) if q == k]
    assert count[k] == len(sel), (k, count[k], len(sel))
    assert abs(p[k] - np.mean([float(r["p_spiral"]) for r in sel])) < 1e-9, k
    assert abs(lab[k] - np.mean([r["label"] == "spiral" for r in sel])) < 1e-9, k
assert count.sum() == len(rows)
print("ok")`
		if out, err := exec.Command(py, "-c", check, hpx, cat).CombinedOutput(); err != nil {
			t.Errorf("the map's pixels against the catalog: %v\n%s", err, out)
		}
	})
	for _, b := range []struct {
		args []string
		want string
	}{
		{[]string{"--lmax", "7"}, "--lmax 7: want 1 to 4"},
		{[]string{"--scan", "3"}, "--scan 3: want 10 to 100000"},
		{[]string{"--covariates", "dec"}, "add --lmax"},
		{[]string{"--lmax", "1", "--covariates", "seeing"}, `no column "seeing" in the header`},
		{[]string{"--block-column", "run"}, "add --lmax"},
		{[]string{"--lmax", "2", "--block-column", "run", "--block-nside", "4"}, "not both"},
		{[]string{"--block-nside", "8"}, "with --lmax"},
		{[]string{"--healpix", hpx, "--nside", "12"}, "nside 12: want a power of two"},
		{[]string{"--healpix", "map.png"}, "name a .fits file"},
	} {
		if text, code := run(t, append([]string{"anisotropy", cat}, b.args...)...); code == 0 || !strings.Contains(text, b.want) {
			t.Errorf("anisotropy %v: exit %d, %q; want %q", b.args, code, text, b.want)
		}
	}
	png := filepath.Join(t.TempDir(), "map.png")
	text, code = run(t, "anisotropy", cat, "--column", "label", "--map", png)
	if code != 0 || !strings.Contains(text, "fraction") && !strings.Contains(text, "label") {
		t.Fatalf("anisotropy --column label: exit %d\n%s", code, text)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("no map written: %v", err)
	}

	// A catalog with every row twice (two runs written into one file).
	doubled := filepath.Join(t.TempDir(), "doubled.csv")
	catBytes, _ := os.ReadFile(cat)
	lines := strings.SplitAfter(string(catBytes), "\n")
	if err := os.WriteFile(doubled, []byte(string(catBytes)+strings.Join(lines[1:], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"annotate", hash, "--results", store}, "--out is required"},
		{[]string{"annotate", "zzzzzzzz", "--results", store, "--out", cat}, "neither a result folder"},
		{[]string{"annotate", "ffffffffffff", "--results", store, "--out", cat}, "no result ffffffffffff"},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--regions", "nowhere"}, `no region "nowhere"`},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--shards", "4", "--executor", "store"}, "the store executor runs nothing"},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--executor", "slurm"}, "add --shards N"},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--executor", "k8s", "--shards", "2"}, "want one of local, slurm, store"},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--shards", "1001"}, "--shards 1001: want 1 to 1000"},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--n", "100000"}, "100000 galaxies asked for"},
		{[]string{"annotate", hash, "--results", store, "--out", t.TempDir()}, "is a folder"},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--batch", "0"}, "--batch 0: want 1 to 4096"},
		{[]string{"run", "--jobs", "-3", "--results", store, filepath.Join(testenv.Root(t), "experiments", "paper", "table03.yaml")}, "--jobs -3"},
		{[]string{"anisotropy", doubled}, `repeats line 2`},
		{[]string{"annotate", hash, "--results", store, "--out", cat, "--fits", "x.fit"}, "name a .fits file"},
		{[]string{"anisotropy", cat, "--column", "p_elliptical"}, `no column "p_elliptical"`},
		{[]string{"anisotropy", cat, "--permutations", "5"}, "--permutations 5"},
		{[]string{"anisotropy", cat, "--map", "x.jpg"}, "name a .png"},
	}
	for _, b := range bad {
		text, code := run(t, b.args...)
		if code == 0 || !strings.Contains(text, b.want) {
			t.Errorf("%v: exit %d, %q; want an error saying %q", b.args, code, text, b.want)
		}
	}
}

// TestAnnotateShards: a catalog cut into shards, each run by the executor
// as its own process (one after another here; 4 Slurm array tasks when a
// cluster answers), and merged is byte-identical to one unbroken run.
func TestAnnotateShards(t *testing.T) {
	bin := buildCLI(t)
	store, _, hash := tinyResult(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	tests := []struct {
		name string
		args []string
		want string // a line the run prints
	}{
		{"local", []string{"--shards", "3"}, "from 3 shards"},
		{"slurm", []string{"--executor", "slurm", "--shards", "4"}, "submitted 4 annotate task(s) as Slurm array"},
	}
	if out, err := exec.Command(bin, "annotate", hash, "--results", store, "--out", whole, "--batch", "32").CombinedOutput(); err != nil {
		t.Fatalf("unbroken run: %v\n%s", err, out)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "slurm" {
				slurmUp(t)
			}
			cat := filepath.Join(dir, tc.name+".csv")
			args := append([]string{"annotate", hash, "--results", store, "--out", cat, "--batch", "32"}, tc.args...)
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("skybias %v: %v\n%s", args, err, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Fatalf("output does not say %q:\n%s", tc.want, out)
			}
			for _, suffix := range []string{"", ".meta.json"} {
				a, _ := os.ReadFile(whole + suffix)
				b, _ := os.ReadFile(cat + suffix)
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s%s differs from the unbroken run's (%d and %d bytes)", tc.name, suffix, len(a), len(b))
				}
			}
			if m, _ := filepath.Glob(cat + ".shard-*"); len(m) > 0 {
				t.Errorf("shard files left behind: %v", m)
			}
		})
	}
}

// TestNotebookRunFails: a notebook whose cell fails stops there: exit
// status 1, the error on stderr and in the notebook written, later cells
// not run; with --allow-errors every cell runs.
func TestNotebookRunFails(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "bad.ipynb")
	nb := `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
 {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "n := 1", "outputs": [], "execution_count": null},
 {"cell_type": "code", "metadata": {}, "source": "var q int = \"oops\"", "outputs": [], "execution_count": null},
 {"cell_type": "code", "metadata": {}, "source": "import \"fmt\"\n\nfmt.Println(\"after\", n)", "outputs": [], "execution_count": null}]}`
	os.WriteFile(in, []byte(nb), 0o644)
	out := filepath.Join(dir, "out.ipynb")
	cmd := exec.Command(bin, "notebook", "run", in, "-o", out, "-p", "n=4")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v; want status 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), `cannot convert "oops" to int`) || !strings.Contains(stderr.String(), "stopped at cell 3") {
		t.Errorf("stderr does not show the cell's error:\n%s", stderr.String())
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `"output_type": "error"`) || strings.Contains(string(b), "after 4") {
		t.Errorf("the notebook written should hold the error and nothing after it:\n%s", b)
	}
	all, err := exec.Command(bin, "notebook", "run", in, "-o", out, "-p", "n=4", "--allow-errors").CombinedOutput()
	if err != nil {
		t.Fatalf("--allow-errors: %v\n%s", err, all)
	}
	b, _ = os.ReadFile(out)
	if !strings.Contains(string(b), "after 4") {
		t.Errorf("with --allow-errors the last cell did not run:\n%s", b)
	}
	if o, err := exec.Command(bin, "notebook", "run", in, "-o", in).CombinedOutput(); err == nil || !strings.Contains(string(o), "would overwrite") {
		t.Errorf("writing over the input: %v %s", err, o)
	}
}

// TestAnisotropyCatalogColumns: a catalog whose labels follow an image
// statistic (sky_level, which varies across the sky) shows a dipole; fitted
// as a covariate by its column name, the statistic takes the signal (its
// coefficient recovered) and the dipole goes. Values shared within runs
// (a catalog column) pass for a signal when galaxies are permuted and not
// when the runs are.
func TestAnisotropyCatalogColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("id,ra,dec,p_spiral,sky_level,run,shared\n")
	runEffect := map[int]float64{}
	for i := range 3000 {
		ra := 120 + 130*r.Float64()
		dec := math.Asin(math.Sin(60*math.Pi/180)*r.Float64()) * 180 / math.Pi
		level := 0.1 + 0.05*math.Sin((ra-185)*math.Pi/180)*math.Cos(dec*math.Pi/180) + 0.01*r.NormFloat64()
		p := 0.4 + 2*level + 0.1*r.NormFloat64()
		run := int(ra-120) / 2 // 65 stripes of 2 degrees in RA
		if _, ok := runEffect[run]; !ok {
			runEffect[run] = 0.1 * r.NormFloat64()
		}
		shared := 0.5 + runEffect[run] + 0.05*r.NormFloat64()
		fmt.Fprintf(&b, "g%d,%.6f,%.6f,%.6f,%.6f,%d,%.6f\n", i, ra, dec, p, level, run, shared)
	}
	cat := filepath.Join(t.TempDir(), "cat.csv")
	if err := os.WriteFile(cat, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	type fit struct {
		Block  string `json:"block"`
		Orders []struct {
			L int     `json:"l"`
			P float64 `json:"p_mc"`
		} `json:"orders"`
		Covariates []struct {
			Name string  `json:"name"`
			Coef float64 `json:"coef"`
			SE   float64 `json:"se"`
		} `json:"covariates"`
	}
	var out struct {
		Multipoles fit  `json:"multipoles"`
		WithCovs   *fit `json:"multipoles_with_covariates"`
	}
	get := func(args ...string) {
		t.Helper()
		text, code := run(t, append([]string{"anisotropy", cat, "--json", "--permutations", "200", "--lmax", "2"}, args...)...)
		if code != 0 {
			t.Fatalf("anisotropy %v: exit %d\n%s", args, code, text)
		}
		out.WithCovs = nil
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
	}
	pOf := func(f fit, l int) float64 {
		for _, o := range f.Orders {
			if o.L == l {
				return o.P
			}
		}
		t.Fatalf("no order %d in %+v", l, f)
		return 0
	}
	get("--covariates", "sky_level")
	// On this cut sky a trend in declination is shared by l = 0, 1 and 2.
	before := min(pOf(out.Multipoles, 1), pOf(out.Multipoles, 2))
	after := min(pOf(*out.WithCovs, 1), pOf(*out.WithCovs, 2))
	c := out.WithCovs.Covariates[0]
	if before > 0.01 || after < 0.05 || c.Name != "sky_level" || math.Abs(c.Coef-2) > 3*c.SE {
		t.Errorf("smallest multipole P %.3g without sky_level, %.3g with it; coefficient %s %.3f ± %.3f (put in 2)", before, after, c.Name, c.Coef, c.SE)
	}
	get("--column", "shared")
	g1, g2 := pOf(out.Multipoles, 1), pOf(out.Multipoles, 2)
	get("--column", "shared", "--block-column", "run")
	r1, r2 := pOf(out.Multipoles, 1), pOf(out.Multipoles, 2)
	if out.Multipoles.Block != "run group" || !(g1 < 0.01 || g2 < 0.01) || r1 < 0.01 || r2 < 0.01 {
		t.Errorf("values shared within runs: galaxies permuted P %.3g (l=1), %.3g (l=2); runs (%q) permuted P %.3g, %.3g", g1, g2, out.Multipoles.Block, r1, r2)
	}
}

// TestDoseResponseReport: a swept design with repeats gets a trend test
// (Holm over the report's dose-responses) and a bracket of the value at
// which the effect reaches the reference effect, in the report's words.
func TestDoseResponseReport(t *testing.T) {
	dir := t.TempDir()
	text, code := run(t, "run", "--results", filepath.Join(dir, "store"), "--out", filepath.Join(dir, "out"), "testdata/dose/d1.yaml", "testdata/dose/d1-baseline.yaml")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, text)
	}
	md, err := os.ReadFile(filepath.Join(dir, "out", "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Dose-response: d1", "Trend: the effect changes by", "at 3 values", "Holm-adjusted over the report's 1 dose-responses", "Where does the effect reach +0.035?"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
}
