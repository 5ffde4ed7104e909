package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
)

func init() {
	Register("slurm", func(s Settings) Executor {
		return &Slurm{Store: s.Store, Cluster: s.Cluster, Log: s.Log, NoWait: s.NoWait}
	})
}

// Slurm submits jobs to a Slurm cluster as one job array whose tasks each
// run "skybias job run JOBFILE" into the same content-addressed store (a
// folder every node sees), then follows them.
type Slurm struct {
	Store   *results.Store
	Cluster dsl.Cluster
	// NoWait makes Run return once the array is submitted.
	NoWait bool
	// Binary is the skybias executable the tasks run; it is copied into
	// the store so that it outlives the submitting process.
	Binary string
	// Log receives submissions and progress lines (nil: nothing).
	Log io.Writer
	// Poll is the interval between status checks (default 2s).
	Poll time.Duration
}

// Submission records one sbatch array: which task runs which job.
type Submission struct {
	ArrayID string   `json:"array_id"`
	Hashes  []string `json:"hashes"` // task i runs Hashes[i]
	Labels  []string `json:"labels"`
	LogDir  string   `json:"log_dir"`
}

// LogPath is the output file of task i.
func (s *Submission) LogPath(i int) string {
	return filepath.Join(s.LogDir, fmt.Sprintf("%s_%d.log", s.ArrayID, i))
}

func (sl *Slurm) dir() string { return sl.Store.ExecutorDir(sl.Name()) }

func (sl *Slurm) logf(format string, args ...any) {
	if sl.Log != nil {
		fmt.Fprintf(sl.Log, format, args...)
	}
}

// Submit writes the canonical JSON of every job whose result is missing
// and submits them as one array. It returns nil when nothing is missing.
func (sl *Slurm) Submit(ctx context.Context, jobs []*dsl.Job) (*Submission, error) {
	var todo []*dsl.Job
	for _, j := range runner.Unique(jobs) {
		if !sl.Store.Has(j.Hash()) {
			todo = append(todo, j)
		}
	}
	if len(todo) == 0 {
		sl.logf("all %d jobs already have results in %s\n", len(runner.Unique(jobs)), sl.Store.Dir)
		return nil, nil
	}
	bin, err := sl.stageBinary()
	if err != nil {
		return nil, err
	}
	jobDir := filepath.Join(sl.dir(), "jobs")
	logDir := filepath.Join(sl.dir(), "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("slurm: %w", err)
	}
	sub := &Submission{LogDir: logDir}
	var list bytes.Buffer
	for _, j := range todo {
		p := filepath.Join(jobDir, j.Hash()+".json")
		if err := atomicfile.WriteFile(p, append(j.JSON(), '\n')); err != nil {
			return nil, err
		}
		list.WriteString(p + "\n")
		sub.Hashes = append(sub.Hashes, j.Hash())
		sub.Labels = append(sub.Labels, runner.Label(j))
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	listPath := filepath.Join(sl.dir(), "array-"+stamp+".txt")
	if err := atomicfile.WriteFile(listPath, list.Bytes()); err != nil {
		return nil, err
	}
	script := sl.script(listPath, logDir, len(todo), fmt.Sprintf("exec %s job run --results %s \"$job\"\n", shellQuote(bin), shellQuote(sl.Store.Dir)))
	scriptPath := filepath.Join(sl.dir(), "array-"+stamp+".sh")
	if err := atomicfile.WriteFile(scriptPath, []byte(script)); err != nil {
		return nil, err
	}
	if sub.ArrayID, err = sbatch(ctx, scriptPath); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(sub, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(sl.dir(), "submission-"+sub.ArrayID+".json"), append(b, '\n')); err != nil {
		return nil, err
	}
	sl.logf("submitted %d job(s) as Slurm array %s (logs in %s)\n", len(todo), sub.ArrayID, logDir)
	return sub, nil
}

// script writes the array's batch script: task i reads line i+1 of list
// into $job and runs run.
func (sl *Slurm) script(list, logDir string, n int, run string) string {
	c := sl.Cluster
	var b strings.Builder
	b.WriteString("#!/bin/bash\n# skybias job array, written by skybias; task i runs line i+1 of the job list.\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=skybias\n#SBATCH --array=0-%d\n#SBATCH --output=%s\n", n-1, filepath.Join(logDir, "%A_%a.log"))
	cpus := c.CPUs
	if cpus == 0 {
		cpus = 2
	}
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", cpus)
	for _, kv := range [][2]string{{"partition", c.Partition}, {"time", c.Time}, {"mem", c.Mem}, {"account", c.Account}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "#SBATCH --%s=%s\n", kv[0], kv[1])
		}
	}
	for _, f := range c.Sbatch {
		fmt.Fprintf(&b, "#SBATCH %s\n", f)
	}
	fmt.Fprintf(&b, "set -euo pipefail\njob=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" %s)\n", shellQuote(list))
	fmt.Fprintf(&b, "export GOMAXPROCS=${SLURM_CPUS_PER_TASK:-%d}\n", cpus)
	b.WriteString(run)
	return b.String()
}

