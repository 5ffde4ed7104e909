// Package pipeline is skybias's whole flow in one call: experiment files
// are compiled into jobs, the jobs run here or on a cluster into the result
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
	"slices"
	"strings"

	"github.com/skybias/skybias/annotate"
	"github.com/skybias/skybias/annotator"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/executor"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/internal/filelock"
	"github.com/skybias/skybias/internal/input"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/report"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
)

// Spec is what a report folder is made from; it is saved there as
// run.json so that the report can be rebuilt or collected later.
type Spec struct {
	Title   string   `json:"title"`
	Files   []string `json:"files"`
	Profile string   `json:"profile"`
	// Overrides are KEY.PATH=VALUE settings laid over every file (and the
	// baselines found beside them), as dsl.Options has them.
	Overrides []string `json:"overrides,omitempty"`
	Results   string   `json:"results"`
	// Executor is the executor that submitted Pending, the submissions
	// a run left running (see package executor); both empty once none
	// is left.
	Executor string   `json:"executor,omitempty"`
	Pending  []string `json:"pending,omitempty"`
}

// DefaultStore is the result store's folder when none is named, relative
// to the working directory.
const DefaultStore = "store"

// NewSpec is the one way a run is described, for the command line, the
// kernel's %run and notebooks' nb.Run alike: files and the store become
// absolute paths (so the saved spec works from any folder), and an empty
// title names the files.
func NewSpec(title string, files []string, profile, store string) (*Spec, error) {
	if len(files) == 0 {
		return nil, errors.New("no experiment files given")
	}
	if store == "" {
		store = DefaultStore
	}
	s := &Spec{Title: title, Profile: profile, Files: make([]string, len(files))}
	if s.Title == "" {
		s.Title = "skybias: " + strings.Join(files, ", ")
	}
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, fmt.Errorf("experiment file %s: %w", f, err)
		}
		s.Files[i] = a
	}
	a, err := filepath.Abs(store)
	if err != nil {
		return nil, fmt.Errorf("result store %s: %w", store, err)
	}
	s.Results = a
	return s, nil
}

// SpecFile is the name of the saved Spec in a report folder.
const SpecFile = "run.json"

// Save writes the spec into dir atomically. Paths are saved relative to
// dir, so a report folder moved together with its experiments and store
// (a cloned repository, say) still rebuilds.
func (s *Spec) Save(dir string) error {
	base, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	saved := *s
	saved.Files = make([]string, len(s.Files))
	for i, f := range s.Files {
		saved.Files[i] = relTo(base, f)
	}
	saved.Results = relTo(base, s.Results)
	b, _ := json.MarshalIndent(&saved, "", "  ")
	return atomicfile.WriteFile(filepath.Join(dir, SpecFile), append(b, '\n'))
}

// relTo is path relative to base, in slashes, where it can be.
func relTo(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// LoadSpec reads the spec of a report folder. Relative paths are
// resolved against the folder, and every file it lists must be a YAML file
// (.yaml or .yml), so that a run.json edited by hand cannot make report
// read and echo some other file.
func LoadSpec(dir string) (*Spec, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s is a file; name the folder skybias run or paper wrote (it holds %s)", dir, SpecFile)
	}
	path := filepath.Join(dir, SpecFile)
	b, err := input.ReadFile(path, input.SmallFile)
	if err != nil {
		return nil, fmt.Errorf("%w (is %s a folder written by skybias run or paper?)", err, dir)
	}
	var s Spec
	if err := input.DecodeJSON(b, &s, false); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	abs := func(p string) string {
		p = filepath.FromSlash(p)
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		return p
	}
	if len(s.Files) == 0 {
		return nil, fmt.Errorf("%s: lists no experiment files", path)
	}
	for i, f := range s.Files {
		ext := strings.ToLower(filepath.Ext(f))
		if ext != ".yaml" && ext != ".yml" {
			return nil, fmt.Errorf("%s: files[%d] %.80q is not a YAML file (.yaml or .yml); run.json lists experiment files only", path, i, f)
		}
		s.Files[i] = abs(f)
	}
	if s.Results == "" {
		return nil, fmt.Errorf("%s: names no result store (results)", path)
	}
	s.Results = abs(s.Results)
	return &s, nil
}

