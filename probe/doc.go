// Package probe asks whether a classifier can tell where in the sky an
// image came from: a network trained to name the region of each image
// (not its galaxy's class) is judged on held-out images by its accuracy
// against chance and its ROC AUC, each with its interval. Beside it runs a
// transparent probe on the same split, a logistic regression on a few
// simple image statistics (channel means, sky background level and noise,
// a star-count proxy, fine-scale texture, JPEG block edges): when the
// network names the region and the simple probe cannot, the cue is not a
// simple sky statistic. The package holds the features, the simple model
// and the assessment; it knows nothing of how jobs run.
package probe
