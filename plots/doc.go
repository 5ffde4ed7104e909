// Package plots draws skybias's figures with gonum/plot and the image
// package: accuracy versus training-set size, bias charts, confusion
// matrices, sky maps, training histories and contact sheets of cutouts.
// Every figure is a value with PNG and SVG methods and a Save method that
// picks the format from the file name, so the CLI writes it and the
// Jupyter kernel shows it inline.
package plots
