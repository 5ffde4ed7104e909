// Package dsl is skybias's experiment language: YAML files that say which
// galaxies train the classifier (per class, from which sky regions), which
// galaxies test it, which network and training settings to use, how many
// repeats and which sweeps to run, and which experiment is the baseline
// of which. Load reads a file with its includes; Compile validates it,
// applies a profile (quick, paper, or one the file defines), expands
// sweeps and repeats, and returns Jobs: plain data with a canonical JSON
// form and a content hash, which the runner executes locally or on a
// cluster.
//
// Every error names the file, line and column at fault and says what was
// expected; all errors of a file are reported together.
package dsl
