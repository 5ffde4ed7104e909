// Package results holds what a job produced and where it lives: the
// Result (confusion matrices, per-galaxy predictions of every network,
// training histories), the Manifest (where it came from: YAML, code,
// data, host, timings) and the Store, a content-addressed folder of
// results written atomically. Executors write to it; the analysis and the
// report read from it without knowing how the jobs ran.
package results
