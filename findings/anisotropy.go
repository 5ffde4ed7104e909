package findings

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/skybias/skybias/aniso"
	"github.com/skybias/skybias/annotate"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/fitstable"
	"github.com/skybias/skybias/healpix"
	"github.com/skybias/skybias/internal/input"
	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/stats"
)

// AnisotropyLevel is the P below which one catalog's dipole is called
// significant in the report's words.
const AnisotropyLevel = 1e-3

// CatalogTest is the anisotropy test of one job's catalog.
type CatalogTest struct {
	Job     *dsl.Job
	Catalog *annotate.Catalog
	// Test is the dipole and its permutation test; Cells the map.
	Test  *aniso.Result
	Cells []aniso.Cell
	// Skipped counts rows without a value (unreadable images).
	Skipped int
	// Design is the direction the training design points to (nil when
	// the classes were drawn alike), and Separation the angle in degrees
	// from it to the dipole's axis (NaN without a design).
	Design     *aniso.Direction
	Separation float64
	// MultipoleFits are the multipole fits asked for (see
	// RunMultipoles): per null, without and then with the covariates.
	MultipoleFits []*aniso.Multipoles
	// Scan is Shamir's axis scan where asked for (nil otherwise).
	Scan *aniso.Scan
	// fitsKeys are a FITS catalog's header keywords (nil for CSV).
	fitsKeys map[string]string
	// cols are the positions and values tested, path the catalog's file.
	cols *aniso.Columns
	path string
}

// Covariates are the systematics Multipoles can fit by name without a
// catalog column (see aniso.CovariateNames); any other name is a numeric
// column of the catalog, such as the image statistics skybias annotate
// writes (sky.ImageStatNames).
var Covariates = aniso.CovariateNames

// CovariateColumns are the names among covariates that are catalog
// columns to read (not computed from the positions).
func CovariateColumns(covariates []string) []string {
	var out []string
	for _, c := range covariates {
		if !slices.Contains(Covariates, c) {
			out = append(out, c)
		}
	}
	return out
}

// Covariate is a named systematic's value for each of the catalog's
// galaxies: dec or glat from the positions, or a numeric catalog column
// read with TestFile's extra columns.
func (t *CatalogTest) Covariate(name string) (aniso.Covariate, error) {
	c := aniso.Covariate{Name: name, Values: make([]float64, len(t.cols.RA))}
	text, isColumn := t.cols.Extra[name]
	if !isColumn && !slices.Contains(Covariates, name) {
		return c, fmt.Errorf("anisotropy: covariate %q: want one of %s, or a numeric column of the catalog", name, strings.Join(Covariates, ", "))
	}
	for i := range c.Values {
		switch {
		case isColumn:
			x, err := strconv.ParseFloat(text[i], 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return c, fmt.Errorf("anisotropy: %s: covariate %s: galaxy %d of those tested has %.30q, not a number", t.path, name, i+1, text[i])
			}
			c.Values[i] = x
		case name == "dec":
			c.Values[i] = t.cols.Dec[i]
		case name == "glat":
			c.Values[i] = math.Abs(aniso.GalacticLatitude(t.cols.RA[i], t.cols.Dec[i]))
		}
	}
	return c, nil
}

// Null says what a multipole test permutes: single galaxies (the zero
// value), the HEALPix pixels of NSIDE Nside, or the groups of galaxies
// that share a value of a catalog column (an SDSS run or stripe), so that
// values correlated within a block do not pass for a signal.
type Null struct {
	Nside  int
	Column string
}

// Multipoles fits the catalog's multipoles to opts.LMax and tests each
// order by the permutations null says.
func (t *CatalogTest) Multipoles(ctx context.Context, opts aniso.MultipoleOptions, null Null) (*aniso.Multipoles, error) {
	switch {
	case null.Column != "":
		text, ok := t.cols.Extra[null.Column]
		if !ok {
			return nil, fmt.Errorf("anisotropy: blocks: column %s was not read from %s", null.Column, t.path)
		}
		ids := map[string]int{}
		opts.Blocks = make([]int, len(text))
		for i, v := range text {
			id, seen := ids[v]
			if !seen {
				id = len(ids)
				ids[v] = id
			}
			opts.Blocks[i] = id
		}
		opts.BlockName = null.Column + " group" // "run groups": galaxies sharing a value
	case null.Nside > 0:
		if err := healpix.CheckNside(null.Nside); err != nil {
			return nil, fmt.Errorf("anisotropy: blocks: %w", err)
		}
		opts.Blocks = make([]int, len(t.cols.RA))
		for i := range opts.Blocks {
			opts.Blocks[i] = healpix.Pixel(null.Nside, healpix.Ring, t.cols.RA[i], t.cols.Dec[i])
		}
		opts.BlockName = fmt.Sprintf("HEALPix NSIDE %d pixel", null.Nside)
	}
	return aniso.TestMultipoles(ctx, t.cols.RA, t.cols.Dec, t.cols.Value, opts)
}

