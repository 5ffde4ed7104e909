// Package aniso asks whether a quantity measured across the sky (the
// fraction of a catalog's galaxies labelled spiral, or their mean
// p(spiral)) is anisotropic. It fits a monopole and a dipole by least
// squares on the unit sphere, weighting galaxies equally; judges the
// dipole's amplitude by Monte Carlo, permuting the values among the fixed
// positions so that an uneven footprint cannot fake a dipole; measures the
// hemisphere asymmetry along the fitted axis; and bins the sky into
// equal-area cells for a map. It reads catalogs as CSV and knows nothing
// of networks or surveys.
package aniso
