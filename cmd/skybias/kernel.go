package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/kernel"
)

func init() {
	register(command{name: "kernel", summary: "the Jupyter kernel: install its spec, or run it", run: runKernel})
}

const kernelDesc = `
"skybias kernel install [--user | --prefix DIR]" writes the kernel spec
(kernels/skybias/kernel.json: display name "skybias (Go)", language go,
message-mode interrupts) where Jupyter looks for it: the system folder by
default, the user's with --user, DIR/share/jupyter with --prefix. The spec
runs this executable, so install it first (go install ./cmd/skybias).

"skybias kernel CONNECTION_FILE" runs the kernel (Jupyter does this).`

func runKernel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("kernel", "install [--user|--prefix DIR] | CONNECTION_FILE", kernelDesc, stderr)
	user := fs.Bool("user", false, "install for this user (~/.local/share/jupyter)")
	prefix := fs.String("prefix", "", "install under DIR/share/jupyter")
	pos, err := parseN(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if pos[0] != "install" {
		return kernel.Run(ctx, pos[0], stderr)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return err
	}
	var dir string
	switch {
	case *prefix != "":
		dir = filepath.Join(*prefix, "share", "jupyter", "kernels", "skybias")
	case *user:
		home, err := os.UserHomeDir()
		if err != nil {
			return err
		}
		dir = filepath.Join(home, ".local", "share", "jupyter", "kernels", "skybias")
	default:
		dir = filepath.Join("/usr", "local", "share", "jupyter", "kernels", "skybias")
	}
	spec := map[string]any{
		"argv":           []string{exe, "kernel", "{connection_file}"},
		"display_name":   "skybias (Go)",
		"language":       "go",
		"interrupt_mode": "message",
		"metadata":       map[string]any{"debugger": false},
	}
	b, _ := json.MarshalIndent(spec, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(dir, "kernel.json"), append(b, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed kernel spec %s (runs %s)\n", filepath.Join(dir, "kernel.json"), exe)
	return nil
}