// RunMultipoles fits the catalog's multipoles to lmax once per null,
// each without and, when covariates are named, with them fitted jointly,
// keeping the fits in MultipoleFits in that order.
func (t *CatalogTest) RunMultipoles(ctx context.Context, lmax int, nulls []Null, covariates []string, opts aniso.Options) error {
	var covs []aniso.Covariate
	for _, name := range covariates {
		c, err := t.Covariate(name)
		if err != nil {
			return err
		}
		covs = append(covs, c)
	}
	t.MultipoleFits = nil
	for _, null := range nulls {
		mopts := aniso.MultipoleOptions{Options: opts, LMax: lmax}
		mp, err := t.Multipoles(ctx, mopts, null)
		if err != nil {
			return err
		}
		t.MultipoleFits = append(t.MultipoleFits, mp)
		if len(covs) > 0 {
			mopts.Covariates = covs
			if mp, err = t.Multipoles(ctx, mopts, null); err != nil {
				return err
			}
			t.MultipoleFits = append(t.MultipoleFits, mp)
		}
	}
	return nil
}

// NearestGalaxy is the angle in degrees from a direction to the
// catalog's closest galaxy (see aniso.NearestGalaxy).
func (t *CatalogTest) NearestGalaxy(d aniso.Direction) float64 {
	return aniso.NearestGalaxy(t.cols.RA, t.cols.Dec, d)
}

// AxisScan runs Shamir's axis scan over about axes axes, its best axis's P
// corrected by permutations (see aniso.ScanAxes).
func (t *CatalogTest) AxisScan(ctx context.Context, axes int, opts aniso.Options) (*aniso.Scan, error) {
	return aniso.ScanAxes(ctx, t.cols.RA, t.cols.Dec, t.cols.Value, axes, opts)
}

// HealpixMap writes the catalog as a HEALPix map of nside (RING order,
// equatorial): the galaxies per pixel and the mean of the tested column,
// UNSEEN where a pixel has none; source names the catalog in the header.
func (t *CatalogTest) HealpixMap(w io.Writer, nside int, source string) error {
	counts, means, err := t.HealpixMeans(nside)
	if err != nil {
		return err
	}
	cols := []healpix.Column{{Name: "count", Values: counts}, {Name: "mean_" + strings.ToLower(t.cols.Column), Values: means}}
	// The catalog's other label columns, where it has them, each averaged
	// over the galaxies that have a value in it.
	for _, other := range MapColumns {
		if other == strings.ToLower(t.cols.Column) {
			continue
		}
		oc, _, _, err := readColumns(t.path, other)
		if err != nil {
			continue // the catalog has no such column, or none filled
		}
		_, m, err := healpix.Bin(nside, healpix.Ring, oc.RA, oc.Dec, [][]float64{oc.Value})
		if err != nil {
			return err
		}
		cols = append(cols, healpix.Column{Name: "mean_" + other, Values: m[0]})
	}
	return healpix.WriteMap(w, nside, healpix.Ring, cols,
		[]fitstable.Card{{Key: "CATALOG", Value: filepath.Base(source), Comment: "the catalog mapped"}, {Key: "VALUE", Value: strings.ToLower(t.cols.Column), Comment: "column tested (count is its galaxies)"},
			{Key: "CREATOR", Value: "skybias anisotropy", Comment: ""}})
}

// MapColumns are the catalog columns a HEALPix map carries the mean of
// beside the tested one, where the catalog has them: mean p(spiral) and
// the fraction labelled spiral.
var MapColumns = []string{"p_spiral", "label"}

