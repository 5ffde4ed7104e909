// Package simcalls constructs the calls of trained networks on test
// galaxies with known variance components (each network's lean, its own
// reaction to each field, each galaxy's difficulty, and the
// network-by-galaxy interaction) and a known design-by-field effect, and
// measures how often the verdict's 95% interval covers that effect. It is
// how skybias checks that its intervals are right, not merely safe: a
// coverage well above 95% is as much a defect as one below.
package simcalls
