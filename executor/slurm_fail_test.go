package executor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skybias/skybias/results"
)

// fakeSlurm puts scripts named sbatch and squeue with the given bodies
// first on PATH for the test.
func fakeSlurm(t *testing.T, sbatch, squeue string) {
	t.Helper()
	bin := t.TempDir()
	for name, body := range map[string]string{"sbatch": sbatch, "squeue": squeue} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// What Slurm can do wrong is reported, naming what failed, with fake
// sbatch and squeue commands: sbatch refusing or answering nonsense,
// squeue failing, a task that fails (with its log's last lines) or that
// vanishes from the queue.
func TestSlurmFailures(t *testing.T) {
	tests := []struct {
		name           string
		sbatch, squeue string
		log            string // the task's log, if any
		want           []string
		failed         bool // a FailedError listing task 0
	}{
		{"sbatch refuses", `echo "sbatch: error: invalid partition specified: gpu" >&2; exit 1`, `exit 0`, "",
			[]string{"sbatch ", "array-", "invalid partition specified: gpu"}, false},
		{"sbatch answers nonsense", `echo "Submitted batch job"`, `exit 0`, "",
			[]string{`sbatch answered "Submitted batch job`, "not a job id"}, false},
		{"squeue fails", `echo 4242`, `echo "slurm_load_jobs error: Unable to contact slurm controller" >&2; exit 1`, "",
			[]string{"squeue -j 4242", "Unable to contact slurm controller"}, false},
		{"task fails", `echo 4242`, `echo "4242_0 FAILED"`, "loading images\nerror: out of memory\n",
			[]string{"1 job(s) of Slurm array 4242 ended without a result", "task 0", "FAILED", "4242_0.log", "error: out of memory", "run the same command again"}, true},
		{"task vanishes", `echo 4242`, `exit 0`, "",
			[]string{"task 0", "gone from the queue", "no log (cancelled before it started)"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := plan(t)
			fakeSlurm(t, tc.sbatch, tc.squeue)
			exe, _ := os.Executable()
			sl := &Slurm{Store: &results.Store{Dir: filepath.Join(dir, "results")}, Binary: exe, Poll: 10 * time.Millisecond}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sub, err := sl.Submit(ctx, p.Jobs)
			if err == nil {
				if tc.log != "" {
					os.WriteFile(sub.LogPath(0), []byte(tc.log), 0o644)
				}
				err = sl.WaitFor(ctx, sub)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			var fe *FailedError
			if got := errors.As(err, &fe); got != tc.failed || (got && (len(fe.Failed) != 1 || fe.Failed[0].Task != 0)) {
				t.Errorf("FailedError %v (%+v), want %v", got, fe, tc.failed)
			}
			if sl.Store.Has(p.Jobs[0].Hash()) {
				t.Error("a failed job has a result")
			}
		})
	}
}
