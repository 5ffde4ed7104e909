// Package featprobe asks whether a classifier's internal representation
// encodes where in the sky its images came from: a linear probe on a
// frozen network's features. Given each image's activations at one layer,
// its region (0 or 1) and its class, it splits the images into a training
// and a held-out half (stratified by region and class, seeded), fits a
// ridge-regularised logistic regression region-vs-region on the training
// half (probe.FitLogistic) and judges it on the held-out half with the
// same intervals and "did not learn" rules as the trained probe
// (probe.Assess, probe.Judge). The features come from anywhere (package
// onnxnet runs a user's network); the package knows nothing of models,
// images or the sky.
package featprobe
