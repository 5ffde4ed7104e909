package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skybias/skybias/dsl"
)

// TestInterruptSaysHowToGoOn: a command stopped by Ctrl-C says what it
// kept and how to continue, not a bare "context canceled".
func TestInterruptSaysHowToGoOn(t *testing.T) {
	store, _, hash := tinyResult(t)
	dir := t.TempDir()
	p, err := dsl.CompileFile("testdata/tiny/t5.yaml", dsl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job.json")
	if err := os.WriteFile(job, p.Jobs[0].JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"job", "run", "--results", filepath.Join(dir, "store2"), job}, "nothing of this job was stored; run the same command again"},
		{[]string{"annotate", hash, "--results", store, "--out", filepath.Join(dir, "cat.csv")}, "run again to continue"},
		{[]string{"run", "--results", filepath.Join(dir, "store3"), "testdata/tiny/t5.yaml"}, "run again"},
	} {
		var out, errw bytes.Buffer
		code := runMain(ctx, tc.args, &out, &errw)
		if code == 0 || !strings.Contains(errw.String(), tc.want) {
			t.Errorf("%v interrupted: exit %d, %q; want it to say %q", tc.args[0], code, errw.String(), tc.want)
		}
	}
}

// TestNotebookInterruptWritesNothing: a notebook run stopped by SIGINT
// mid-cell stops within two seconds, exits 130, stops its kernel, and
// writes no output notebook that could pass for a finished run.
func TestNotebookInterruptWritesNothing(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "loop.ipynb"), filepath.Join(dir, "out.ipynb")
	os.WriteFile(in, []byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "for {}", "metadata": {}, "outputs": [], "execution_count": null}]}`), 0o644)
	cmd := exec.Command(bin, "notebook", "run", in, "-o", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	t0 := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	took := time.Since(t0)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || took > 2*time.Second {
		t.Errorf("exit %v after %v; want 130 within 2 s\n%s", err, took, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an interrupted run wrote its output notebook")
	}
	if !strings.Contains(stderr.String(), "not written") {
		t.Errorf("stderr %q does not say the notebook was not written", stderr.String())
	}
}

// TestNotebookKill9TakesItsKernel: kill -9 of notebook run (no deferred
// cleanup runs) still stops its kernel, by the parent-death signal, so no
// kernel spins on under PID 1.
func TestNotebookKill9TakesItsKernel(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "loop.ipynb")
	os.WriteFile(in, []byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "for {}", "metadata": {}, "outputs": [], "execution_count": null}]}`), 0o644)
	cmd := exec.Command(bin, "notebook", "run", in, "-o", filepath.Join(dir, "out.ipynb"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var kernel int
	for range 100 { // the kernel is the run's child
		time.Sleep(50 * time.Millisecond)
		files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", cmd.Process.Pid))
		for _, p := range files { // the thread that started it holds it
			b, _ := os.ReadFile(p)
			if f := strings.Fields(string(b)); len(f) > 0 {
				kernel, _ = strconv.Atoi(f[0])
			}
		}
		if kernel != 0 {
			break
		}
	}
	if kernel == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Skip("cannot see the kernel process in /proc")
	}
	time.Sleep(500 * time.Millisecond) // the cell is spinning
	cmd.Process.Kill()
	cmd.Wait()
	for range 40 {
		if !running(kernel) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(kernel, syscall.SIGKILL)
	t.Errorf("kernel %d still runs 2 s after its notebook run was killed", kernel)
}

// running reports whether a process exists and is not a zombie: a killed
// kernel whose parent died waits to be reaped by whatever adopted it (a
// container's init may take its time), and kill(pid, 0) still finds it.
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state follows the command name, which is in parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 >= len(b) {
		return true
	}
	state := b[i+2]
	return state != 'Z' && state != 'X'
}