// HealpixMeans bins the tested column into the HEALPix pixels of nside
// (RING order): the galaxies and the mean value per pixel (NaN where it
// has none), the map HealpixMap writes.
func (t *CatalogTest) HealpixMeans(nside int) (counts, means []float64, err error) {
	counts, m, err := healpix.Bin(nside, healpix.Ring, t.cols.RA, t.cols.Dec, [][]float64{t.cols.Value})
	if err != nil {
		return nil, nil, err
	}
	return counts, m[0], nil
}

// Column is the name of the tested column (p_spiral, label, ...).
func (t *CatalogTest) Column() string { return t.cols.Column }

// AnisotropyFinding is one experiment's catalogs, a test per repeat.
type AnisotropyFinding struct {
	Experiment string
	Spec       dsl.Anisotropy
	Annotate   *dsl.Annotate
	Tests      []*CatalogTest
	// KS tests the repeats' P values against the uniform (two or more
	// repeats): on a sky without a dipole they should look uniform.
	KS *stats.KSTest
}

// Significant counts the repeats whose dipole has P below level.
func (a *AnisotropyFinding) Significant(level float64) int {
	n := 0
	for _, t := range a.Tests {
		if t.Test.P < level {
			n++
		}
	}
	return n
}

// anisotropyFindings tests every catalog of the plans that ask for it.
func anisotropyFindings(plans []*dsl.Plan, catalogs map[string]map[string]*annotate.Catalog) ([]*AnisotropyFinding, error) {
	var out []*AnisotropyFinding
	for _, p := range plans {
		if p.Annotate == nil || p.Annotate.Anisotropy == nil {
			continue
		}
		spec := *p.Annotate.Anisotropy
		f := &AnisotropyFinding{Experiment: p.Experiment, Spec: spec, Annotate: p.Annotate}
		seen := map[string]bool{}
		for _, j := range p.Jobs {
			if seen[j.Hash()] {
				continue
			}
			seen[j.Hash()] = true
			c := catalogs[p.Experiment][j.Hash()]
			if c == nil {
				return nil, fmt.Errorf("%s: job %s has no catalog (annotate it first)", p.Experiment, j.ShortHash())
			}
			t, err := TestCatalog(c, spec)
			if err != nil {
				return nil, fmt.Errorf("%s: job %s: %w", p.Experiment, j.ShortHash(), err)
			}
			t.Job = j
			f.Tests = append(f.Tests, t)
		}
		if len(f.Tests) >= 2 {
			ps := make([]float64, len(f.Tests))
			for i, t := range f.Tests {
				ps[i] = t.Test.P
			}
			ks, err := stats.KSUniform(ps)
			if err == nil {
				f.KS = &ks
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// TestCatalog reads a catalog's column and tests it for a dipole, seeded
// by the catalog's content so that the same catalog always gets the same
// permutations.
func TestCatalog(c *annotate.Catalog, spec dsl.Anisotropy) (*CatalogTest, error) {
	seed := seeds.Sub(0, "anisotropy", c.Meta.IDs, c.Meta.Result)
	ctx := context.Background()
	opts := aniso.Options{Permutations: spec.Permutations, Seed: seed}
	t, err := testFile(ctx, c.Path, spec.Column, opts, spec.Bands, spec.Cells, CovariateColumns(spec.Covariates)...)
	if err != nil {
		return nil, err
	}
	t.Catalog = c
	t.setDesign(c.Meta.Design)
	if spec.LMax > 0 {
		nulls := []Null{{}}
		if spec.BlockNside > 0 {
			nulls = append(nulls, Null{Nside: spec.BlockNside})
		}
		if err := t.RunMultipoles(ctx, spec.LMax, nulls, spec.Covariates, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Path, err)
		}
	}
	if spec.Scan > 0 {
		if t.Scan, err = t.AxisScan(ctx, spec.Scan, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Path, err)
		}
	}
	return t, nil
}

// TestFile tests any catalog CSV with ra, dec and the column: the dipole
// and its permutation test with opts, and the map's bands x cells
// equal-area cells. When a skybias catalog's meta is beside it, the
// design's direction is read from it.
//
// The catalog may be CSV or FITS (a binary table as `skybias annotate
// --fits` writes it: the same columns, the design's direction in the
// DESRA and DESDEC keywords). The extra columns named are read too, for
// Covariate and for blocks (Null.Column).
func TestFile(ctx context.Context, path, column string, opts aniso.Options, bands, cells int, extra ...string) (*CatalogTest, error) {
	t, err := testFile(ctx, path, column, opts, bands, cells, extra...)
	if err != nil {
		return nil, err
	}
	if c, err := annotate.Open(path); err == nil {
		t.Catalog = c
		t.setDesign(c.Meta.Design)
	} else if ra, dec, ok := t.fitsDesign(); ok {
		t.setDesign(&[2]float64{ra, dec})
	}
	return t, nil
}

// MaxCatalogBytes bounds a FITS catalog's table: 4 GiB, some 50 million
// rows of a skybias catalog.
const MaxCatalogBytes = 4 << 30

// fitsDesign is the design direction a FITS catalog's header carries.
func (t *CatalogTest) fitsDesign() (ra, dec float64, ok bool) {
	r, errR := strconv.ParseFloat(t.fitsKeys["DESRA"], 64)
	d, errD := strconv.ParseFloat(t.fitsKeys["DESDEC"], 64)
	return r, d, errR == nil && errD == nil
}

// testFile is TestFile without the meta.
func testFile(ctx context.Context, path, column string, opts aniso.Options, bands, cells int, extra ...string) (*CatalogTest, error) {
	cols, skipped, keys, err := readColumns(path, column, extra...)
	if err != nil {
		return nil, err
	}
	res, err := aniso.Test(ctx, cols.RA, cols.Dec, cols.Value, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	grid, err := aniso.Grid(cols.RA, cols.Dec, cols.Value, bands, cells)
	if err != nil {
		return nil, err
	}
	return &CatalogTest{Test: res, Cells: grid, Skipped: skipped, Separation: math.NaN(), fitsKeys: keys, cols: cols, path: path}, nil
}

// readColumns reads a CSV or FITS catalog's positions, the column and
// the extra columns, and a FITS table's header keywords.
func readColumns(path, column string, extra ...string) (*aniso.Columns, int, map[string]string, error) {
	f, _, err := input.Open(path, MaxCatalogBytes)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("catalog: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if head, _ := br.Peek(9); !fitstable.IsFITS(head) {
		cols, skipped, err := aniso.ReadCatalog(br, path, column, extra...)
		return cols, skipped, nil, err
	}
	tb, err := fitstable.Read(br, path, MaxCatalogBytes)
	if err != nil {
		return nil, 0, nil, err
	}
	names := make([]string, len(tb.Columns))
	for i, c := range tb.Columns {
		names[i] = c.Name
	}
	row := make([]string, len(names))
	r := 0
	next := func() ([]string, error) {
		if r == tb.Rows {
			return nil, io.EOF
		}
		for i := range row {
			row[i] = tb.Text(r, i)
		}
		r++
		return row, nil
	}
	cols, skipped, err := aniso.ReadRows(names, next, path, column, extra...)
	return cols, skipped, tb.Keys, err
}

// setDesign records the design's direction and the dipole's angle from it.
func (t *CatalogTest) setDesign(d *[2]float64) {
	if d == nil {
		return
	}
	t.Design = &aniso.Direction{RA: d[0], Dec: d[1]}
	t.Separation = aniso.Separation(*t.Design, t.Test.Dipole.Axis)
}

// AmplitudeWords says what the dipole's amplitude is once its noise is
// accounted for: the debiased amplitude and the 95% interval of the true
// one (galaxy sampling only), or that the amplitude is below what noise
// alone gives.
func AmplitudeWords(d aniso.Dipole) string {
	if aniso.AmplitudeBelowNoise(d.Amplitude, d.AmplitudeHi) {
		return fmt.Sprintf("true amplitude: smaller than noise alone gives in 97.5%% of catalogs (debiased %.4f; the interval is empty: no dipole needed)", d.AmplitudeDebiased)
	}
	return fmt.Sprintf("true amplitude %.4f debiased, 95%% interval [%.4f, %.4f] (a noisy vector's length is biased upwards; galaxy sampling only)", d.AmplitudeDebiased, d.AmplitudeLo, d.AmplitudeHi)
}

// UniformOverRepeats tests whether an experiment's permutation P values,
// one per repeat in summary rows, are uniform as they are where no dipole
// exists (Kolmogorov-Smirnov); false with fewer than two repeats.
func UniformOverRepeats(rows []AnisotropyRow, experiment string) (stats.KSTest, bool) {
	var ps []float64
	for _, r := range rows {
		if r.Experiment == experiment {
			ps = append(ps, r.PMC)
		}
	}
	if len(ps) < 2 {
		return stats.KSTest{}, false
	}
	k, err := stats.KSUniform(ps)
	return k, err == nil
}

// AnisotropyRow is one catalog's dipole in summary.json.
type AnisotropyRow struct {
	Experiment string `json:"experiment"`
	Repeat     int    `json:"repeat"`
	Column     string `json:"column"`
	N          int    `json:"n"`
	// Amplitude is the dipole's, in the column's units, with its standard
	// error (galaxy sampling only); RA and Dec where it points, AxisErr
	// the 1-sigma angular error in degrees.
	Amplitude    float64 `json:"amplitude"`
	AmplitudeErr float64 `json:"amplitude_err"`
	// AmplitudeDebiased, AmplitudeLo and AmplitudeHi are the true
	// amplitude's estimate and 95% interval (see aniso.Dipole).
	AmplitudeDebiased float64 `json:"amplitude_debiased"`
	AmplitudeLo       float64 `json:"amplitude_lo"`
	AmplitudeHi       float64 `json:"amplitude_hi"`
	Monopole          float64 `json:"monopole"`
	RA                float64 `json:"ra"`
	Dec               float64 `json:"dec"`
	AxisErr           float64 `json:"axis_err"`
	// PMC is the permutation P; Permutations how many were drawn.
	PMC          float64 `json:"p_mc"`
	Permutations int     `json:"permutations"`
	// NullMedian and Null95 are the amplitudes permutations reach.
	NullMedian float64 `json:"null_median"`
	Null95     float64 `json:"null_95"`
	// Design is where the training design points, and Separation the
	// angle from it to the dipole (absent when the classes were drawn
	// alike).
	DesignRA   *float64 `json:"design_ra,omitempty"`
	DesignDec  *float64 `json:"design_dec,omitempty"`
	Separation *float64 `json:"separation,omitempty"`
	// HemisphereDiff is the mean towards the axis minus away, with its
	// 95% interval (sampling only; optimistic along a fitted axis).
	// (absent when one half is empty).
	HemisphereDiff *float64 `json:"hemisphere_diff,omitempty"`
	HemisphereLo   *float64 `json:"hemisphere_lo,omitempty"`
	HemisphereHi   *float64 `json:"hemisphere_hi,omitempty"`
	// AxisNearestGalaxy is the angle in degrees from the axis to the
	// closest galaxy: above aniso.OutsideFootprint the axis lies outside
	// the footprint and only says where the trend across it points.
	AxisNearestGalaxy float64 `json:"axis_nearest_galaxy"`
	// The axis scan (Shamir's method), where asked for: the best axis,
	// its t, its own P as if chosen in advance, and the P corrected by
	// rescanning permuted values.
	ScanAxes         *int     `json:"scan_axes,omitempty"`
	ScanRA           *float64 `json:"scan_ra,omitempty"`
	ScanDec          *float64 `json:"scan_dec,omitempty"`
	ScanT            *float64 `json:"scan_t,omitempty"`
	ScanPUncorrected *float64 `json:"scan_p_uncorrected,omitempty"`
	ScanP            *float64 `json:"scan_p_mc,omitempty"`
}

// MultipoleRow is one order of one multipole fit of a catalog in
// summary.json (multipoles.csv): which null judged it (galaxies, or the
// HEALPix pixels permuted as blocks) and which covariates were fitted
// jointly.
type MultipoleRow struct {
	Experiment string `json:"experiment"`
	Repeat     int    `json:"repeat"`
	// Null says what was permuted ("galaxy", "HEALPix NSIDE 8 pixel"),
	// Units how many of them.
	Null       string   `json:"null"`
	Units      int      `json:"units"`
	Covariates []string `json:"covariates"`
	LMax       int      `json:"l_max"`
	L          int      `json:"l"`
	// Power is C_l; Chi2 the order's Wald statistic on 2l+1
	// coefficients; P its permutation P of Permutations; BayesFactor the
	// evidence for adding the order (above 1 favours it).
	Power        float64 `json:"power"`
	Chi2         float64 `json:"chi2"`
	P            float64 `json:"p_mc"`
	Permutations int     `json:"permutations"`
	BayesFactor  float64 `json:"bayes_factor"`
}

func multipoleRows(fs []*AnisotropyFinding) []MultipoleRow {
	var rows []MultipoleRow
	for _, f := range fs {
		for _, t := range f.Tests {
			for _, m := range t.MultipoleFits {
				covs := []string{}
				for _, c := range m.Covariates {
					covs = append(covs, c.Name)
				}
				for _, o := range m.Orders {
					if o.L == 0 {
						continue
					}
					rows = append(rows, MultipoleRow{Experiment: f.Experiment, Repeat: t.Job.Repeat, Null: m.Block, Units: m.Blocks, Covariates: covs,
						LMax: m.LMax, L: o.L, Power: o.Power, Chi2: o.Chi2, P: o.P, Permutations: m.Permutations, BayesFactor: o.BayesFactor})
				}
			}
		}
	}
	return rows
}

// UniformOrders tests, per null, covariate set and order, whether an
// experiment's multipole P values over repeats are uniform (as on a sky
// without that order), in the order the rows first give them.
func UniformOrders(rows []MultipoleRow, experiment string) []OrderUniformity {
	var out []OrderUniformity
	at := map[string]int{}
	var ps [][]float64
	for _, r := range rows {
		if r.Experiment != experiment {
			continue
		}
		key := fmt.Sprintf("%s|%s|%d", r.Null, strings.Join(r.Covariates, ","), r.L)
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, OrderUniformity{Null: r.Null, Covariates: r.Covariates, L: r.L})
			ps = append(ps, nil)
		}
		ps[i] = append(ps[i], r.P)
		if r.P < 0.05 {
			out[i].Below05++
		}
	}
	for i := range out {
		out[i].Repeats = len(ps[i])
		if k, err := stats.KSUniform(ps[i]); err == nil && len(ps[i]) >= 2 {
			out[i].KS = &k
		}
	}
	return out
}

// OrderUniformity is one order's P values over an experiment's repeats:
// how many fell below 0.05 and the Kolmogorov-Smirnov test against the
// uniform (nil with fewer than two repeats).
type OrderUniformity struct {
	Null       string
	Covariates []string
	L          int
	Repeats    int
	Below05    int
	KS         *stats.KSTest
}

func anisotropyRows(fs []*AnisotropyFinding) []AnisotropyRow {
	var rows []AnisotropyRow
	for _, f := range fs {
		for _, t := range f.Tests {
			d := t.Test.Dipole
			r := AnisotropyRow{Experiment: f.Experiment, Repeat: t.Job.Repeat, Column: f.Spec.Column, N: d.N,
				Amplitude: d.Amplitude, AmplitudeErr: d.AmplitudeErr, Monopole: d.Monopole, RA: d.Axis.RA, Dec: d.Axis.Dec, AxisErr: d.AxisErr,
				PMC: t.Test.P, Permutations: t.Test.Permutations, NullMedian: t.Test.NullMedian, Null95: t.Test.Null95}
			if h := t.Test.Hemisphere; !math.IsNaN(h.Lo) && !math.IsNaN(h.Hi) {
				r.HemisphereDiff, r.HemisphereLo, r.HemisphereHi = &h.Diff, &h.Lo, &h.Hi
			}
			if t.Design != nil {
				ra, dec, sep := t.Design.RA, t.Design.Dec, t.Separation
				r.DesignRA, r.DesignDec, r.Separation = &ra, &dec, &sep
			}
			r.AmplitudeDebiased, r.AmplitudeLo, r.AmplitudeHi = d.AmplitudeDebiased, d.AmplitudeLo, d.AmplitudeHi
			r.AxisNearestGalaxy = t.NearestGalaxy(d.Axis)
			if sc := t.Scan; sc != nil {
				axes, ra, dec, tt, pu, p := sc.Axes, sc.Best.RA, sc.Best.Dec, sc.T, sc.PUncorrected, sc.P
				r.ScanAxes, r.ScanRA, r.ScanDec, r.ScanT, r.ScanPUncorrected, r.ScanP = &axes, &ra, &dec, &tt, &pu, &p
			}
			rows = append(rows, r)
		}
	}
	return rows
}
