// Package fitstable writes and reads FITS binary tables (FITS Standard
// 4.0, section 7.3) of the kinds skybias's catalogs use: one table of
// double-precision (D), single-precision (E), integer (J, K) and
// fixed-width text (A) columns, after an empty primary HDU. Column names
// keep their case (TTYPE), units go in TUNIT, strings are padded with
// spaces, NaN marks a missing double, and provenance goes in header
// keywords. It is what `skybias annotate --fits` writes and what
// `skybias anisotropy` reads besides CSV; astropy and CFITSIO (fitsio)
// read its files in CI.
package fitstable
