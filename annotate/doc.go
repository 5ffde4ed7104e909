// Package annotate runs trained networks over the galaxies of a source
// and writes a catalog: one CSV row per galaxy with its position, its
// class where the source knows it, the networks' p(spiral) (an
// ensemble's mean and each member's) and the label that follows. It is
// what a survey team does with a classifier, and the input of the
// anisotropy test (package aniso).
//
// A catalog is written in fixed batches of galaxies, each appended and
// synced before the next, so memory stays flat however many galaxies
// there are, and a run that is stopped (Ctrl-C, kill -9, a node lost)
// resumes from its last complete batch and ends with the same bytes. The
// galaxy list can be cut into shards at batch boundaries, each written by
// its own process (a Slurm array task); Merge joins them into the file a
// single run writes, byte for byte.
package annotate
