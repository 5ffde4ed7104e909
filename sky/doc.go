// Package sky holds everything about where galaxies are and what they look
// like before a network sees them: catalogs read from CSV with a column
// mapping, sky regions (RA/Dec boxes with wrap-around and predicates on any
// catalog column), certainty cuts, seeded disjoint train/test sampling,
// image sources (JPEG and PNG files resampled to the model's input size and
// kept as uint8) and the built-in synthetic survey, whose galaxies are
// rendered deterministically on skies whose conditions differ by region.
//
// Data sources are described by small YAML files (see experiments/sources
// and experiments/surveys): a "catalog:" file points at a real catalog and
// its images, a "survey:" file defines a synthetic survey. OpenSource reads
// either and returns a Source.
package sky
