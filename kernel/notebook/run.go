package notebook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/skybias/skybias/kernel"
)

// Options control Execute.
type Options struct {
	// Kernel is the command that starts a kernel, with the connection
	// file's path in place of "{connection_file}" (as in a kernel spec's
	// argv). It runs in the notebook's folder, as Jupyter starts kernels.
	Kernel []string
	// AllowErrors runs every cell even after one fails.
	AllowErrors bool
	// CellTimeout stops (interrupts) a cell that runs longer (0: never).
	CellTimeout time.Duration
	// StartTimeout is how long the kernel may take to answer (0: 60s).
	StartTimeout time.Duration
	// Log receives a line per cell (nil: nothing).
	Log io.Writer
}

// CellError is a cell that raised an error.
type CellError struct {
	// Cell numbers the cell among all cells of the notebook (from 1).
	Cell      int
	Name      string
	Value     string
	Traceback []string
}

// Error says which cell failed and how.
func (e *CellError) Error() string {
	return fmt.Sprintf("cell %d: %s: %s", e.Cell, e.Name, e.Value)
}

// Result says how a run went.
type Result struct {
	// Executed counts the code cells run; Errors the cells that failed.
	Executed int
	Errors   []*CellError
	Duration time.Duration
}

// Execute runs every code cell of the notebook in order on a fresh
// kernel and puts the outputs, execution counts and timings into the
// notebook's cells. It stops at the first cell that fails unless
// AllowErrors; cells after it are left without outputs. The error
// returned is about the run itself (no kernel, a timeout, ctx); failed
// cells are in the Result.
func (nb *Notebook) Execute(ctx context.Context, opts Options) (*Result, error) {
	if len(opts.Kernel) == 0 {
		return nil, errors.New("notebook: no kernel command")
	}
	dir, err := filepath.Abs(filepath.Dir(nb.Path))
	if err != nil {
		return nil, err
	}
	sweepStale(os.TempDir())
	tmp, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", tempPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("notebook: %w", err)
	}
	defer os.RemoveAll(tmp)
	conn, err := kernel.LocalConnection()
	if err != nil {
		return nil, err
	}
	connFile := filepath.Join(tmp, "kernel.json")
	if err := conn.WriteFile(connFile); err != nil {
		return nil, fmt.Errorf("notebook: %w", err)
	}
	argv := make([]string, len(opts.Kernel))
	for i, a := range opts.Kernel {
		argv[i] = strings.ReplaceAll(a, "{connection_file}", connFile)
	}
	var kernelLog strings.Builder
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &kernelLog, &kernelLog
	// Its own process group (killed whole when the run ends), and killed
	// by the kernel should this process die first (kill -9 of notebook
	// run), so no kernel is left running under PID 1.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("notebook: starting the kernel (%s): %w", strings.Join(argv, " "), err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	c, err := kernel.Dial(ctx, conn)
	if err != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return nil, err
	}
	defer func() {
		c.Shutdown()
		// A kernel asked to shut down gets three seconds to do so cleanly;
		// after Ctrl-C or SIGTERM a fraction of one, so that the run stops
		// within two seconds whatever the cell is doing.
		grace := 3 * time.Second
		if ctx.Err() != nil {
			grace = 300 * time.Millisecond
		}
		select {
		case <-exited:
		case <-time.After(grace):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		c.Close()
	}()
	start := opts.StartTimeout
	if start == 0 {
		start = 60 * time.Second
	}
	sctx, cancel := context.WithTimeout(ctx, start)
	err = c.WaitReady(sctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("notebook: the kernel (%s) did not start: %w; it said: %s", strings.Join(argv, " "), err, strings.TrimSpace(kernelLog.String()))
	}
	res := &Result{}
	t0 := time.Now()
	var stopped bool
	codeCells := 0
	for _, cell := range nb.Cells {
		if cell["cell_type"] == "code" {
			codeCells++
		}
	}
	done := 0
	for i, cell := range nb.Cells {
		if cell["cell_type"] != "code" {
			continue
		}
		if stopped {
			cell["outputs"], cell["execution_count"] = []any{}, nil
			continue
		}
		done++
		src := Source(cell)
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if opts.CellTimeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, opts.CellTimeout)
		}
		ex, err := c.Execute(cctx, src)
		cancel()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("cell %d ran past --timeout %v and was interrupted", i+1, opts.CellTimeout)
			}
			record(cell, ex, i+1)
			return res, fmt.Errorf("notebook %s: %w", nb.Path, err)
		}
		res.Executed++
		cerr := record(cell, ex, i+1)
		if opts.Log != nil {
			status := "ok"
			if cerr != nil {
				status = "error: " + cerr.Name + ": " + firstLine(cerr.Value)
			}
			fmt.Fprintf(opts.Log, "cell %d (%d of %d code cells): %s, %.1fs\n", i+1, done, codeCells, status, ex.Finished.Sub(ex.Started).Seconds())
		}
		if cerr != nil {
			res.Errors = append(res.Errors, cerr)
			stopped = !opts.AllowErrors
		}
	}
	res.Duration = time.Since(t0)
	md, _ := nb.raw["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		nb.raw["metadata"] = md
	}
	md["skybias"] = map[string]any{"start_time": t0.UTC().Format(time.RFC3339Nano), "duration": res.Duration.Seconds(),
		"executed": res.Executed, "errors": len(res.Errors)}
	return res, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// record writes an execution's outputs, count and timing into its cell
