package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/plots"
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
				fmt.Sprintf("%.4f ± %.4f", dp.Amplitude, dp.AmplitudeErr), fmt.Sprintf("%.3f", dp.Monopole),
				fmt.Sprintf("(%.0f, %+.0f) ± %.0f°", dp.Axis.RA, dp.Axis.Dec, dp.AxisErr), design, sep,
				fmt.Sprintf("%s (%d of %d)", fmtP(t.Test.P), t.Test.Exceed, t.Test.Permutations), fmt.Sprintf("%.4f", t.Test.Null95),
				fmt.Sprintf("%+.4f [%+.4f, %+.4f]", h.Diff, h.Lo, h.Hi)})
		}
	}
	d.table([]string{"experiment", "repeat", "catalog: source, galaxies (training left out)", "column", "dipole amplitude ± error", "monopole", "axis (RA, Dec) ± error",
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
		if f.KS != nil {
			line += fmt.Sprintf("; against the uniform, Kolmogorov-Smirnov D %.3f, P %s", f.KS.D, fmtP(f.KS.P))
		}
		repeated = append(repeated, line+".")
	}
	if len(repeated) > 0 {
		d.p("%s", "Over repeats (each a new training and a new catalog): on a sky without a dipole, the P values should look uniform.")
		d.list(repeated...)
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
