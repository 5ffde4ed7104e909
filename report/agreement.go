package report

import (
	"fmt"
	"strings"

	"github.com/skybias/skybias/findings"
)

// agreement renders how close our tables are to the paper's.
func (r *Report) agreement(d *doc) {
	a := r.Findings.Agreement()
	if a == nil {
		return
	}
	d.h(2, "Agreement with the paper")
	d.p("%s", "Per table, on the table's test set: our p(spiral) and accuracy (first repeat) beside the paper's (computed from its printed confusion matrix), and, where the table is compared with a baseline table the paper also printed, the shift of p(spiral) against that baseline, ours and published. "+
		"The synthetic survey's field differences are ours, chosen by hand: agreement here measures how close that sky comes to the paper's numbers, not whether the paper is right.")
	head, rows := agreementTable(a)
	d.table(head, rows)
	d.p("%s", agreementLine(a))
	for _, part := range agreementParts(a) {
		d.p("%s", part.lead)
		for _, t := range part.tables {
			d.table(t.head, t.rows)
		}
	}
}

// agreementPart is one of the agreement's further tables: the paragraph
// a report leads it with, the line a README block captions it with, and
// its tables.
type agreementPart struct {
	lead, caption string
	tables        []table
}

// agreementParts lists the parts that follow the per-table agreement:
// the null predictors, the design effects, the survival table. The report
// and the README block render the same list.
func agreementParts(a *findings.Agreement) []agreementPart {
	var out []agreementPart
	if len(a.LevelBenchmarks) > 0 {
		h, r := benchmarkTable(a.LevelBenchmarks)
		out = append(out, agreementPart{
			lead: "**Against chance.** Published p(spiral) spans only 0.43-0.55, so a small difference from it means little by itself. The same mean absolute difference for predictors that know nothing of the design: a constant 0.5, our own mean, and our values shuffled across the tables (P: how often a shuffle agrees as well or better). " +
				"\"Tuned\" tables (3, 4, 6, 7, 12, 13) set the synthetic surveys' contrasts; the held-out ones did not. \"Beats\" needs the interval of the per-table difference to lie below 0 (or, for the shuffle, P < 0.05).",
			caption: "p(spiral) per table against predictors that know nothing of the design:",
			tables:  []table{{h, r}}})
	}
	if len(a.Effects) > 0 {
		h, r := effectsTable(a.Effects)
		bh, br := benchmarkTable(a.EffectBenchmarks)
		out = append(out, agreementPart{
			lead: "**Effects, not levels.** Half the interaction of each design with its mirror (spirals and ellipticals from the other fields): on each field, the design that took its spirals there minus the one that took its ellipticals there, within true class, averaged over the two fields. " +
				"Each design is the other's baseline, so the lean of a separately trained baseline network does not enter. The published interval covers test sampling only (one network per table; tables tested on the same galaxies counted as independent); ours says what it covers. The second table sets the effects against the predictor \"no effect\".",
			caption: "Design effects (half the design-by-mirror interaction), ours against published, then against the predictor \"no effect\":",
			tables:  []table{{h, r}, {bh, br}}})
	}
	if len(a.Survival) > 0 {
		h, r := survivalTable(a.Survival)
		out = append(out, agreementPart{lead: survivalIntro(a),
			caption: "The paper's comparisons against the noise of two networks trained alike:",
			tables:  []table{{h, r}}})
	}
	return out
}

// survivalIntro explains the survival table, with the published Table 4
// network set against its own design's bootstrap.
func survivalIntro(a *findings.Agreement) string {
	s := "**Which of the paper's comparisons survive training noise?** Each published comparison is one network against one other. " +
		"The shift is the published p(spiral) of the design's table minus the baseline's on the same test set (signed: positive is the paper's bias); the noise is the standard deviation of that difference between two networks trained alike. " +
		"The paper's bootstrap (section 4: Table 6's design 247.4 +- 1.1 misclassified ellipticals over 100 splits, largest 291; Table 4's 216.2 +- 1, largest 277) is read two ways: \"+-\" as the standard error of the mean over the 100 splits (one network's SD = 10 x), and the SD from the largest count (the largest of 100 normal draws lies about 2.5 SD above their mean). " +
		"Ours is the spread of our quick-profile networks on ps1-paper (the network part and the network-by-galaxy interaction of p(spiral), projected to the paper's test size): briefly trained 48-px networks, which lean towards one class far more than the paper's, so an upper reading. "
	if t := a.Table4; t != nil {
		s += fmt.Sprintf("Table 4's own published network misclassified %d ellipticals, %.0f more than the mean of its design's 100 splits (%.1f) and above their largest (%.0f): %.1f SD from that mean if \"+-\" is a standard error, %.1f SD by the largest count, so the bootstrap's spread, read as a standard error, is too small for the published networks themselves. ",
			t.Published, t.Excess, t.Mean, t.Max, t.ZSE, t.ZMax)
	}
	return s + "\"Stands out\" is |shift| > 2 SD, for each reading in turn."
}

// effectsTable is the design-effect comparison as a table.
func effectsTable(es []findings.EffectRow) ([]string, [][]string) {
	head := []string{"design", "tuned", "published [95% interval, test sampling]", "ours [95% interval]", "ours covers", "published inside ours"}
	var rows [][]string
	for _, e := range es {
		in := "no"
		if e.OursLow <= e.Published && e.Published <= e.OursHigh {
			in = "yes"
		}
		rows = append(rows, []string{e.Design, yesNo(e.Tuned), fmt.Sprintf("%+.4f [%+.4f, %+.4f]", e.Published, e.PublishedLow, e.PublishedHigh),
			fmt.Sprintf("%+.4f [%+.4f, %+.4f]", e.Ours, e.OursLow, e.OursHigh), e.Noise, in})
	}
	return head, rows
}

