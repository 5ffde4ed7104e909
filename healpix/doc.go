// Package healpix puts directions on the sky into HEALPix pixels (Górski
// et al. 2005: equal-area pixels in RING or NESTED order, NSIDE a power
// of two) and writes HEALPix maps as FITS binary tables with the keywords
// healpy, astropy and the HEALPix tools read (PIXTYPE, ORDERING, NSIDE,
// COORDSYS, INDXSCHM, FIRSTPIX, LASTPIX). Its pixel indices equal
// healpy's (checked in CI with Debian's python3-healpy).
package healpix
