package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/pipeline"
)

func init() {
	register(command{name: "validate", summary: "check experiment, source and report files", run: runValidate})
	register(command{name: "plan", summary: "list the jobs of experiments, their hashes and cost", run: runPlan})
}

const validateDesc = `
Checks YAML files of the experiment language: experiments (compiled with
the profile), files they include, report definitions and data sources.
Every problem is printed as FILE:LINE:COLUMN: message. Exits 1 if any file
has a problem.`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "FILE...", validateDesc, stderr)
	addMaxJobs(fs)
	profile := fs.String("profile", "", "profile to compile experiments with (default quick where defined)")
	files, err := parseN(fs, args, 1, -1)
	if err != nil {
		return err
	}
	bad := 0
	var plans []*dsl.Plan
	for _, f := range files {
		kind, plan, err := dsl.ValidateFile(f, dsl.Options{Profile: *profile})
		if err != nil {
			for _, e := range dsl.Errors(err) {
				bad++
				fmt.Fprintln(stdout, e)
			}
			continue
		}
		detail := string(kind)
		if plan != nil {
			detail = fmt.Sprintf("experiment %s, %d job(s)", plan.Experiment, len(plan.Jobs))
			plans = append(plans, plan)
		}
		fmt.Fprintf(stdout, "%s: ok (%s)\n", f, detail)
	}
	for _, d := range pipeline.DuplicateNames(plans) {
		bad++
		fmt.Fprintln(stdout, d)
	}
	// Every compare.with must name an experiment of the run, or one found
	// beside the file (which run and paper then include).
	added, err := dsl.Baselines(plans, dsl.Options{Profile: *profile})
	for _, p := range added {
		fmt.Fprintf(stdout, "%s: ok (experiment %s, %d job(s); a baseline found beside the files, included when they run)\n", p.File, p.Experiment, len(p.Jobs))
	}
	if err != nil {
		for _, e := range dsl.Errors(err) {
			bad++
			fmt.Fprintln(stdout, e)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d problem(s) in %d file(s)", bad, len(files))
	}
	return nil
}

const planDesc = `
Compiles experiments and lists their jobs: the content hash (the name of
the job's result folder), the sweep point and repeat, the design (training
regions and counts -> test sets), the work in image-steps (epochs x
training images) and an estimate of the time on a 2-core machine. The same
file always gives the same hashes; any change to what a job computes
changes its hash.`

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan", "FILE... [KEY.PATH=VALUE...]", planDesc+overridesDesc, stderr)
	addMaxJobs(fs)
	profile := fs.String("profile", "", "profile: quick, paper or one the file defines (default quick where defined)")
	pos, err := parseN(fs, args, 1, -1)
	if err != nil {
		return err
	}
	files, overrides := splitOverrides(pos)
	if len(files) == 0 {
		return errors.New("no experiment files given (only overrides)")
	}
	var total time.Duration
	var steps int64
	jobs := 0
	seen := map[string]bool{}
	var problems []string
	type planned struct {
		file string
		kind dsl.Kind
		plan *dsl.Plan
	}
	var plans []planned
	// Every file is compiled before anything is printed, so that a
	// mistake (a misspelt profile) is said first and alone.
	for _, f := range files {
		kind, plan, err := dsl.ValidateFile(f, dsl.Options{Profile: *profile, Overrides: overrides})
		if err != nil {
			for _, e := range dsl.Errors(err) {
				problems = append(problems, e.Error())
			}
			continue
		}
		plans = append(plans, planned{f, kind, plan})
	}
	if len(problems) > 0 {
		fmt.Fprintln(stderr, strings.Join(problems, "\n"))
		return errors.New("some files have problems; nothing planned")
	}
	for _, pl := range plans {
		f, kind, plan := pl.file, pl.kind, pl.plan
		if plan == nil {
			fmt.Fprintf(stdout, "%s: %s, no jobs\n\n", f, kind)
			continue
		}
		prof := plan.Profile
		if prof == "" {
			prof = "(none)"
		}
		fmt.Fprintf(stdout, "%s: experiment %s, profile %s, %d job(s)\n", f, plan.Experiment, prof, len(plan.Jobs))
		fmt.Fprintf(stdout, "  %-12s %-22s %3s  %-44s %12s %9s\n", "hash", "variant", "rep", "design", "image-steps", "estimate")
		for _, r := range plan.Rows() {
			shared := ""
			if seen[r.Job.Hash()] {
				shared = " (shared)"
			} else {
				seen[r.Job.Hash()] = true
				total += r.Cost.Estimate
				steps += r.Cost.ImageSteps
				jobs++
			}
			fmt.Fprintf(stdout, "  %-12s %-22s %3d  %-44s %12d %9s%s\n", r.Hash, r.Variant, r.Repeat, r.Design, r.Cost.ImageSteps, r.Cost.Estimate.Round(time.Second), shared)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "total: %d distinct job(s), %d image-steps, about %s on 2 cores\n", jobs, steps, total.Round(time.Second))
	if len(problems) > 0 {
		return errors.New("some files have problems")
	}
	return nil
}
