package notebook

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skybias/skybias/kernel"
)

// TestMain lets the test binary be the kernel that Execute starts: with
// SKYBIAS_TEST_KERNEL set it serves the connection file it is given.
func TestMain(m *testing.M) {
	if os.Getenv("SKYBIAS_TEST_KERNEL") != "" {
		if err := kernel.Run(context.Background(), os.Args[len(os.Args)-1], os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testNotebook(t *testing.T, cells ...string) *Notebook {
	t.Helper()
	var list []any
	for _, c := range cells {
		typ, src, _ := strings.Cut(c, ":")
		cell := map[string]any{"cell_type": "code", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil, "source": src}
		switch typ {
		case "md":
			cell = map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": src}
		case "param":
			cell["metadata"] = map[string]any{"tags": []any{"parameters"}}
		}
		list = append(list, cell)
	}
	b, _ := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}, "cells": list})
	dir := t.TempDir()
	p := filepath.Join(dir, "t.ipynb")
	os.WriteFile(p, b, 0o644)
	nb, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

func TestInject(t *testing.T) {
	const params = "param:profile := \"quick\"\nepochs := 8\nvar lr float64 = 0.001\nplot := true // draw?\n"
	cases := []struct {
		name   string
		params []string
		want   string
		warn   int
		err    string
	}{
		{"typed", []string{"profile=paper", "epochs=3", "lr=1", "plot=false"}, "// Parameters\nprofile = \"paper\"\nepochs = 3\nlr = 1.0\nplot = false\n", 0, ""},
		{"string stays a string", []string{"profile=123"}, "profile = \"123\"", 0, ""},
		{"undeclared", []string{"extra=2.5", "path=../x.yaml"}, "var extra = 2.5\nvar path = \"../x.yaml\"", 2, ""},
		{"not an int", []string{"epochs=many"}, "", 0, `"many" is not an integer`},
		{"not a bool", []string{"plot=maybe"}, "", 0, `"maybe" is not a bool`},
		{"twice", []string{"epochs=1", "epochs=2"}, "", 0, "given twice"},
		{"NaN for a number", []string{"lr=NaN"}, "", 0, `"NaN" is not a finite number`},
		{"infinity for a number", []string{"lr=+Inf"}, "", 0, `"+Inf" is not a finite number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nb := testNotebook(t, "md:# title", params, "code:x := 1")
			var ps []Param
			for _, s := range c.params {
				p, err := ParseParam(s)
				if err != nil {
					t.Fatal(err)
				}
				ps = append(ps, p)
			}
			warn, err := nb.Inject(ps)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v; want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(warn) != c.warn {
				t.Errorf("warnings %q; want %d", warn, c.warn)
			}
			if len(nb.Cells) != 4 || !hasTag(nb.Cells[2], "injected-parameters") {
				t.Fatalf("the injected cell is not right after the parameters cell: %v", nb.Cells)
			}
			if id := nb.Cells[2]["id"]; id != "injected-parameters" {
				t.Errorf("an nbformat 4.5 cell needs an id; the injected cell has %v", id)
			}
			if got := Source(nb.Cells[2]); !strings.Contains(got, c.want) {
				t.Errorf("injected %q; want it to contain %q", got, c.want)
			}
			// Injecting again replaces the cell.
			nb.Inject(ps)
			if len(nb.Cells) != 4 {
				t.Errorf("a second injection left %d cells", len(nb.Cells))
			}
		})
	}
	// Two parameters cells: the second would reset the injected values.
	two := testNotebook(t, params, "code:x := 1", params)
	if _, err := two.Inject([]Param{{"epochs", "2"}}); err == nil || !strings.Contains(err.Error(), "cells 1 and 3 are both tagged parameters") {
		t.Errorf("two parameters cells: %v", err)
	}
	nb := testNotebook(t, "md:# no parameters cell", "code:x := 1")
	nb.Inject([]Param{{"x", "2"}})
	if !hasTag(nb.Cells[0], "injected-parameters") {
		t.Error("without a parameters cell the injected cell goes first")
	}
	for _, bad := range []string{"noequals", "1x=2", "=3", "a b=1"} {
		if _, err := ParseParam(bad); err == nil {
			t.Errorf("ParseParam(%q) accepted", bad)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"not json", "not a notebook"},
		{`{"nbformat": 3, "cells": []}`, "nbformat 3"},
		{`{"nbformat": 4}`, "no cells"},
		{`{"nbformat": 4, "cells": [{"cell_type": "weird"}]}`, `cell 1 has cell_type "weird"`},
		{`{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}`, "cell 1: source is a float64"},
	}
	for _, c := range cases {
		if _, err := Parse("x.ipynb", []byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v; want %q", c.text, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["a\n", "b"], "metadata": {"tags": ["parameters"]}}]}`)
	f.Add(`{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": "# x\n- a\n` + "```" + `\ncode\n"}], "metadata": {}}`)
	f.Fuzz(func(t *testing.T, text string) {
		nb, err := Parse("f.ipynb", []byte(text))
		if err != nil {
			return
		}
		nb.Inject([]Param{{"p", "1"}})
		if _, err := nb.JSON(); err != nil {
			t.Fatalf("a parsed notebook does not encode: %v", err)
		}
		_ = nb.HTML("f")
	})
}

func TestMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"# Title *x*", "<h1>Title <em>x</em></h1>"},
		{"a **b** `c<d>`", "<p>a <strong>b</strong> <code>c&lt;d&gt;</code></p>"},
		{"- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"},
		{"1. one\n2. two", "<ol>\n<li>one</li>"},
		{"```\n<b>x</b>\n```", "<pre>&lt;b&gt;x&lt;/b&gt;</pre>"},
		{"[site](https://example.org) [bad](javascript:alert(1))", `<a href="https://example.org">site</a> bad`},
		{"<script>x</script>", "&lt;script&gt;"},
	}
	for _, c := range cases {
		if got := markdown(c.in); !strings.Contains(got, c.want) {
			t.Errorf("markdown(%q) = %q; want it to contain %q", c.in, got, c.want)
		}
	}
}

