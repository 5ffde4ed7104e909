// Package stats holds the tests and summaries skybias reports: the exact
// one-sided binomial tail the paper uses, McNemar's exact test for paired
// predictions on the same test galaxies, Wilson score intervals, bootstrap
// summaries over repeats, the chi-square test of homogeneity of the
// predicted class across regions, the Cochran-Mantel-Haenszel test of two
// groups across strata (one network's answers on two fields, stratified
// by true class), Welch's t-test across repeats, and the Kolmogorov-Smirnov test of null p-values against the uniform.
package stats