// benchmarkTable is a list of null-predictor benchmarks as a table.
func benchmarkTable(bs []findings.NullBenchmark) ([]string, [][]string) {
	head := []string{"tables", "null predictor", "mean abs. difference: ours", "null", "ours - null [95% interval]", "P", "beats the null"}
	var rows [][]string
	for _, b := range bs {
		iv, p := "-", "-"
		if b.Low != nil {
			iv = fmt.Sprintf("%+.4f [%+.4f, %+.4f]", b.Diff, *b.Low, *b.High)
		} else {
			iv = fmt.Sprintf("%+.4f", b.Diff)
		}
		if b.P != nil {
			p = fmtP(*b.P)
		}
		rows = append(rows, []string{fmt.Sprintf("%s (%s)", b.Set, joinInts(b.Tables)), b.Predictor, fmt.Sprintf("%.4f", b.Ours), fmt.Sprintf("%.4f", b.Null), iv, p, yesNo(b.Beats)})
	}
	return head, rows
}

// survivalTable is the survival of the paper's comparisons as a table.
func survivalTable(ss []findings.SurvivalRow) ([]string, [][]string) {
	head := []string{"comparison", "printed by the paper", "shift", "noise SD: bootstrap (+- as SE)", "bootstrap (from largest)", "our networks", "shift / noise", "stands out (SE / largest / ours)"}
	var rows [][]string
	for _, s := range ss {
		rows = append(rows, []string{fmt.Sprintf("Table %d vs %d", s.Design, s.Baseline), yesNo(s.Printed), fmt.Sprintf("%+.4f", s.Shift),
			fmt.Sprintf("%.4f", s.NoiseBootstrapSE), fmt.Sprintf("%.4f", s.NoiseBootstrapMax), fmt.Sprintf("%.4f", s.NoiseOurs),
			fmt.Sprintf("%.1f / %.1f / %.1f", s.ZBootstrapSE, s.ZBootstrapMax, s.ZOurs), standsOut(s)})
	}
	return head, rows
}

// standsOut words a survival row's verdict per reading: "yes" where the
// shift exceeds 2 SD in the paper's direction, "reverse" where against
// it, "no" where it does not stand out.
func standsOut(s findings.SurvivalRow) string {
	var w []string
	for _, b := range s.StandsOut() {
		switch {
		case !b:
			w = append(w, "no")
		case s.Shift < 0:
			w = append(w, "reverse")
		default:
			w = append(w, "yes")
		}
	}
	return strings.Join(w, " / ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

// agreementLine says the agreement in one sentence.
func agreementLine(a *findings.Agreement) string {
	return fmt.Sprintf("Over %d tables: mean absolute difference of p(spiral) %.3f, of accuracy %.3f; %d of %d shifts against the baseline point the same way as the paper's.",
		len(a.Rows), a.MeanAbsPSpiral, a.MeanAbsAccuracy, a.SameSign, a.Shifts)
}

// agreementTable is the agreement as a table's head and rows.
func agreementTable(a *findings.Agreement) ([]string, [][]string) {
	head := []string{"table", "experiment", "test", "p(spiral) ours", "published", "difference", "accuracy ours", "published", "difference",
		"shift vs baseline: ours", "published", "same sign"}
	var rows [][]string
	for _, r := range a.Rows {
		shift, pub, same := "-", "-", "-"
		if r.Baseline != 0 {
			shift = fmt.Sprintf("%+.3f (vs Table %d)", r.Shift, r.Baseline)
			pub = fmt.Sprintf("%+.3f", r.PublishedShift)
			same = "no"
			if r.SameSign() {
				same = "yes"
			}
		}
		rows = append(rows, []string{fmt.Sprint(r.Table), r.Experiment, r.Test, fmt.Sprintf("%.3f", r.PSpiral), fmt.Sprintf("%.3f", r.PublishedPSpiral),
			fmt.Sprintf("%+.3f", r.PSpiral-r.PublishedPSpiral), fmt.Sprintf("%.3f", r.Accuracy), fmt.Sprintf("%.3f", r.PublishedAccuracy),
			fmt.Sprintf("%+.3f", r.Accuracy-r.PublishedAccuracy), shift, pub, same})
	}
	return head, rows
}

// AgreementMarkdown is the agreement table as Markdown.
func AgreementMarkdown(a *findings.Agreement) string {
	head, rows := agreementTable(a)
	var b strings.Builder
	table{head, rows}.md(&b)
	return strings.TrimSuffix(b.String(), "\n") // the table without the blank line that ends a report block
}

// AgreementSummaryMarkdown is a summary's agreement table and its
// one-line account (README blocks); empty without one.
func AgreementSummaryMarkdown(s findings.Summary) string {
	if s.Agreement == nil {
		return ""
	}
	a := s.Agreement
	var b strings.Builder
	b.WriteString(AgreementMarkdown(a) + "\n" + agreementLine(a) + "\n")
	for _, part := range agreementParts(a) {
		b.WriteString("\n*" + part.caption + "*\n\n")
		for _, t := range part.tables {
			t.md(&b)
		}
	}
	// One newline at the end, as a README block needs.
	return strings.TrimRight(b.String(), "\n") + "\n"
}
