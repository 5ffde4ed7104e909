package main

import (
	"context"
	"fmt"
	"io"

	"github.com/skybias/skybias/sky"
)

func init() {
	register(command{name: "source", summary: "load data sources and count galaxies per class and region", run: runSource})
}

const sourceDesc = `
Loads each source definition (a real catalog or a synthetic survey, as in
experiments/sources and experiments/surveys) and prints how many ellipticals
and spirals it holds in all and in each region it names.`

func runSource(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("source", "FILE...", sourceDesc, stderr)
	files, err := parseN(fs, args, 1, -1)
	if err != nil {
		return err
	}
	for _, f := range files {
		src, err := sky.OpenSource(f)
		if err != nil {
			return err
		}
		counts, err := sky.CountRegions(src)
		if err != nil {
			return err
		}
		sky.WriteCounts(stdout, src.Name(), counts)
		sky.WriteOtherLabels(stdout, src)
		fmt.Fprintln(stdout)
	}
	return nil
}
