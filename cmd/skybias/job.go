package main

import (
	"context"
	"fmt"
	"io"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/pipeline"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
)

func init() {
	register(command{name: "job", summary: "run one compiled job (what a cluster array task runs)", run: runJob, resume: "nothing of this job was stored; run the same command again to run it"})
	register(command{name: "collect", summary: "wait for a run's Slurm jobs, then write its report", run: runCollect, resume: "the jobs go on on the cluster; run skybias collect again to wait for them"})
}

const jobDesc = `
"skybias job run JOBFILE" runs one job from its canonical JSON (written by
--executor slurm) into the result store, unless its result is there. Each
Slurm array task runs this.`

func runJob(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("job", "run JOBFILE", jobDesc, stderr)
	storeDir := fs.String("results", pipeline.DefaultStore, "result store folder")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "run" {
		fs.Usage()
		return errUsage
	}
	j, err := dsl.ReadJob(pos[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "job %s: %s %s\n", j.ShortHash(), j.Experiment, j.Describe())
	store := &results.Store{Dir: *storeDir}
	if err := runner.RunJob(ctx, j, runner.Options{Store: store, Log: stdout, SaveModels: true, Progress: progress.Plain(stdout)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "job %s: result in %s\n", j.ShortHash(), store.Path(j.Hash()))
	return nil
}

const collectDesc = `
Waits for the Slurm arrays a "skybias run/paper --executor slurm --no-wait"
submitted into DIR, then writes the report there as a local run would.
Jobs that failed are listed with their logs; rerunning the submitting
command resubmits only them.`

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return reportDir(ctx, newFlags("collect", "DIR", collectDesc, stderr), args, stdout, stderr, true)
}
