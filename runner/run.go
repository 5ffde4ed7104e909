package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/results"
)

// Options control a run.
type Options struct {
	// Store is where results are kept and found.
	Store *results.Store
	// Log receives one line per job (nil: nothing).
	Log io.Writer
	// Progress shows each running job's image loading and training (nil:
	// nothing; see package progress).
	Progress *progress.Display
	// SaveModels keeps each trained network in its result folder.
	SaveModels bool
	// Repair discards damaged stored results (see results.Store.Verify)
	// and retrains their jobs; without it a damaged result stops the run
	// before any training.
	Repair bool
	// Parallel is how many jobs run at once; 0 chooses: one per core when
	// every job trains a small network (input of SmallInput pixels or
	// less, whose batches are too small to keep the cores busy), else one
	// at a time (each job already uses every core). Results do not depend
	// on it.
	Parallel int
}

// SmallInput is the largest network input (pixels a side) for which Run
// runs jobs side by side by default.
const SmallInput = 32

// parallelism is how many jobs Run runs at once.
func (o Options) parallelism(todo []*dsl.Job) int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	for _, j := range todo {
		if j.Model.Input > SmallInput {
			return 1
		}
	}
	return max(1, runtime.NumCPU())
}

// Unique returns the jobs with distinct hashes, in first-seen order.
func Unique(jobs []*dsl.Job) []*dsl.Job {
	seen := map[string]bool{}
	var out []*dsl.Job
	for _, j := range jobs {
		h := j.Hash()
		if !seen[h] {
			seen[h] = true
			out = append(out, j)
		}
	}
	return out
}

// Run executes every job whose result is not yet stored (one at a time,
// or several at once: see Options.Parallel). Cancelling ctx stops the
// running jobs; nothing of them is stored. Read the results from the
// store (results.Store.Load): Run keeps none, so a long sweep holds one
// job's images and networks at a time per worker.
func Run(ctx context.Context, jobs []*dsl.Job, opts Options) error {
	jobs = Unique(jobs)
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format, args...)
		}
	}
	if n, err := opts.Store.SweepStale(); err != nil {
		return err
	} else if n > 0 {
		logf("removed %d stale temporary folder(s) from %s\n", n, opts.Store.Dir)
	}
	todo, err := checkStored(jobs, opts, logf)
	if err != nil {
		return err
	}
	if len(todo) < len(jobs) {
		logf("%d of %d jobs already have results in %s\n", len(jobs)-len(todo), len(jobs), opts.Store.Dir)
	}
	var estLeft time.Duration
	for _, j := range todo {
		estLeft += j.Cost().Estimate
	}
	start := time.Now()
	var (
		mu       sync.Mutex
		spentEst time.Duration
		next     int
		firstErr error
	)
	par := min(opts.parallelism(todo), max(1, len(todo)))
	// left is the time the jobs not yet finished should take, from their
	// cost estimates scaled by how long the finished ones took (mu held).
	left := func() string {
		if spentEst == 0 {
			return ""
		}
		rate := float64(time.Since(start)) / float64(spentEst)
		return fmt.Sprintf("about %s left", time.Duration(float64(estLeft)*rate/float64(par)).Round(time.Second))
	}
	// A run of several jobs shows its own bar above the jobs' bars on a
	// terminal: jobs done, and the time left for the whole run (plain
	// output has it in each job's first line).
	var whole *progress.Task
	if len(todo) > 1 && opts.Progress.Live() {
		whole = opts.Progress.Task("run", len(todo))
		defer whole.Done("")
	}
	finished := 0
	jobOpts := opts
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= len(todo) || firstErr != nil || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				i, j := next, todo[next]
				next++
				eta := left()
				if eta != "" {
					eta = ", " + eta
				}
				logf("[%d/%d] %s %s (%s)%s\n", i+1, len(todo), j.ShortHash(), Label(j), j.Describe(), eta)
				mu.Unlock()
				t0 := time.Now()
				err := runOne(ctx, j, jobOpts)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
					return
				}
				who := "" // side by side, each "done" line names its job
				if par > 1 {
					who = j.ShortHash() + " "
				}
				logf("      %sdone in %s\n", who, time.Since(t0).Round(100*time.Millisecond))
				est := j.Cost().Estimate
				spentEst += est
				estLeft -= est
				finished++
				whole.Step(finished, len(todo), left())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// checkStored returns the jobs without an intact stored result. A damaged
// result is discarded and its job retrained with opts.Repair; without it,
// every damaged result is named and nothing runs.
func checkStored(jobs []*dsl.Job, opts Options, logf func(string, ...any)) ([]*dsl.Job, error) {
	var todo []*dsl.Job
	var damaged []string
	for _, j := range jobs {
		err := opts.Store.Verify(j.Hash())
		var d *results.DamagedError
		switch {
		case err == nil:
		case errors.Is(err, os.ErrNotExist):
			todo = append(todo, j)
		case errors.As(err, &d) && opts.Repair:
			logf("%s; retraining it\n", d.Describe())
			if err := opts.Store.Discard(j.Hash()); err != nil {
				return nil, err
			}
			todo = append(todo, j)
		default:
			damaged = append(damaged, err.Error())
		}
	}
	if len(damaged) > 0 {
		return nil, fmt.Errorf("nothing was run: %s", strings.Join(damaged, "\n"))
	}
	return todo, nil
}

// Label names a job in logs: its experiment, variant and repeat.
func Label(j *dsl.Job) string {
	s := j.Experiment
	if j.Variant != "" {
		s += " " + j.Variant
	}
	if j.Repeat > 0 {
		s += fmt.Sprintf(" repeat %d", j.Repeat)
	}
	return s
}

// RunJob executes one job into the store unless its result exists (the
// entry point of a cluster array task).
func RunJob(ctx context.Context, j *dsl.Job, opts Options) error {
	if opts.Store.Has(j.Hash()) {
		return nil
	}
	return runOne(ctx, j, opts)
}

func runOne(ctx context.Context, j *dsl.Job, opts Options) error {
	unlock, err := opts.Store.LockJob(ctx, j.Hash(), func(pid int) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "      %s: another run (PID %d) is training this job; waiting for its result\n", j.ShortHash(), pid)
		}
	})
	if err != nil {
		return fmt.Errorf("job %s: %w", j.ShortHash(), err)
	}
	defer unlock()
	if opts.Store.Has(j.Hash()) { // stored while we waited
		return nil
	}
	res, man, models, err := Execute(ctx, j, opts.Progress)
	if err != nil {
		return err
	}
	var mbs [][]byte
	if opts.SaveModels {
		for k, m := range models {
			mb, err := modelBytes(m)
			if err != nil {
				return fmt.Errorf("job %s: saving network %d: %w", j.ShortHash(), k+1, err)
			}
			mbs = append(mbs, mb)
		}
	}
	content, err := results.Encode(res, j, man, mbs)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.ShortHash(), err)
	}
	return opts.Store.Write(j.Hash(), content)
}
