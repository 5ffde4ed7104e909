// Package netspec is the plain description of a classifier as a job
// states it: the network's architecture and sizes (Config), the
// optimiser's settings (Adam) and the record of a training run (History),
// with the rules that resolve a configuration's defaults and decide which
// convolutions take the Winograd path. It holds data and arithmetic
// only: the experiment language, the result store, the analysis and the
// report read it without linking the training engine (package cnn, which
// builds and trains the network it describes).
package netspec
