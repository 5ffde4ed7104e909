package report

import (
	"fmt"
	"strings"

	"github.com/skybias/skybias/findings"
)

// StudiesMarkdown is a Markdown table of a summary's repeated studies:
// the rate at which the verdict called a shift, with its exact interval.
func StudiesMarkdown(s findings.Summary) string {
	var b strings.Builder
	b.WriteString("| study | baseline | truth | repeats | shifts called | rate | 95% interval (Clopper-Pearson) |\n|---|---|---|---|---|---|---|\n")
	for _, st := range s.Studies {
		what := "shift rate"
		switch {
		case st.FalsePositiveRate != nil:
			what = "false-positive rate"
		case st.DetectionRate != nil:
			what = "detection rate"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %s %.3f | [%.3f, %.3f] |\n", st.Experiment, st.Baseline, st.Truth, st.Repeats, st.Shifts, what, st.ShiftRate, st.RateCILow, st.RateCIHigh)
	}
	return b.String()
}

// ComparisonsMarkdown is a Markdown table of a summary's comparisons:
// effect, interval, P, Holm-adjusted P and verdict.
func ComparisonsMarkdown(s findings.Summary) string {
	var b strings.Builder
	b.WriteString("| experiment | test | baseline | effect [95% interval] | interval covers | P | P (Holm) | verdict | paper's binomial P (ours / published) |\n|---|---|---|---|---|---|---|---|---|\n")
	f := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmtP(*v)
	}
	for _, c := range s.Comparisons {
		name := c.Experiment
		if c.Variant != "" {
			name += " (" + c.Variant + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %+.3f [%+.3f, %+.3f] | %s | %s | %s | %s | %s / %s |\n", name, c.Test, c.Baseline, c.Effect, c.CILow, c.CIHigh,
			c.Noise, fmtP(c.P), fmtP(c.PHolm), c.Verdict, f(c.PaperP), f(c.PaperPPublished))
	}
	return b.String()
}

// ProbesMarkdown is a Markdown table of a summary's region probes: the
// network's held-out accuracy with its interval and P against chance, its
// AUC, and the simple probe's accuracy.
func ProbesMarkdown(s findings.Summary) string {
	var b strings.Builder
	b.WriteString("| probe | regions | class | train / held out per region | repeats | network accuracy [95% interval] | P (vs chance) | AUC [95% interval] | simple probe accuracy [95% interval] | repeats at chance |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range s.Probes {
		fmt.Fprintf(&b, "| %s | %s | %s | %d / %d | %d | %.3f [%.3f, %.3f] | %s | %.3f [%.3f, %.3f] | %.3f [%.3f, %.3f] | %d of %d |\n",
			p.Experiment, strings.Join(p.Regions, " vs "), p.Class, p.N, p.Test, p.Repeats, p.Accuracy, p.CILow, p.CIHigh, fmtP(p.P),
			p.AUC, p.AUCLow, p.AUCHigh, p.SimpleProbeAccuracy, p.SimpleProbeCILow, p.SimpleProbeCIHigh, p.RepeatsAtChance, p.Repeats)
	}
	return b.String()
}
