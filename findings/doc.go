// Package findings is what a set of results says, before anything is
// rendered: it gathers each experiment's jobs and results, pairs
// experiments with their baselines galaxy by galaxy, measures each
// design's effect with its interval, decides the verdicts across the
// family (Holm), runs the classical tests beside them (McNemar, the
// paper's binomial test, the field contrast), and compares with the
// paper's published tables. It reads results, never the executor; the
// report package renders what it finds, and notebooks call it directly.
package findings
