package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/executor"
	"github.com/skybias/skybias/pipeline"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/sky"
)

func init() {
	register(command{name: "run", summary: "run experiments and write their report", run: runRun, resume: "finished jobs are kept in the result store; run the same command again to go on from them"})
	register(command{name: "paper", summary: "regenerate every table and figure of the paper", run: runPaper, resume: "finished jobs are kept in the result store; run the same command again to go on from them"})
	register(command{name: "report", summary: "rebuild a report from stored results, without training", run: runReport, resume: "the report was not rewritten; run the same command again"})
}

// execFlags are the flags that choose where jobs run.
type execFlags struct {
	executor *string
	noWait   *bool
	cluster  dsl.Cluster
	sbatch   multiFlag
	jobs     int
	cache    byteSize
	repair   *bool
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func addExecFlags(fs *flag.FlagSet) *execFlags {
	e := &execFlags{}
	e.executor = fs.String("executor", executor.Default, "where jobs run: "+strings.Join(executor.Names(), ", ")+" (a cluster executor submits one array into the shared result store)")
	e.noWait = fs.Bool("no-wait", false, "with a cluster executor: submit and return; \"skybias collect OUT\" finishes later")
	fs.StringVar(&e.cluster.Partition, "partition", "", "cluster partition (overrides the YAML cluster: block)")
	fs.StringVar(&e.cluster.Time, "time", "", "cluster time limit per job, e.g. 4:00:00")
	fs.IntVar(&e.cluster.CPUs, "cpus", 0, "cluster CPUs per task (default 2)")
	fs.StringVar(&e.cluster.Mem, "mem", "", "cluster memory per task, e.g. 8G")
	fs.StringVar(&e.cluster.Account, "account", "", "cluster account")
	fs.Var(&e.sbatch, "sbatch", "extra sbatch flag, e.g. --sbatch=--qos=long (repeatable)")
	fs.IntVar(&e.jobs, "jobs", 0, "local jobs at once (0: one per core for networks of 32 px or less, else one)")
	e.repair = fs.Bool("repair", false, "retrain jobs whose stored result is damaged (fails its checksums) instead of stopping")
	addMaxJobs(fs)
	e.cache = byteSize(sky.DefaultCacheBytes)
	fs.Var(&e.cache, "cache", "bytes of decoded or rendered images kept for reuse by every job of this run, e.g. 256MB, 1GiB, 0 for none")
	return e
}

// execute runs a spec through the pipeline and writes its report to out;
// ex nil trains nothing and reports from the store.
func execute(ctx context.Context, spec *pipeline.Spec, out string, stdout, stderr io.Writer, ex *execFlags) error {
	opts := pipeline.Options{Executor: executor.Store, Log: stdout}
	if ex != nil {
		if ex.jobs < 0 || ex.jobs > 1024 {
			return fmt.Errorf("--jobs %d: want 0 (one per core for small networks, else one) to 1024", ex.jobs)
		}
		opts.Executor = *ex.executor
		opts.NoWait = *ex.noWait
		opts.Parallel = ex.jobs
		opts.Repair = *ex.repair
		opts.Cluster = ex.cluster
		opts.Cluster.Sbatch = ex.sbatch
		sky.Shared.SetBudget(int64(ex.cache))
		if progress.IsTerminal(stderr) {
			opts.Progress = progress.New(stderr)
			defer opts.Progress.Close()
		}
	}
	t0 := time.Now()
	rep, err := pipeline.Execute(ctx, spec, out, opts)
	if err != nil {
		return err
	}
	if rep == nil {
		fmt.Fprintf(stdout, "submitted; follow with squeue, then: skybias collect %s\n", out)
		return nil
	}
	if ex != nil {
		fmt.Fprintf(stdout, "%s\n", sky.Shared.Stats())
	}
	fmt.Fprintf(stdout, "wrote %s and %s with %d figures (%d jobs, %s)\n", filepath.Join(out, "REPORT.md"), filepath.Join(out, "REPORT.html"),
		len(rep.Figures), pipeline.Jobs(rep), time.Since(t0).Round(100*time.Millisecond))
	return nil
}

const runDesc = `
Runs the experiments in the given YAML files (skipping jobs whose results
are already stored), then writes REPORT.md, REPORT.html and the figures
(PNG and SVG) to the output folder. Ctrl-C stops cleanly; run again to
resume.`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "FILE... [KEY.PATH=VALUE...]", runDesc+overridesDesc, stderr)
	profile := fs.String("profile", "", "profile: quick, paper or one the files define (default quick where defined)")
	out := fs.String("out", "", "output folder (default out/NAME, NAME the experiment or \"run\")")
	results := fs.String("results", pipeline.DefaultStore, "result store folder")
	ex := addExecFlags(fs)
	pos, err := parseN(fs, args, 1, -1)
	if err != nil {
		return err
	}
	files, overrides := splitOverrides(pos)
	if len(files) == 0 {
		return errors.New("no experiment files given (only overrides)")
	}
	if *out == "" {
		name := "run"
		if len(files) == 1 {
			name = strings.TrimSuffix(filepath.Base(files[0]), filepath.Ext(files[0]))
		}
		*out = filepath.Join("out", name)
	}
	spec, err := pipeline.NewSpec("skybias report", files, *profile, *results)
	if err != nil {
		return err
	}
	spec.Overrides = overrides
	return execute(ctx, spec, *out, stdout, stderr, ex)
}

