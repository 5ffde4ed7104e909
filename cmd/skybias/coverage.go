package main

import (
	"context"
	"fmt"
	"io"

	"github.com/skybias/skybias/simcalls"
)

func init() {
	register(command{name: "coverage", summary: "check by simulation that the verdict's 95% intervals cover 95%", run: runCoverage})
}

const coverageDesc = `
Constructs studies whose networks' calls have known variance components
(each network's lean and its reaction to each field, each galaxy's
difficulty, the network-by-galaxy interaction) and a known design-by-field
effect, at the quick profile's test size, and prints how often the
verdict's 95% interval covered the true effect at 3, 5 and 10 networks a
side, beside the coverage of an estimator that counts the interaction
twice (skybias's before issue 28) and the mean half-width, which says how
many networks a given width needs. docs/verdict/coverage.txt is its
output.`

func runCoverage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("coverage", "", coverageDesc, stderr)
	repeats := fs.Int("repeats", 2000, "constructed studies per row")
	seed := fs.Uint64("seed", 1, "seed of the constructed studies")
	if _, err := parseN(fs, args, 0, 0); err != nil {
		return err
	}
	if *repeats < 1 || *repeats > 100000 {
		return fmt.Errorf("--repeats %d: want 1 to 100000", *repeats)
	}
	var cs []simcalls.Coverage
	for _, m := range simcalls.Regimes() {
		c, err := simcalls.Run(ctx, m, *repeats, *seed)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	fmt.Fprintf(stdout, "# skybias coverage --repeats %d --seed %d\n", *repeats, *seed)
	fmt.Fprintf(stdout, "# %d galaxies per class and field, accuracy 0.9; latent SDs: galaxy 0.8, call 0.5, lean 0.1\n", simcalls.Regimes()[0].Galaxies)
	return simcalls.WriteTable(stdout, cs)
}
