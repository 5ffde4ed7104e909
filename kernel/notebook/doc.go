// Package notebook runs Jupyter notebooks on the skybias kernel from the
// command line, the way papermill runs them on Python kernels: the cell
// tagged "parameters" is followed by an injected cell (tagged
// "injected-parameters") that assigns the values given, every cell runs
// in order over the Jupyter protocol on a kernel started in the
// notebook's folder, and the outputs, execution counts and timings are
// written into a copy of the notebook, which can also be written as a
// self-contained HTML page. This is how a notebook becomes a batch job.
package notebook