// sbatch submits a batch script and returns its job ID.
func sbatch(ctx context.Context, scriptPath string) (string, error) {
	cmd := exec.CommandContext(ctx, "sbatch", "--parsable", scriptPath)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errors.New("Slurm's sbatch is not installed here (or not on PATH): run on a Slurm login node, or use --executor local to run the jobs on this machine")
		}
		return "", fmt.Errorf("sbatch %s: %w: %s", scriptPath, err, strings.TrimSpace(stderr.String()))
	}
	id := strings.TrimSpace(strings.Split(out.String(), ";")[0])
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("sbatch answered %q, not a job id", out.String())
	}
	return id, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// stageBinary copies the running executable into the store, named by its
// content, so array tasks run this very code even after it is rebuilt.
func (sl *Slurm) stageBinary() (string, error) {
	src := sl.Binary
	if src == "" {
		var err error
		if src, err = os.Executable(); err != nil {
			return "", fmt.Errorf("slurm: locating the skybias executable: %w", err)
		}
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	sum := sha256.Sum256(data)
	dst := filepath.Join(sl.dir(), "bin", "skybias-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	if err := atomicfile.WriteFile(dst, data); err != nil {
		return "", err
	}
	return dst, os.Chmod(dst, 0o755)
}

// Name is "slurm".
func (sl *Slurm) Name() string { return "slurm" }

// ReadOnly is false: the array's tasks write results.
func (sl *Slurm) ReadOnly() bool { return false }

// Run submits the jobs whose results are missing as one array (cluster
// settings: sl.Cluster laid over w.Cluster) and, unless NoWait, follows
// it until every task has finished.
func (sl *Slurm) Run(ctx context.Context, w Work) ([]string, error) {
	run := *sl
	run.Cluster = mergeCluster(w.Cluster, sl.Cluster)
	sub, err := run.Submit(ctx, w.Jobs)
	if err != nil || sub == nil {
		return nil, err
	}
	if sl.NoWait {
		return []string{sub.ArrayID}, nil
	}
	return nil, run.WaitFor(ctx, sub)
}

// Wait follows arrays a Run left running (by array id), one after
// another.
func (sl *Slurm) Wait(ctx context.Context, pending []string) error {
	for _, id := range pending {
		sub, err := sl.LoadSubmission(id)
		if err != nil {
			return err
		}
		if err := sl.WaitFor(ctx, sub); err != nil {
			return err
		}
	}
	return nil
}

// mergeCluster lays flag settings over a file's cluster: block.
func mergeCluster(file *dsl.Cluster, f dsl.Cluster) dsl.Cluster {
	var c dsl.Cluster
	if file != nil {
		c = *file
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
	if file != nil {
		c.Sbatch = append(append([]string(nil), file.Sbatch...), f.Sbatch...)
	} else {
		c.Sbatch = append([]string(nil), f.Sbatch...)
	}
	return c
}

// LoadSubmission reads a submission record of the store.
func (sl *Slurm) LoadSubmission(arrayID string) (*Submission, error) {
	b, err := os.ReadFile(filepath.Join(sl.dir(), "submission-"+arrayID+".json"))
	if err != nil {
		return nil, fmt.Errorf("slurm: %w", err)
	}
	var s Submission
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("slurm submission %s: %w", arrayID, err)
	}
	return &s, nil
}

// TaskFailure is an array task that ended without a result.
type TaskFailure struct {
	Task  int
	Hash  string
	Label string
	State string
	Log   string
}

// FailedError lists the tasks of an array that ended without results.
type FailedError struct {
	ArrayID string
	Failed  []TaskFailure
}

func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d job(s) of Slurm array %s ended without a result; run the same command again to resubmit only them:", len(e.Failed), e.ArrayID)
	for _, f := range e.Failed {
		fmt.Fprintf(&b, "\n  task %d, job %s (%s): %s", f.Task, f.Hash[:min(12, len(f.Hash))], f.Label, f.State)
		if f.Log != "" {
			fmt.Fprintf(&b, "; log %s", f.Log)
			if tail := lastLines(f.Log, 3); tail != "" {
				fmt.Fprintf(&b, "\n    %s", strings.ReplaceAll(tail, "\n", "\n    "))
			}
		} else {
			b.WriteString("; no log (cancelled before it started)")
		}
	}
	return b.String()
}

func lastLines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

var squeueLine = regexp.MustCompile(`^(\d+)_(\d+) (\S+)$`)

