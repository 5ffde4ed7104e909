// Package report turns stored results into the paper's tables, side by
// side with the published numbers, with the statistics that say whether a
// training design leaked the sky into the predictions (the paper's
// one-sided binomial test and McNemar's exact test on the same test
// galaxies, and the field contrast that one network's answers on its
// spiral and elliptical training fields give, which training noise cannot
// fake), bootstrap summaries over repeats, Table 16 and Figure 2
// regenerated, and figures, as Markdown and HTML.
//
// A report holds nothing that changes between two runs of the same
// experiments (no dates, hosts or timings): rebuilt from the same results
// it is byte-identical.
package report
