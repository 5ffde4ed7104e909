// Package predictions reads and writes per-galaxy predictions made by any
// classifier, skybias's or one trained elsewhere, so that the verdict can
// judge a user's own design-trained and baseline networks: a CSV with
// columns id, class (elliptical or spiral), field (the test set the
// galaxy belongs to) and one column per network holding its p(spiral)
// (a probability in [0, 1]) or its label. Every problem is an error that
// names the file, the line and the column; a table turns into
// analysis.Calls per field for the verdict.
package predictions
