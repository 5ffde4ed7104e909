package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/skybias/skybias/aniso"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/healpix"
	"github.com/skybias/skybias/plots"
	"github.com/skybias/skybias/stats"
)

// anisotropy renders the dipole tests of annotated catalogs: the table,
// each experiment's map, and the maps side by side.
func (r *Report) anisotropy(d *doc, figs *figureSet) {
	fs := r.Findings.Anisotropy
	if len(fs) == 0 {
		return
	}
	d.h(2, "Does the annotated catalog show a fake anisotropy?")
	d.p("%s", "Each experiment's trained networks label a catalog, as a survey team would: every galaxy of the regions named (a seeded subset where the study says so), leaving out the networks' own training galaxies. "+
		"The catalog's column (mean p(spiral), or the fraction labelled spiral) is fitted with a monopole and a dipole by least squares over the galaxies' positions, every galaxy weighted equally. "+
		"The dipole's amplitude is in the column's units: the value is the monopole plus or minus the amplitude at the axis's two ends; its error, and the axis's, come from the fit and cover galaxy sampling only, not the noise of training. "+
		"A noisy vector's length is biased upwards, so the true amplitude is also given debiased, with a 95% confidence interval (Neyman's, the direction a nuisance; empty where the amplitude is below what noise alone gives). "+
		"P is a Monte Carlo test: the values are permuted among the fixed positions (the footprint is kept, so an uneven footprint cannot fake a dipole) and P is the share of permutations whose amplitude reaches the catalog's, counting the catalog itself. "+
		"The design's direction points from the mean position of the elliptical training galaxies to that of the spiral ones: where a network that learned the sky would see spirals. "+
		"The true spiral fraction of every synthetic field is one half, so any dipole in a synthetic catalog is made by the network.")
	var rows [][]string
	for _, f := range fs {
		for _, t := range f.Tests {
			dp := t.Test.Dipole
			design, sep := "none (classes drawn alike)", "-"
			if t.Design != nil {
				design = fmt.Sprintf("(%.0f, %+.0f)", t.Design.RA, t.Design.Dec)
				sep = fmt.Sprintf("%.0f°", t.Separation)
			}
			h := t.Test.Hemisphere
			meta := t.Catalog.Meta
			rows = append(rows, []string{f.Experiment, fmt.Sprint(t.Job.Repeat + 1), fmt.Sprintf("`%s` %d (%d left out)", meta.Source, dp.N, meta.Excluded), f.Spec.Column,
				fmt.Sprintf("%.4f ± %.4f", dp.Amplitude, dp.AmplitudeErr), trueAmplitude(dp.Amplitude, dp.AmplitudeDebiased, dp.AmplitudeLo, dp.AmplitudeHi), fmt.Sprintf("%.3f", dp.Monopole),
				axisCell(dp.Axis.RA, dp.Axis.Dec, dp.AxisErr, t.NearestGalaxy(dp.Axis)), design, sep,
				fmt.Sprintf("%s (%d of %d)", fmtP(t.Test.P), t.Test.Exceed, t.Test.Permutations), fmt.Sprintf("%.4f", t.Test.Null95),
				fmt.Sprintf("%+.4f [%+.4f, %+.4f]", h.Diff, h.Lo, h.Hi)})
		}
	}
	d.table([]string{"experiment", "repeat", "catalog: source, galaxies (training left out)", "column", "dipole amplitude ± error", "true amplitude: debiased [95% interval]", "monopole", "axis (RA, Dec) ± error",
		"design's direction", "axis from design", "P (permutations reaching it)", "95% of permuted amplitudes", "hemisphere difference [95% interval]"}, rows)
	var repeated []string
	for _, f := range fs {
		if len(f.Tests) < 2 {
			continue
		}
		ps := make([]float64, len(f.Tests))
		for i, t := range f.Tests {
			ps[i] = t.Test.P
		}
		sort.Float64s(ps)
		words := make([]string, len(ps))
		for i, p := range ps {
			words[i] = fmtP(p)
		}
		line := fmt.Sprintf("**%s**, %d repeats: P values %s; %d below %.0e, %d below 0.05", f.Experiment, len(ps), strings.Join(words, ", "),
			f.Significant(findings.AnisotropyLevel), findings.AnisotropyLevel, f.Significant(0.05))
		repeated = append(repeated, line+ksWords(f.KS)+".")
	}
	if len(repeated) > 0 {
		d.p("%s", "Over repeats (each a new training and a new catalog): on a sky without a dipole, the P values should look uniform.")
		d.list(repeated...)
	}
	sum := r.Summary()
	multipoles(d, sum.Multipoles)
	axisScan(d, sum.Anisotropy)
	for _, f := range fs {
		fig, err := HealpixFigure(f.Experiment+"'s catalog, first repeat", f.Tests[0], HealpixNside)
		d.img(fmt.Sprintf("%s's catalog on HEALPix pixels of NSIDE %d, Mollweide projection", f.Experiment, HealpixNside), figs.add("healpix-"+f.Experiment, fig, err))
	}
	centre, span := MapScale(fs)
	var panels []plots.MapPanel
	for _, f := range fs {
		p := MapPanel(f)
		panels = append(panels, p)
		fig, err := plots.AnisotropyMaps(f.Experiment, centre, span, []plots.MapPanel{p})
		d.img("sky map of "+f.Experiment+"'s catalog, first repeat", figs.add("anisotropy-"+f.Experiment, fig, err))
	}
	if len(panels) >= 2 {
		if len(panels) > 4 {
			panels = panels[:4]
		}
		fig, err := plots.AnisotropyMaps("catalogs side by side", centre, span, panels)
		d.img("the catalogs' sky maps side by side, on one colour scale", figs.add("anisotropy-maps", fig, err))
	}
}

