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
	return AgreementMarkdown(s.Agreement) + "\n" + agreementLine(s.Agreement) + "\n"
}
