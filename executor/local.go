package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/skybias/skybias/runner"
)

func init() { Register("local", func(s Settings) Executor { return &Local{Options: s.Options} }) }

// Local trains the jobs on this machine (see runner.Run) and runs tasks
// as child processes, one after another.
type Local struct{ runner.Options }

// Name is "local".
func (l *Local) Name() string { return "local" }

// ReadOnly is false: Local writes results.
func (l *Local) ReadOnly() bool { return false }

// Run trains every job whose result is missing.
func (l *Local) Run(ctx context.Context, w Work) ([]string, error) {
	return nil, runner.Run(ctx, w.Jobs, l.Options)
}

// Wait has nothing to wait for.
func (l *Local) Wait(_ context.Context, pending []string) error { return noPending(l.Name(), pending) }

// RunTasks runs each task as a child process of this executable, one
// after another, its output going to the log. Ctrl-C (a cancelled ctx)
// stops the running child with SIGTERM, then SIGKILL a second later; the
// child dies with this process too.
func (l *Local) RunTasks(ctx context.Context, what string, tasks []Task) error {
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("%s: locating the skybias executable: %w", what, err)
	}
	var failed []string
	for _, t := range tasks {
		if t.Done() {
			continue
		}
		cmd := exec.CommandContext(ctx, bin, t.Args...)
		cmd.Stdout, cmd.Stderr = l.Log, l.Log
		if l.Log == nil {
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		if ctx.Err() != nil {
			return fmt.Errorf("%s: stopped at %s: %w", what, t.Label, ctx.Err())
		}
		if err != nil || !t.Done() {
			why := "finished without its output"
			if err != nil {
				why = err.Error()
			}
			failed = append(failed, t.Label+": "+why)
		}
	}
	if len(failed) > 0 {
		return errors.New(what + ": " + fmt.Sprint(len(failed)) + " of " + fmt.Sprint(len(tasks)) + " task(s) failed: " + strings.Join(clipList(failed, 5), "; "))
	}
	return nil
}
