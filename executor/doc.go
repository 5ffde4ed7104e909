// Package executor decides where jobs run: here (local), on a Slurm
// cluster as job arrays (slurm), or nowhere (store: every result must
// already be stored). Every executor sits behind one interface and one
// registry, so a run, a collect and an annotation's shards reach a
// cluster through the same door, and a new executor is one file that
// registers itself. What a job computes is package runner's; the files an
// executor keeps sit in its own folder of the result store.
package executor
