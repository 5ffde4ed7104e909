package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/kernel/notebook"
)

func init() {
	register(command{name: "notebook", summary: "run a notebook on the skybias kernel, with parameters (papermill's way)", run: runNotebook, resume: "the output notebook was not written; run the same command again (stored results of its runs are reused)"})
}

const notebookDesc = `
"skybias notebook run IN.ipynb -o OUT.ipynb [-p NAME=VALUE ...]" runs a
notebook from top to bottom on a fresh skybias kernel, as papermill does
for Python: after the cell tagged "parameters" it inserts a cell tagged
"injected-parameters" that assigns each -p value (typed as the parameters
cell declares it: string, int, float or bool), starts the kernel in the
notebook's folder (as Jupyter does), runs every code cell over the
Jupyter protocol, and writes OUT with the outputs, execution counts and
timings. It stops at the first cell that fails (the error is in OUT and
on stderr; exit status 1) unless --allow-errors. --html writes the
executed notebook as one self-contained page, figures inline.

On a cluster node this makes a notebook a batch job:
  sbatch --wrap "skybias notebook run notebooks/01-reproduce-paper.ipynb -o out.ipynb -p profile=paper --html out.html"`

// paramFlags collects repeated -p NAME=VALUE.
type paramFlags []notebook.Param

func (p *paramFlags) String() string { return fmt.Sprint(len(*p)) }
func (p *paramFlags) Set(s string) error {
	v, err := notebook.ParseParam(s)
	if err != nil {
		return err
	}
	*p = append(*p, v)
	return nil
}

func runNotebook(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notebook", "run IN.ipynb -o OUT.ipynb [-p NAME=VALUE ...]", notebookDesc, stderr)
	out := fs.String("o", "", "executed notebook to write (required)")
	htmlOut := fs.String("html", "", "also write the executed notebook as a self-contained HTML page")
	allow := fs.Bool("allow-errors", false, "run every cell even after one fails (exit 0)")
	timeout := fs.Duration("timeout", 0, "interrupt a cell that runs longer than this (0: never)")
	var params paramFlags
	fs.Var(&params, "p", "a parameter NAME=VALUE (repeatable)")
	pos, err := parseN(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if pos[0] != "run" {
		fs.Usage()
		return errUsage
	}
	in := pos[1]
	if *out == "" {
		return errors.New("notebook run: -o OUT.ipynb is required")
	}
	if err := checkOutFile("notebook run: -o", *out, ".ipynb"); err != nil {
		return err
	}
	if err := checkOutFile("notebook run: --html", *htmlOut, ".html", ".htm"); err != nil {
		return err
	}
	for _, p := range []string{*out, *htmlOut} {
		if p == "" {
			continue
		}
		if a, b := absPath(p), absPath(in); a == b {
			return fmt.Errorf("notebook run: %s would overwrite the notebook it runs; write elsewhere", p)
		}
	}
	if *htmlOut != "" && !strings.EqualFold(filepath.Ext(*htmlOut), ".html") {
		return fmt.Errorf("notebook run: --html %s: name an .html file", *htmlOut)
	}
	nb, err := notebook.Read(in)
	if err != nil {
		return err
	}
	warnings, err := nb.Inject(params)
	if err != nil {
		return fmt.Errorf("notebook run: %w", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "notebook run: warning: %s\n", w)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for _, dir := range []string{filepath.Dir(*out), filepath.Dir(*htmlOut)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("notebook run: %w", err)
		}
	}
	res, runErr := nb.Execute(ctx, notebook.Options{Kernel: []string{exe, "kernel", "{connection_file}"}, AllowErrors: *allow, CellTimeout: *timeout, Log: stdout})
	if ctx.Err() != nil {
		// Stopped by Ctrl-C or SIGTERM: a notebook cut off mid-cell would
		// look like a finished run, so nothing is written (a failed cell,
		// by contrast, is written with its error, papermill's way).
		if runErr == nil {
			runErr = ctx.Err()
		}
		return runErr
	}
	data, err := nb.JSON()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(*out, data); err != nil {
		return err
	}
	if *htmlOut != "" {
		if err := atomicfile.WriteFile(*htmlOut, []byte(nb.HTML(filepath.Base(in)))); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	fmt.Fprintf(stdout, "%s: %d code cells run in %s -> %s\n", in, res.Executed, res.Duration.Round(time.Millisecond), *out)
	if len(res.Errors) > 0 {
		for _, e := range res.Errors {
			fmt.Fprintf(stderr, "%s\n", e.Error())
			for _, l := range e.Traceback {
				fmt.Fprintf(stderr, "  %s\n", l)
			}
		}
		if !*allow {
			return fmt.Errorf("notebook run: %s stopped at cell %d (the error is in %s)", in, res.Errors[0].Cell, *out)
		}
	}
	return nil
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