const overridesDesc = `

KEY.PATH=VALUE arguments after the files override a key of every file
(after its profile), as if written there: training.epochs=5,
model.input=64, test.f1.n=500, training={epochs: 3, ensemble: 5}. The
value is read as YAML and checked like the file's own; it enters the
jobs' hashes, so an override never reuses a result computed without it.`

const paperDesc = `
Regenerates every table and figure of Dhar & Shamir on the built-in
synthetic survey: runs every experiment under experiments/paper (the
quick profile finishes on a 2-core machine; the paper profile is the
paper's protocol, for a cluster) and writes REPORT.md, REPORT.html and the
figures to the output folder. Stored results are reused: a second run
trains nothing.`

func runPaper(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("paper", "[KEY.PATH=VALUE...]", paperDesc+overridesDesc, stderr)
	profile := fs.String("profile", "quick", "profile: quick or paper")
	out := fs.String("out", filepath.Join("out", "paper"), "output folder")
	results := fs.String("results", pipeline.DefaultStore, "result store folder")
	dir := fs.String("experiments", filepath.Join("experiments", "paper"), "folder of the paper's experiment files")
	ex := addExecFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	extra, overrides := splitOverrides(pos)
	if len(extra) > 0 {
		fmt.Fprintf(stderr, "skybias paper: unexpected argument %q (overrides are KEY.PATH=VALUE)\n", extra[0])
		return errUsage
	}
	files, err := paperFiles(*dir)
	if err != nil {
		return err
	}
	title := "Dhar & Shamir, regenerated by skybias"
	spec, err := pipeline.NewSpec(title, files, *profile, *results)
	if err != nil {
		return err
	}
	spec.Overrides = overrides
	return execute(ctx, spec, *out, stdout, stderr, ex)
}

// paperFiles lists the YAML files of a folder, sorted; the pipeline reads
// each once and keeps the experiments and reports (fragments that others
// include are checked and otherwise left to the compiler).
func paperFiles(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no experiment files in %s (run from the repository root, or pass --experiments)", dir)
	}
	out := append([]string(nil), matches...)
	sort.Strings(out)
	return out, nil
}

const reportDesc = `
Rebuilds REPORT.md, REPORT.html and the figures in DIR (a folder written
by skybias run or skybias paper) from the stored results, without
training. Fails, naming the job, if a result is missing.`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return reportDir(ctx, newFlags("report", "DIR", reportDesc, stderr), args, stdout, stderr, false)
}

// reportDir rebuilds the report of a folder written by run or paper from
// the stored results, first waiting for its Slurm arrays when collect is set.
func reportDir(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer, collect bool) error {
	addMaxJobs(fs)
	pos, err := parseN(fs, args, 1, 1)
	if err != nil {
		return err
	}
	spec, err := pipeline.LoadSpec(pos[0])
	if err != nil {
		return err
	}
	if collect {
		if err := pipeline.Collect(ctx, spec, stdout); err != nil {
			return err
		}
	}
	return execute(ctx, spec, pos[0], stdout, stderr, nil)
}
