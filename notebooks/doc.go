// Package notebooks holds skybias's Jupyter notebooks (the .ipynb files
// beside this one) and the test that executes them with Jupyter's own
// nbconvert and the skybias kernel.
package notebooks