// MapPanel is an experiment's first catalog as a map panel, with the
// dipole's two ends and the design's direction marked.
func MapPanel(f *findings.AnisotropyFinding) plots.MapPanel {
	t := f.Tests[0]
	p := plots.MapPanel{Title: fmt.Sprintf("%s: dipole %.3f, P %s", f.Experiment, t.Test.Dipole.Amplitude, fmtP(t.Test.P))}
	for _, c := range t.Cells {
		p.Cells = append(p.Cells, plots.MapCell{RAMin: c.RAMin, RAMax: c.RAMax, DecMin: c.DecMin, DecMax: c.DecMax, N: c.N, Value: c.Mean})
	}
	ax := t.Test.Dipole.Axis
	anti := math.Mod(ax.RA+180, 360)
	p.Markers = append(p.Markers, plots.SkyMarker{RA: ax.RA, Dec: ax.Dec, Glyph: "+"}, plots.SkyMarker{RA: anti, Dec: -ax.Dec, Glyph: "x"})
	if t.Design != nil {
		p.Markers = append(p.Markers, plots.SkyMarker{RA: t.Design.RA, Dec: t.Design.Dec, Glyph: "o", Label: "design"})
	}
	return p
}

// MapScale is one colour scale for every map: centred on the mean
// monopole, spanning the 95th percentile of the cells' distance from it
// (at least 0.02).
func MapScale(fs []*findings.AnisotropyFinding) (centre, span float64) {
	var dev []float64
	for _, f := range fs {
		centre += f.Tests[0].Test.Dipole.Monopole / float64(len(fs))
	}
	for _, f := range fs {
		for _, c := range f.Tests[0].Cells {
			if c.N > 0 {
				dev = append(dev, math.Abs(c.Mean-centre))
			}
		}
	}
	sort.Float64s(dev)
	span = 0.02
	if len(dev) > 0 {
		span = math.Max(span, dev[int(0.95*float64(len(dev)-1))])
	}
	return centre, math.Round(span*1000) / 1000
}

// axisCell is a dipole's axis with its error, marked where it lies
// outside the footprint (its nearest galaxy over aniso.OutsideFootprint
// away): the fit extrapolates there, and the axis only says where the
// trend across the footprint points.
func axisCell(ra, dec, err, nearest float64) string {
	c := fmt.Sprintf("(%.0f, %+.0f) ± %.0f°", ra, dec, err)
	if nearest > aniso.OutsideFootprint {
		c += fmt.Sprintf(" (outside the footprint: nearest galaxy %.0f° away)", nearest)
	}
	return c
}

