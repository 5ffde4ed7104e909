package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/kernel"
)

func init() {
	register(command{name: "kernel", summary: "the Jupyter kernel: install its spec, or run it", run: runKernel})
}

const kernelDesc = `
"skybias kernel install [--user | --prefix DIR] [--name NAME]" writes the kernel spec
(kernels/skybias/kernel.json: display name "skybias (Go)", language go,
message-mode interrupts) where Jupyter looks for it: the system folder by
default, the user's with --user, DIR/share/jupyter with --prefix. The spec
runs this executable, so install it first (go install ./cmd/skybias): a
temporary build of go run is refused. --name installs a second kernel
beside the first (kernels/NAME, shown as "skybias (Go, NAME)").

"skybias kernel CONNECTION_FILE" runs the kernel (Jupyter does this).`

func runKernel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("kernel", "install [--user|--prefix DIR] | CONNECTION_FILE", kernelDesc, stderr)
	user := fs.Bool("user", false, "install for this user (~/.local/share/jupyter)")
	prefix := fs.String("prefix", "", "install under DIR/share/jupyter")
	name := fs.String("name", "skybias", "the kernel's name (its folder under kernels/); another name installs beside the first, e.g. one per checkout")
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
	if goRunBuild(exe) {
		return fmt.Errorf("kernel install: this skybias is a temporary build of go run (%s), which is deleted when it exits; "+
			"a kernel spec pointing at it would break at once. Install the command first (go install ./cmd/skybias), then run: skybias kernel install", exe)
	}
	if !validKernelName(*name) {
		return fmt.Errorf("kernel install: --name %.40q: use letters, digits, '.', '_' and '-'", *name)
	}
	var dir string
	switch {
	case *prefix != "":
		dir = filepath.Join(*prefix, "share", "jupyter", "kernels", *name)
	case *user:
		home, err := os.UserHomeDir()
		if err != nil {
			return err
		}
		dir = filepath.Join(home, ".local", "share", "jupyter", "kernels", *name)
	default:
		dir = filepath.Join("/usr", "local", "share", "jupyter", "kernels", *name)
	}
	spec := map[string]any{
		"argv":           []string{exe, "kernel", "{connection_file}"},
		"display_name":   displayName(*name),
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

// goRunBuild reports whether an executable is one that go run built into
// its temporary work folder (…/go-build…/…/exe/NAME).
func goRunBuild(exe string) bool {
	return strings.Contains(exe, string(filepath.Separator)+"go-build") && filepath.Base(filepath.Dir(exe)) == "exe"
}

// validKernelName reports whether a kernel name is usable as Jupyter's
// folder name for it.
func validKernelName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// displayName is the name Jupyter shows for a kernel.
func displayName(name string) string {
	if name == "skybias" {
		return "skybias (Go)"
	}
	return "skybias (Go, " + name + ")"
}