// states asks squeue for the array's tasks still known (pending, running,
// or recently ended, kept for MinJobAge).
func states(ctx context.Context, arrayID string) (map[int]string, error) {
	cmd := exec.CommandContext(ctx, "squeue", "-h", "-r", "-t", "all", "-j", arrayID, "-o", "%i %T")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := stderr.String()
		if strings.Contains(msg, "Invalid job id") {
			return map[int]string{}, nil // the array has left every view
		}
		return nil, fmt.Errorf("squeue -j %s: %w: %s", arrayID, err, strings.TrimSpace(msg))
	}
	st := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if m := squeueLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			t, _ := strconv.Atoi(m[2])
			st[t] = m[3]
		}
	}
	return st, nil
}

// WaitFor follows an array until no task is pending or running, printing
// a progress line when the counts change. It returns a *FailedError
// naming each task that ended without a result, with its log.
func (sl *Slurm) WaitFor(ctx context.Context, sub *Submission) error {
	return sl.wait(ctx, sub, func(i int) bool { return sl.Store.Has(sub.Hashes[i]) })
}

// wait follows an array whose task i has succeeded when done(i).
func (sl *Slurm) wait(ctx context.Context, sub *Submission, done func(i int) bool) error {
	poll := sl.Poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	last := ""
	for {
		st, err := states(ctx, sub.ArrayID)
		if err != nil {
			return err
		}
		var finished, running, pending, failed int
		active := false
		for i := range sub.Hashes {
			s := st[i]
			switch {
			case done(i):
				finished++
			case s == "PENDING" || s == "CONFIGURING" || s == "REQUEUED":
				pending++
				active = true
			case s == "RUNNING" || s == "COMPLETING":
				running++
				active = true
			default: // ended (or vanished) without a result: failed, cancelled, timed out
				failed++
			}
		}
		line := fmt.Sprintf("slurm array %s: %d done, %d running, %d pending, %d failed", sub.ArrayID, finished, running, pending, failed)
		if line != last {
			sl.logf("%s\n", line)
			last = line
		}
		if !active {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting for Slurm array %s (it goes on; skybias collect picks it up): %w", sub.ArrayID, ctx.Err())
		case <-time.After(poll):
		}
	}
	st, _ := states(ctx, sub.ArrayID)
	fe := &FailedError{ArrayID: sub.ArrayID}
	for i, h := range sub.Hashes {
		if done(i) {
			continue
		}
		f := TaskFailure{Task: i, Hash: h, Label: sub.Labels[i], State: st[i]}
		if f.State == "" {
			f.State = "gone from the queue"
		}
		if _, err := os.Stat(sub.LogPath(i)); err == nil {
			f.Log = sub.LogPath(i)
		}
		fe.Failed = append(fe.Failed, f)
	}
	if len(fe.Failed) > 0 {
		sort.Slice(fe.Failed, func(a, b int) bool { return fe.Failed[a].Task < fe.Failed[b].Task })
		return fe
	}
	return nil
}

// IsFailed reports whether err lists failed array tasks.
func IsFailed(err error) bool {
	var fe *FailedError
	return errors.As(err, &fe)
}

// RunTasks submits skybias commands as one array of the store's Slurm
// folder (the staged executable, logs beside the jobs'), waits for it,
// and returns a *FailedError naming every task that did not succeed.
func (sl *Slurm) RunTasks(ctx context.Context, what string, tasks []Task) error {
	if len(tasks) == 0 {
		return nil
	}
	bin, err := sl.stageBinary()
	if err != nil {
		return err
	}
	logDir := filepath.Join(sl.dir(), "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fmt.Errorf("slurm: %w", err)
	}
	sub := &Submission{LogDir: logDir}
	var list bytes.Buffer
	for _, t := range tasks {
		q := make([]string, len(t.Args))
		for i, a := range t.Args {
			if strings.ContainsAny(a, "\n\r") {
				return fmt.Errorf("slurm: argument %q of task %s has a line break", a, t.Name)
			}
			q[i] = shellQuote(a)
		}
		list.WriteString(strings.Join(q, " ") + "\n")
		sub.Hashes = append(sub.Hashes, t.Name)
		sub.Labels = append(sub.Labels, t.Label)
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	listPath := filepath.Join(sl.dir(), what+"-"+stamp+".txt")
	if err := atomicfile.WriteFile(listPath, list.Bytes()); err != nil {
		return err
	}
	script := sl.script(listPath, logDir, len(tasks), fmt.Sprintf("eval \"exec %s $job\"\n", shellQuote(bin)))
	scriptPath := filepath.Join(sl.dir(), what+"-"+stamp+".sh")
	if err := atomicfile.WriteFile(scriptPath, []byte(script)); err != nil {
		return err
	}
	if sub.ArrayID, err = sbatch(ctx, scriptPath); err != nil {
		return err
	}
	sl.logf("submitted %d %s task(s) as Slurm array %s (logs in %s)\n", len(tasks), what, sub.ArrayID, logDir)
	return sl.wait(ctx, sub, func(i int) bool { return tasks[i].Done() })
}