// ksWords is the Kolmogorov-Smirnov test of P values against the
// uniform, as the report words it after a count ("" without one).
func ksWords(k *stats.KSTest) string {
	if k == nil {
		return ""
	}
	return fmt.Sprintf("; against the uniform, Kolmogorov-Smirnov D %.3f, P %s", k.D, fmtP(k.P))
}

// trueAmplitude is the report's cell for a dipole's debiased amplitude
// and the 95% interval of the true one.
func trueAmplitude(amp, debiased, lo, hi float64) string {
	if aniso.AmplitudeBelowNoise(amp, hi) {
		return fmt.Sprintf("%.4f [empty: below noise]", debiased)
	}
	return fmt.Sprintf("%.4f [%.4f, %.4f]", debiased, lo, hi)
}

// multipoles renders the multipole fits of the catalogs that asked for
// them: one row per catalog, null and covariate set, a cell per order,
// then each order's P values over repeats against the uniform.
func multipoles(d *doc, rows []findings.MultipoleRow) {
	if len(rows) == 0 {
		return
	}
	d.h(3, "Multipoles")
	d.p("%s", "Each catalog's column is also fitted with real spherical harmonics to l_max jointly (on a cut sky the orders are not independent, so a quadrupole is not read as a dipole), by least squares. "+
		"Each order's Wald statistic is judged by permutations that keep the footprint: of single galaxies, and where the study names a HEALPix NSIDE, of whole pixels (block means), a null that keeps values correlated within a pixel (one imaging run, large-scale structure) from passing for a signal. "+
		"The Bayes factor weighs adding the order to the lower ones (Zellner's g-prior, g = the units fitted; above 1 favours the order, below 1 isotropy). "+
		"Where covariates are named they are fitted jointly and the orders shown again: a systematic that the harmonics had absorbed leaves them.")
	type key struct {
		exp        string
		repeat     int
		null, covs string
	}
	var order []key
	cells := map[key][]string{}
	units := map[key]int{}
	lmax := 0
	for _, m := range rows {
		k := key{m.Experiment, m.Repeat, m.Null, strings.Join(m.Covariates, ", ")}
		if _, ok := cells[k]; !ok {
			order = append(order, k)
		}
		units[k] = m.Units
		lmax = max(lmax, m.L)
		cells[k] = append(cells[k], fmt.Sprintf("power %.3g, P %s, BF %.3g", m.Power, fmtP(m.P), m.BayesFactor))
	}
	head := []string{"experiment", "repeat", "permuted (units)", "covariates"}
	for l := 1; l <= lmax; l++ {
		head = append(head, fmt.Sprintf("l = %d", l))
	}
	var tab [][]string
	for _, k := range order {
		covs := k.covs
		if covs == "" {
			covs = "none"
		}
		row := []string{k.exp, fmt.Sprint(k.repeat + 1), fmt.Sprintf("%s (%d)", k.null, units[k]), covs}
		for l := 1; l <= lmax; l++ {
			c := "-"
			if l-1 < len(cells[k]) {
				c = cells[k][l-1]
			}
			row = append(row, c)
		}
		tab = append(tab, row)
	}
	d.table(head, tab)
	var lines []string
	seen := map[string]bool{}
	for _, m := range rows {
		if seen[m.Experiment] {
			continue
		}
		seen[m.Experiment] = true
		for _, u := range findings.UniformOrders(rows, m.Experiment) {
			if u.Repeats < 2 {
				continue
			}
			covs := "no covariates"
			if len(u.Covariates) > 0 {
				covs = "with " + strings.Join(u.Covariates, ", ")
			}
			lines = append(lines, fmt.Sprintf("**%s**, l = %d, %s permuted, %s: %d of %d repeats below 0.05%s.", m.Experiment, u.L, aniso.Units(u.Null), covs, u.Below05, u.Repeats, ksWords(u.KS)))
		}
	}
	if len(lines) > 0 {
		d.p("%s", "Over repeats, each order's P values (uniform where the sky has no such order):")
		d.list(lines...)
	}
}

