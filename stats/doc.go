// Package stats holds the tests and summaries skybias reports: the exact
// one-sided binomial tail the paper uses, McNemar's exact test for paired
// predictions on the same test galaxies, Wilson score intervals, bootstrap
// summaries over repeats, and the chi-square test of homogeneity of the
// predicted class across regions.
package stats
