// Package pipeline is skybias's whole flow in one call: experiment files
// are compiled into jobs, the jobs run here or on Slurm into the result
// store (stored results are reused), and the results become a report. The
// command line and the Jupyter kernel both drive it.
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/report"
	"github.com/skybias/skybias/runner"
)

// Spec is what a report folder is made from; it is saved there as
// run.json so that the report can be rebuilt or collected later.
type Spec struct {
	Title   string   `json:"title"`
	Files   []string `json:"files"`
	Profile string   `json:"profile"`
	Results string   `json:"results"`
	// Arrays are the Slurm arrays submitted for this run.
	Arrays []string `json:"slurm_arrays,omitempty"`
}

// SpecFile is the name of the saved Spec in a report folder.
const SpecFile = "run.json"

// Save writes the spec into dir atomically.
func (s *Spec) Save(dir string) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	return atomicfile.WriteFile(filepath.Join(dir, SpecFile), append(b, '\n'))
}

// LoadSpec reads the spec of a report folder.
func LoadSpec(dir string) (*Spec, error) {
	b, err := os.ReadFile(filepath.Join(dir, SpecFile))
	if err != nil {
		return nil, fmt.Errorf("%w (is %s a folder written by skybias run or paper?)", err, dir)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, SpecFile), err)
	}
	return &s, nil
}

// Executor says where jobs run.
type Executor string

// The executors.
const (
	// Local runs jobs one after the other on this machine.
	Local Executor = "local"
	// Slurm submits them as one array and follows it.
	Slurm Executor = "slurm"
	// StoreOnly runs nothing: every result must be stored already.
	StoreOnly Executor = "store"
)

// Options control Execute.
type Options struct {
	Executor Executor
	// NoWait, with Slurm, submits and returns without a report.
	NoWait bool
	// Cluster settings override the files' cluster: blocks where set.
	Cluster dsl.Cluster
	// Log receives per-job lines; Bar a training progress bar (a terminal).
	Log, Bar io.Writer
	// Parallel is how many local jobs run at once (0: runner's choice).
	Parallel int
}

// Compile compiles experiment and report files with a profile; every
// problem of every file is returned together.
func Compile(files []string, profile string) ([]*dsl.Plan, []*dsl.ReportSpec, error) {
	var plans []*dsl.Plan
	var reports []*dsl.ReportSpec
	var problems []string
	for _, f := range files {
		kind, plan, err := dsl.ValidateFile(f, dsl.Options{Profile: profile})
		if err != nil {
			for _, e := range dsl.Errors(err) {
				problems = append(problems, e.Error())
			}
			continue
		}
		switch kind {
		case dsl.KindExperiment:
			plans = append(plans, plan)
		case dsl.KindReport:
			doc, err := dsl.Load(f)
			if err == nil {
				var r *dsl.ReportSpec
				if r, err = dsl.DecodeReport(doc); err == nil {
					reports = append(reports, r)
				}
			}
			if err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	if len(problems) > 0 {
		return nil, nil, errors.New(strings.Join(problems, "\n"))
	}
	if len(plans) == 0 {
		return nil, nil, errors.New("no experiments among the files given")
	}
	return plans, reports, nil
}

// mergeCluster lays the flags' settings over the first cluster: block.
func mergeCluster(plans []*dsl.Plan, f dsl.Cluster) dsl.Cluster {
	var c dsl.Cluster
	for _, p := range plans {
		if p.Cluster != nil {
			c = *p.Cluster
			break
		}
	}
	if f.Partition != "" {
		c.Partition = f.Partition
	}
	if f.Time != "" {
		c.Time = f.Time
	}
	if f.CPUs != 0 {
		c.CPUs = f.CPUs
	}
	if f.Mem != "" {
		c.Mem = f.Mem
	}
	if f.Account != "" {
		c.Account = f.Account
	}
	c.Sbatch = append(append([]string(nil), c.Sbatch...), f.Sbatch...)
	return c
}

// Execute compiles the spec's files, runs the jobs whose results are
// missing (here, on Slurm, or nowhere), and builds the report. With
// out set, the report and the spec are written there. With Slurm and
// NoWait it returns after submitting, with a nil report.
func Execute(ctx context.Context, spec *Spec, out string, opts Options) (*report.Report, error) {
	plans, reports, err := Compile(spec.Files, spec.Profile)
	if err != nil {
		return nil, err
	}
	var jobs []*dsl.Job
	for _, p := range plans {
		jobs = append(jobs, p.Jobs...)
		if spec.Profile == "" {
			spec.Profile = p.Profile
		}
	}
	store := &runner.Store{Dir: spec.Results}
	save := func() error {
		if out == "" {
			return nil
		}
		return spec.Save(out)
	}
	switch opts.Executor {
	case StoreOnly:
	case Slurm:
		sl := &runner.Slurm{Store: store, Cluster: mergeCluster(plans, opts.Cluster), Log: opts.Log}
		sub, err := sl.Submit(ctx, jobs)
		if err != nil {
			return nil, err
		}
		if sub != nil {
			spec.Arrays = append(spec.Arrays, sub.ArrayID)
		}
		if err := save(); err != nil {
			return nil, err
		}
		if opts.NoWait {
			return nil, nil
		}
		if sub != nil {
			if err := sl.Wait(ctx, sub); err != nil {
				return nil, err
			}
		}
	case Local, "":
		if _, err := runner.Run(ctx, jobs, runner.Options{Store: store, Log: opts.Log, Bar: opts.Bar, SaveModels: true, Parallel: opts.Parallel}); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("interrupted: finished jobs are kept in %s; run again to resume", spec.Results)
			}
			return nil, err
		}
	default:
		return nil, fmt.Errorf("executor %q: want local or slurm", opts.Executor)
	}
	results := map[string]*runner.Result{}
	for _, j := range runner.Unique(jobs) {
		r, err := store.Load(j.Hash())
		if err != nil {
			return nil, fmt.Errorf("%w (run the experiments first)", err)
		}
		results[j.Hash()] = r
	}
	rep, err := report.Build(report.Input{Title: spec.Title, Profile: spec.Profile, Plans: plans, Summaries: reports, Results: results})
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := rep.Write(out); err != nil {
			return nil, err
		}
		if err := save(); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// Collect waits for the spec's Slurm arrays to finish.
func Collect(ctx context.Context, spec *Spec, log io.Writer) error {
	sl := &runner.Slurm{Store: &runner.Store{Dir: spec.Results}, Log: log}
	for _, id := range spec.Arrays {
		sub, err := sl.LoadSubmission(id)
		if err != nil {
			return err
		}
		if err := sl.Wait(ctx, sub); err != nil {
			return err
		}
	}
	return nil
}

// Jobs counts the distinct jobs of a report's experiments (experiments
// that ask for the same computation share one).
func Jobs(r *report.Report) int {
	var all []*dsl.Job
	for _, e := range r.Experiments {
		all = append(all, e.Plan.Jobs...)
	}
	return len(runner.Unique(all))
}
