// Package report turns stored results into the paper's tables, side by
// side with the published numbers: each comparison's effect (the
// design-by-field interaction, or the paired shift) with an interval that
// says which noise it covers, the verdict (Holm across the report), the
// classical views (McNemar's exact test, the paper's own binomial test on
// our matrices and on the published ones, the field contrast), repeated
// and calibration studies (rates with exact intervals, QQ plots of P),
// Table 16 and Figure 2 regenerated, and figures, as Markdown and HTML,
// with summary.json and comparisons.csv for machines. The statistics
// themselves live in package analysis.
//
// A report holds nothing that changes between two runs of the same
// experiments (no dates, hosts or timings): rebuilt from the same results
// it is byte-identical.
package report