// and returns the cell's error output, if any.
func record(cell map[string]any, ex *kernel.Execution, index int) *CellError {
	outs := []any{}
	var cerr *CellError
	if ex == nil {
		cell["outputs"] = outs
		return nil
	}
	count := any(nil)
	if n, ok := ex.Reply["execution_count"].(float64); ok {
		count = int(n)
	}
	for _, m := range ex.Outputs {
		c := m.Content
		switch m.Header.MsgType {
		case "stream":
			text, _ := c["text"].(string)
			name, _ := c["name"].(string)
			if k := len(outs) - 1; k >= 0 {
				if prev, ok := outs[k].(map[string]any); ok && prev["output_type"] == "stream" && prev["name"] == name {
					prev["text"] = prev["text"].(string) + text
					continue
				}
			}
			outs = append(outs, map[string]any{"output_type": "stream", "name": name, "text": text})
		case "display_data":
			outs = append(outs, map[string]any{"output_type": "display_data", "data": orEmpty(c["data"]), "metadata": orEmpty(c["metadata"])})
		case "execute_result":
			outs = append(outs, map[string]any{"output_type": "execute_result", "execution_count": count, "data": orEmpty(c["data"]), "metadata": orEmpty(c["metadata"])})
		case "error":
			name, _ := c["ename"].(string)
			value, _ := c["evalue"].(string)
			var tb []string
			list, _ := c["traceback"].([]any)
			for _, l := range list {
				if s, ok := l.(string); ok {
					tb = append(tb, s)
				}
			}
			cerr = &CellError{Cell: index, Name: name, Value: value, Traceback: tb}
			tba := make([]any, len(tb))
			for i, s := range tb {
				tba[i] = s
			}
			outs = append(outs, map[string]any{"output_type": "error", "ename": name, "evalue": value, "traceback": tba})
		case "clear_output":
			outs = []any{}
		}
	}
	for _, o := range outs {
		if m, ok := o.(map[string]any); ok && m["output_type"] == "stream" {
			m["text"] = splitLines(m["text"].(string))
		}
	}
	if cerr == nil && ex.Reply["status"] == "error" {
		name, _ := ex.Reply["ename"].(string)
		value, _ := ex.Reply["evalue"].(string)
		cerr = &CellError{Cell: index, Name: name, Value: value}
	}
	cell["outputs"], cell["execution_count"] = outs, count
	md, _ := cell["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		cell["metadata"] = md
	}
	md["execution"] = map[string]any{"iopub.execute_input": ex.Started.Format(time.RFC3339Nano), "shell.execute_reply": ex.Finished.Format(time.RFC3339Nano)}
	return cerr
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// tempPrefix starts the name of a run's temporary folder (the kernel's
// connection file), followed by the running process's ID.
const tempPrefix = "skybias-notebook-"

// sweepStale removes the temporary folders of runs whose process is gone
// (killed with -9, which no deferred removal survives), so that they do
// not pile up; a folder of a live process, or of another user, is left.
func sweepStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), tempPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
