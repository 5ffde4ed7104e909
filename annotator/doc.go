// Package annotator has a stored job's networks annotate a catalog: it
// owns what annotation means for a job (the ensemble's members, in
// order; leaving out the galaxies the networks trained on; the design's
// direction on the sky that an anisotropy is compared with), names the
// store's catalog of an annotation, and cuts a catalog into shards that
// an executor runs as separate processes. Writing the catalog file
// itself, in batches that survive interruption, is package annotate's.
package annotator