// axisScan renders Shamir's axis scan where the study asks for it: the
// best axis's own P, which ignores that it was the best of many, beside
// the P corrected by rescanning permuted values; over repeats, how often
// each calls at 0.05, with its interval.
func axisScan(d *doc, rows []findings.AnisotropyRow) {
	var tab [][]string
	type tally struct{ n, own, corrected int }
	counts := map[string]*tally{}
	var exps []string
	for _, a := range rows {
		if a.ScanAxes == nil {
			continue
		}
		tab = append(tab, []string{a.Experiment, fmt.Sprint(a.Repeat + 1), fmt.Sprint(*a.ScanAxes), fmt.Sprintf("(%.0f, %+.0f)", *a.ScanRA, *a.ScanDec),
			fmt.Sprintf("%+.2f", *a.ScanT), fmtP(*a.ScanPUncorrected), fmtP(*a.ScanP)})
		c := counts[a.Experiment]
		if c == nil {
			c = &tally{}
			counts[a.Experiment] = c
			exps = append(exps, a.Experiment)
		}
		c.n++
		if *a.ScanPUncorrected < 0.05 {
			c.own++
		}
		if *a.ScanP < 0.05 {
			c.corrected++
		}
	}
	if len(tab) == 0 {
		return
	}
	d.h(3, "Shamir's axis scan")
	d.p("%s", "The scan fits the column as a + b cos(angle from an axis) for every axis of a lattice and quotes the axis with the largest |t|. "+
		"Its own P treats that axis as if it had been chosen before looking; the corrected P repeats the whole scan on permuted values (footprint kept) and asks how often the best |t| reaches the catalog's.")
	d.table([]string{"experiment", "repeat", "axes", "best axis (RA, Dec)", "t", "own P (as if chosen in advance)", "P corrected for the scan"}, tab)
	var lines []string
	for _, e := range exps {
		c := counts[e]
		if c.n < 2 {
			continue
		}
		lo1, hi1 := stats.ClopperPearson(c.own, c.n, 0.05)
		lo2, hi2 := stats.ClopperPearson(c.corrected, c.n, 0.05)
		lines = append(lines, fmt.Sprintf("**%s**, %d catalogs: own P below 0.05 in %d = %.3f [%.3f, %.3f]; corrected P below 0.05 in %d = %.3f [%.3f, %.3f] (95%% Clopper-Pearson; on a sky without a dipole both should be near 0.05)",
			e, c.n, c.own, float64(c.own)/float64(c.n), lo1, hi1, c.corrected, float64(c.corrected)/float64(c.n), lo2, hi2))
	}
	if len(lines) > 0 {
		d.list(lines...)
	}
}

// HealpixNside is the NSIDE of the HEALPix maps the report draws (3,072
// pixels of about 3.7 degrees).
const HealpixNside = 16

// HealpixFigure draws a catalog's tested column binned into the HEALPix
// pixels of nside (the map skybias anisotropy --healpix writes) on a
// Mollweide projection, the colour scale centred on the monopole and
// spanning the 95th percentile of the pixels' distance from it.
func HealpixFigure(title string, t *findings.CatalogTest, nside int) (*plots.Figure, error) {
	counts, means, err := t.HealpixMeans(nside)
	if err != nil {
		return nil, err
	}
	centre := t.Test.Dipole.Monopole
	var dev []float64
	for k, n := range counts {
		if n > 0 {
			dev = append(dev, math.Abs(means[k]-centre))
		}
	}
	span := 1e-3
	if len(dev) > 0 {
		sort.Float64s(dev)
		span = math.Max(span, dev[int(0.95*float64(len(dev)-1))])
	}
	at := func(ra, dec float64) (float64, bool) {
		k := healpix.Pixel(nside, healpix.Ring, ra, dec)
		return means[k], counts[k] > 0
	}
	return plots.SkyFunction(fmt.Sprintf("%s (HEALPix NSIDE %d)", title, nside), "mean "+t.Column(), centre, span, at)
}
