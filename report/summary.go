package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/aniso"
	"github.com/skybias/skybias/findings"
)

// StudiesMarkdown is a Markdown table of a summary's repeated studies:
// the rate at which the verdict called a shift, with its exact interval,
// and, where the summary has them, the mean effect over the repeats and
// the rate the variance model predicts at it.
func StudiesMarkdown(s findings.Summary) string {
	holm, effect := false, false
	for _, st := range s.Studies {
		holm = holm || st.RateHolm != nil
		effect = effect || st.Effect != nil
	}
	var b strings.Builder
	b.WriteString("| study | baseline | truth | repeats | shifts called | rate | 95% interval (Clopper-Pearson) |")
	cols := 7
	if effect {
		b.WriteString(" mean effect [95%] | the variance model's rate |")
		cols += 2
	}
	if holm {
		b.WriteString(" at Holm's first step of the report family |")
		cols++
	}
	if holm && effect {
		b.WriteString(" the model's rate there |")
		cols++
	}
	b.WriteString("\n|" + strings.Repeat("---|", cols) + "\n")
	for _, st := range s.Studies {
		what := "shift rate"
		switch {
		case st.FalsePositiveRate != nil:
			what = "false-positive rate"
		case st.DetectionRate != nil:
			what = "detection rate"
		}
		name := st.Experiment
		if st.Variant != "" {
			name += " (" + st.Variant + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %s %.3f | [%.3f, %.3f] |", name, st.Baseline, st.Truth, st.Repeats, st.Shifts, what, st.ShiftRate, st.RateCILow, st.RateCIHigh)
		if effect {
			e, m := "-", "-"
			if st.Effect != nil {
				e = fmt.Sprintf("%+.4f [%+.4f, %+.4f]", *st.Effect, *st.EffectCILow, *st.EffectCIHigh)
			}
			if st.ModelRate != nil {
				m = fmt.Sprintf("%.3f", *st.ModelRate)
			}
			b.WriteString(" " + e + " | " + m + " |")
		}
		if holm {
			c, m := "-", "-"
			if st.RateHolm != nil {
				c = fmt.Sprintf("family %d (P < %.2g): %d = %.3f [%.3f, %.3f]", st.Family, analysis.FamilyAlpha/float64(st.Family), *st.ShiftsHolm, *st.RateHolm, *st.RateHolmCILow, *st.RateHolmCIHigh)
			}
			if st.ModelRateHolm != nil {
				m = fmt.Sprintf("%.3f", *st.ModelRateHolm)
			}
			b.WriteString(" " + c + " |")
			if effect {
				b.WriteString(" " + m + " |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ComparisonsMarkdown is a Markdown table of a summary's comparisons,
// in the columns of findings.ComparisonColumns: effect, interval, P,
// Holm-adjusted P, verdict and power.
func ComparisonsMarkdown(s findings.Summary) string {
	return MarkdownTable(findings.ComparisonColumns, s.Comparisons)
}

// MarkdownTable writes rows as a Markdown table of the given columns.
func MarkdownTable[R any](cols []findings.Column[R], rows []R) string {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cols {
		b.WriteString(" " + c.Header + " |")
	}
	b.WriteString("\n|" + strings.Repeat("---|", len(cols)) + "\n")
	for _, r := range rows {
		b.WriteString("|")
		for _, c := range cols {
			b.WriteString(" " + c.Cell(r) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ProbesMarkdown is a Markdown table of a summary's region probes: the
// network's held-out accuracy with its interval and P against chance, its
// AUC, and the simple probe's accuracy.
func ProbesMarkdown(s findings.Summary) string {
	var b strings.Builder
	b.WriteString("| probe | regions | class | train / held out per region | repeats | training accuracy (range) | network accuracy [95% interval] | P (vs chance) | AUC [95% interval] | simple probe accuracy [95% interval] | did not learn | repeats at chance |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range s.Probes {
		train := "not reported"
		if p.TrainAccuracy != nil {
			train = trainWords(*p.TrainAccuracy, *p.TrainAccuracyMin, *p.TrainAccuracyMax)
		}
		name := p.Experiment
		if p.Variant != "" {
			name += " (" + p.Variant + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d / %d | %d | %s | %.3f [%.3f, %.3f] | %s | %.3f [%.3f, %.3f] | %.3f [%.3f, %.3f] | %s | %d of %d |\n",
			name, strings.Join(p.Regions, " vs "), p.Class, p.N, p.Test, p.Repeats, train, p.Accuracy, p.CILow, p.CIHigh, fmtP(p.P),
			p.AUC, p.AUCLow, p.AUCHigh, p.SimpleProbeAccuracy, p.SimpleProbeCILow, p.SimpleProbeCIHigh,
			notLearnedWords(p.RepeatsNotLearned, p.Repeats, p.NotLearned), p.RepeatsAtChance, p.Repeats)
	}
	return b.String()
}

// DosesMarkdown is a Markdown table of a summary's dose-responses: for each
// experiment whose variants sweep one numeric parameter, the effect at each
// value (with its interval; bold where the verdict calls a shift), so that
// the curves of several conditions read side by side.
func DosesMarkdown(s findings.Summary) string {
	type point struct {
		x   float64
		row findings.ComparisonRow
	}
	var order []string
	keys := map[string]string{}
	pts := map[string][]point{}
	for _, c := range s.Comparisons {
		k, v, ok := strings.Cut(c.Variant, "=")
		x, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || strings.Contains(v, ",") {
			continue
		}
		if _, seen := pts[c.Experiment]; !seen {
			order = append(order, c.Experiment)
			keys[c.Experiment] = k
		}
		pts[c.Experiment] = append(pts[c.Experiment], point{x, c})
	}
	var xs []float64
	seenX := map[float64]bool{}
	for _, e := range order {
		for _, p := range pts[e] {
			if !seenX[p.x] {
				seenX[p.x] = true
				xs = append(xs, p.x)
			}
		}
	}
	sort.Float64s(xs)
	var b strings.Builder
	b.WriteString("| experiment | swept |")
	for _, x := range xs {
		fmt.Fprintf(&b, " %g |", x)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(xs)) + "\n")
	for _, e := range order {
		fmt.Fprintf(&b, "| %s | `%s` |", e, keys[e])
		for _, x := range xs {
			cell := ""
			for _, p := range pts[e] {
				if p.x == x {
					cell = fmt.Sprintf("%+.3f [%+.3f, %+.3f]", p.row.Effect, p.row.CILow, p.row.CIHigh)
					if p.row.Verdict != analysis.NoShift {
						cell = "**" + cell + "**"
					}
				}
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// AnisotropyMarkdown is a Markdown table of a summary's anisotropy tests:
// one row per experiment; with repeats, the range of their amplitudes
// and P values, how many fall below 0.05 and 1e-3, and whether the P
// values look uniform (Kolmogorov-Smirnov).
func AnisotropyMarkdown(s findings.Summary) string {
	var order []string
	rows := map[string][]findings.AnisotropyRow{}
	for _, r := range s.Anisotropy {
		if _, ok := rows[r.Experiment]; !ok {
			order = append(order, r.Experiment)
		}
		rows[r.Experiment] = append(rows[r.Experiment], r)
	}
	var b strings.Builder
	b.WriteString("| experiment | catalogs | galaxies each | dipole amplitude of mean p(spiral) | axis (RA, Dec) | design's direction: axis from it | P (permutations) | uniform P over repeats (KS) |\n|---|---|---|---|---|---|---|---|\n")
	for _, e := range order {
		rs := rows[e]
		r := rs[0]
		design := "none (classes alike)"
		if r.DesignRA != nil {
			design = fmt.Sprintf("(%.0f, %+.0f): %.0f°", *r.DesignRA, *r.DesignDec, *r.Separation)
		}
		if len(rs) == 1 {
			fmt.Fprintf(&b, "| %s | 1 | %d | %.4f ± %.4f; true %s | (%.0f, %+.0f) ± %.0f° | %s | %s (%d permutations) | - |\n",
				e, r.N, r.Amplitude, r.AmplitudeErr, trueAmplitude(r.Amplitude, r.AmplitudeDebiased, r.AmplitudeLo, r.AmplitudeHi), r.RA, r.Dec, r.AxisErr, design, fmtP(r.PMC), r.Permutations)
			continue
		}
		ps := make([]float64, len(rs))
		amps := make([]float64, len(rs))
		below05, below3 := 0, 0
		for i, x := range rs {
			ps[i], amps[i] = x.PMC, x.Amplitude
			if x.PMC < 0.05 {
				below05++
			}
			if x.PMC < 1e-3 {
				below3++
			}
		}
		sort.Float64s(ps)
		sort.Float64s(amps)
		var seps []float64
		for _, x := range rs {
			if x.Separation != nil {
				seps = append(seps, *x.Separation)
			}
		}
		if len(seps) > 0 {
			sort.Float64s(seps)
			design = fmt.Sprintf("per repeat; axis from it: median %.0f°", seps[len(seps)/2])
		}
		ks := "-"
		if k, ok := findings.UniformOverRepeats(s.Anisotropy, e); ok {
			ks = fmt.Sprintf("D %.3f, P %s", k.D, fmtP(k.P))
		}
		fmt.Fprintf(&b, "| %s | %d repeats | %d | %.4f to %.4f | varies | %s | %s to %s; %d below 0.05, %d below 1e-3 | %s |\n",
			e, len(rs), r.N, amps[0], amps[len(amps)-1], design, fmtP(ps[0]), fmtP(ps[len(ps)-1]), below05, below3, ks)
	}
	return b.String()
}

// MultipolesMarkdown is a Markdown table of a summary's multipole fits:
// one row per experiment, null and covariate set; for one catalog each
// order's P and Bayes factor, over repeats how many P fall below 0.05
// and whether they look uniform (Kolmogorov-Smirnov).
func MultipolesMarkdown(s findings.Summary) string {
	var exps []string
	seen := map[string]bool{}
	lmax := 0
	for _, m := range s.Multipoles {
		if !seen[m.Experiment] {
			seen[m.Experiment] = true
			exps = append(exps, m.Experiment)
		}
		lmax = max(lmax, m.L)
	}
	var b strings.Builder
	b.WriteString("| experiment | catalogs | permuted | covariates |")
	for l := 1; l <= lmax; l++ {
		fmt.Fprintf(&b, " l = %d |", l)
	}
	b.WriteString("\n|---|---|---|---|" + strings.Repeat("---|", lmax) + "\n")
	for _, e := range exps {
		type key struct{ null, covs string }
		var order []key
		cells := map[key][]string{}
		orders := findings.UniformOrders(s.Multipoles, e)
		n := 0 // catalogs: the most repeats of any order
		for _, u := range orders {
			n = max(n, u.Repeats)
		}
		for _, u := range orders {
			k := key{u.Null, strings.Join(u.Covariates, ", ")}
			if _, ok := cells[k]; !ok {
				order = append(order, k)
			}
			var c string
			if u.Repeats == 1 {
				for _, m := range s.Multipoles {
					if m.Experiment == e && m.Null == u.Null && m.L == u.L && strings.Join(m.Covariates, ", ") == k.covs {
						c = fmt.Sprintf("P %s, BF %.2g", fmtP(m.P), m.BayesFactor)
					}
				}
			} else {
				c = fmt.Sprintf("%d of %d below 0.05", u.Below05, u.Repeats)
				if u.KS != nil {
					c += fmt.Sprintf("; KS P %s", fmtP(u.KS.P))
				}
			}
			cells[k] = append(cells[k], c)
		}
		for _, k := range order {
			covs := k.covs
			if covs == "" {
				covs = "none"
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s |", e, n, aniso.Units(k.null), covs)
			for l := 0; l < lmax; l++ {
				c := "-"
				if l < len(cells[k]) {
					c = cells[k][l]
				}
				fmt.Fprintf(&b, " %s |", c)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