// Options control Execute.
type Options struct {
	// Executor names where jobs run (executor.Names): local (the
	// default), slurm, or store (nothing runs; every result must be
	// stored).
	Executor string
	// NoWait, with an executor that submits, returns without a report.
	NoWait bool
	// Cluster settings override the files' cluster: blocks where set.
	Cluster dsl.Cluster
	// Log receives per-job lines.
	Log io.Writer
	// Progress shows image loading and training as they run (nil:
	// nothing).
	Progress *progress.Display
	// Parallel is how many local jobs run at once (0: runner's choice).
	Parallel int
	// Repair retrains jobs whose stored result is damaged.
	Repair bool
}

// Compile compiles experiment and report files with a profile; every
// problem of every file is returned together. A baseline that an
// experiment compares with but the files do not include is found by name
// beside the file that names it (dsl.Baselines) and compiled too.
func Compile(files []string, opts dsl.Options) ([]*dsl.Plan, []*dsl.ReportSpec, error) {
	var plans []*dsl.Plan
	var reports []*dsl.ReportSpec
	var problems []string
	for _, f := range files {
		file, err := dsl.ReadFile(f, opts)
		if err != nil {
			for _, e := range dsl.Errors(err) {
				problems = append(problems, e.Error())
			}
			continue
		}
		switch file.Kind {
		case dsl.KindExperiment:
			plans = append(plans, file.Plan)
		case dsl.KindReport:
			reports = append(reports, file.Report)
		}
	}
	if len(problems) > 0 {
		return nil, nil, errors.New(strings.Join(problems, "\n"))
	}
	if len(plans) == 0 {
		return nil, nil, errors.New("no experiments among the files given")
	}
	added, err := dsl.Baselines(plans, opts)
	if err != nil {
		return nil, nil, err
	}
	return append(plans, added...), reports, nil
}

// Execute compiles the spec's files, runs the jobs whose results are
// missing (here, on a cluster, or nowhere), and builds the report. With
// out set, the report and the spec are written there. With an executor
// that submits and NoWait it returns after submitting, with a nil report.
func Execute(ctx context.Context, spec *Spec, out string, opts Options) (*report.Report, error) {
	plans, reports, err := Compile(spec.Files, dsl.Options{Profile: spec.Profile, Overrides: spec.Overrides})
	if err != nil {
		return nil, err
	}
	var jobs []*dsl.Job
	for _, p := range plans {
		if a, err := filepath.Abs(p.File); err == nil && !slices.Contains(spec.Files, a) {
			spec.Files = append(spec.Files, a) // a baseline found beside its experiment
			if opts.Log != nil {
				fmt.Fprintf(opts.Log, "including %s (experiment %s, a baseline the files compare with)\n", p.File, p.Experiment)
			}
		}
	}
	for _, p := range plans {
		jobs = append(jobs, p.Jobs...)
		if spec.Profile == "" {
			spec.Profile = p.Profile
		}
	}
	store := &results.Store{Dir: spec.Results}
	ex, err := executor.New(opts.Executor, executor.Settings{Options: runner.Options{Store: store, Log: opts.Log, Progress: opts.Progress, SaveModels: true, Parallel: opts.Parallel, Repair: opts.Repair}, Cluster: opts.Cluster, NoWait: opts.NoWait})
	if err != nil {
		return nil, err
	}
	if err := Preflight(plans, out, spec.Results, ex.ReadOnly()); err != nil {
		return nil, err
	}
	if out != "" {
		l, err := LockOut(out)
		if err != nil {
			return nil, err
		}
		defer l.Unlock()
	}
	var cluster *dsl.Cluster
	for _, p := range plans {
		if p.Cluster != nil {
			cluster = p.Cluster
			break
		}
	}
	submitted, err := ex.Run(ctx, executor.Work{Jobs: jobs, Cluster: cluster})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted: finished jobs are kept in %s; run again to resume", spec.Results)
		}
		return nil, err
	}
	if len(submitted) > 0 {
		spec.Executor, spec.Pending = ex.Name(), append(spec.Pending, submitted...)
	}
	if out != "" && len(spec.Pending) > 0 {
		if err := spec.Save(out); err != nil {
			return nil, err
		}
	}
	if len(submitted) > 0 { // submitted, not waited for
		return nil, nil
	}
	loaded := map[string]*results.Result{}
	for _, j := range runner.Unique(jobs) {
		r, err := store.Load(j.Hash())
		if err != nil {
			return nil, fmt.Errorf("%w (run the experiments first)", err)
		}
		loaded[j.Hash()] = r
	}
	catalogs, err := annotatePlans(ctx, plans, store, ex.ReadOnly(), opts)
	if err != nil {
		return nil, err
	}
	rep, err := report.Build(report.Input{Title: spec.Title, Profile: spec.Profile, Plans: plans, Summaries: reports, Results: loaded, Catalogs: catalogs})
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := rep.Write(out); err != nil {
			return nil, err
		}
		if err := spec.Save(out); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// annotatePlans writes (or finds) the catalog of every job of the plans