// TestExecute runs a notebook on a kernel (this test binary, see
// TestMain): parameters injected, outputs and counts recorded, the working
// folder the notebook's, and a failing cell stopping the run unless
// errors are allowed.
func TestExecute(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kernels")
	}
	t.Setenv("SKYBIAS_TEST_KERNEL", "1")
	opts := Options{Kernel: []string{os.Args[0], "-test.run=^$", "{connection_file}"}, StartTimeout: 30 * time.Second}
	for _, allow := range []bool{false, true} {
		nb := testNotebook(t, "param:n := 2", `code:import "fmt"

fmt.Println("n is", n)`, `code:import "os"

wd, _ := os.Getwd()
wd`, `code:var q int = "oops"`, `code:fmt.Println("after")`)
		if _, err := nb.Inject([]Param{{"n", "7"}}); err != nil {
			t.Fatal(err)
		}
		opts.AllowErrors = allow
		res, err := nb.Execute(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 1 || res.Errors[0].Cell != 5 {
			t.Fatalf("allow %v: errors %v; want cell 5 to fail", allow, res.Errors)
		}
		out := func(i int) string {
			b, _ := json.Marshal(nb.Cells[i]["outputs"])
			return string(b)
		}
		if !strings.Contains(out(2), `n is 7`) {
			t.Errorf("the injected value did not reach the cell: %s", out(2))
		}
		if !strings.Contains(out(3), filepath.Dir(nb.Path)) {
			t.Errorf("the kernel did not run in the notebook's folder: %s", out(3))
		}
		if !strings.Contains(out(4), `"output_type":"error"`) {
			t.Errorf("the failing cell has no error output: %s", out(4))
		}
		ran := strings.Contains(out(5), "after")
		if ran != allow {
			t.Errorf("allow errors %v: the cell after the error ran: %v (%s)", allow, ran, out(5))
		}
		if c := nb.Cells[2]["execution_count"]; c != 3 {
			t.Errorf("execution count %v; want 3 (parameters, injected, then this)", c)
		}
	}
	_, err := testNotebook(t, "code:1").Execute(context.Background(), Options{Kernel: []string{"/nonexistent/kernel", "{connection_file}"}})
	if err == nil || !strings.Contains(err.Error(), "starting the kernel") {
		t.Errorf("a missing kernel: %v", err)
	}
}

// TestSweepStale: the temporary folder of a run whose process is gone
// (kill -9) is removed by the next run; one of a live process is kept.
func TestSweepStale(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command")
	}
	gone := filepath.Join(dir, fmt.Sprintf("%s%d-123", tempPrefix, dead.Process.Pid))
	live := filepath.Join(dir, fmt.Sprintf("%s%d-456", tempPrefix, os.Getppid()))
	other := filepath.Join(dir, "skybias-other-1")
	for _, d := range []string{gone, live, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sweepStale(dir)
	if _, err := os.Stat(gone); err == nil {
		t.Error("the folder of a dead run was kept")
	}
	for _, d := range []string{live, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed", d)
		}
	}
}
