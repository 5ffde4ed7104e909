// Package report renders findings (package findings) as the paper's
// tables, side by side with the published numbers: each comparison's
// effect with an interval that says which noise it covers, the verdict,
// the classical views (McNemar's exact test, the paper's own binomial test
// on our matrices and on the published ones, the field contrast),
// repeated and calibration studies (rates with exact intervals, QQ plots
// of P), Table 16 and Figure 2 regenerated, and figures (the bias chart's
// rows and the sky map's regions are exported for notebooks), as Markdown
// and HTML, with summary.json and comparisons.csv for machines. It decides
// nothing itself: the analysis lives in findings and analysis.
//
// A report holds nothing that changes between two runs of the same
// experiments (no dates, hosts or timings): rebuilt from the same results
// it is byte-identical.
package report