// that annotate, by experiment and job hash. A store-only run annotates
// nothing: the catalogs must be stored.
func annotatePlans(ctx context.Context, plans []*dsl.Plan, store *results.Store, readOnly bool, opts Options) (map[string]map[string]*annotate.Catalog, error) {
	out := map[string]map[string]*annotate.Catalog{}
	for _, p := range plans {
		if p.Annotate == nil {
			continue
		}
		out[p.Experiment] = map[string]*annotate.Catalog{}
		for _, j := range runner.Unique(p.Jobs) {
			var c *annotate.Catalog
			var err error
			if readOnly {
				c, err = annotate.Open(annotator.CatalogPath(store, j, p.Annotate))
				if err != nil {
					err = fmt.Errorf("%s: job %s: %w (run without --executor store to annotate)", p.Experiment, j.ShortHash(), err)
				}
			} else {
				c, err = annotator.Job(ctx, store, j, p.Annotate, annotator.Options{Log: opts.Log, Progress: opts.Progress})
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("interrupted while annotating: complete batches are kept in %s; run again to resume", store.Dir)
				}
				return nil, err
			}
			out[p.Experiment][j.Hash()] = c
		}
	}
	return out, nil
}

// DuplicateNames says which experiments share a name (a run needs them
// unique: names become file names and comparisons find baselines by
// them), one line per clash; none when all differ.
func DuplicateNames(plans []*dsl.Plan) []string {
	var problems []string
	seen := map[string]string{}
	for _, p := range plans {
		if first, dup := seen[p.Experiment]; dup {
			problems = append(problems, fmt.Sprintf("two experiments are named %s (%s and %s); names must be unique in a run", p.Experiment, first, p.File))
		}
		seen[p.Experiment] = p.File
	}
	return problems
}

// OutLock is the lock file a run holds in its output folder while it runs.
const OutLock = ".skybias.lock"

// LockOut takes the output folder's lock, so that two runs cannot write
// one report folder at once (REPORT.md from one and REPORT.html from the
// other); a second run is refused with the holder's process ID. The lock
// ends with the process, however it ends.
func LockOut(out string) (*filelock.Lock, error) {
	path := filepath.Join(out, OutLock)
	l, err := filelock.TryLock(path)
	if errors.Is(err, filelock.ErrLocked) {
		return nil, fmt.Errorf("output folder %s is being written by another skybias run (PID %d); wait for it to finish or choose another --out", out, filelock.Holder(path))
	}
	return l, err
}

// Collect waits for the submissions a run left running, through the
// executor that submitted them.
func Collect(ctx context.Context, spec *Spec, log io.Writer) error {
	if len(spec.Pending) == 0 {
		return nil
	}
	ex, err := executor.New(spec.Executor, executor.Settings{Options: runner.Options{Store: &results.Store{Dir: spec.Results}, Log: log}})
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	if err := ex.Wait(ctx, spec.Pending); err != nil {
		return err
	}
	spec.Executor, spec.Pending = "", nil
	return nil
}

// Jobs counts the distinct jobs of a report's experiments (experiments
// that ask for the same computation share one).
func Jobs(r *report.Report) int {
	var all []*dsl.Job
	for _, e := range r.Experiments {
		all = append(all, e.Plan.Jobs...)
	}
	for _, p := range r.Findings.Probes {
		all = append(all, p.Jobs...)
	}
	return len(runner.Unique(all))
}

// Preflight checks, before any job runs, what would otherwise fail after
// hours of training: two experiments with one name, and an output folder
// or result store that cannot be written (a file in the way, no
// permission). It creates the folders. A store-only run only reads the
// store (readOnly), so only the output folder is checked then.
func Preflight(plans []*dsl.Plan, out, store string, readOnly bool) error {
	problems := DuplicateNames(plans)
	dirs := []struct{ what, path string }{{"output folder", out}}
	if !readOnly {
		dirs = append(dirs, struct{ what, path string }{"result store", store})
	}
	for _, d := range dirs {
		if d.path == "" {
			continue
		}
		if err := writable(d.path); err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", d.what, d.path, err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("nothing was run: %s", strings.Join(problems, "; "))
	}
	return nil
}

// writable creates dir if needed and proves a file can be written in it.
func writable(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return errors.New("is a file, not a folder")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".skybias-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write there: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
