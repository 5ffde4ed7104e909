package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildCLI compiles the command once per test binary.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "skybias")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := runMain(context.Background(), args, &out, &out)
	return out.String(), code
}

func TestHelpAndUsage(t *testing.T) {
	for _, c := range []string{"synth", "source", "validate", "plan", "run", "paper", "report"} {
		out, code := run(t, c, "--help")
		if code != 0 || !strings.Contains(out, "Usage: skybias "+c) {
			t.Errorf("%s --help: exit %d, output %q", c, code, out)
		}
	}
	if out, code := run(t, "frobnicate"); code != 2 || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, out)
	}
	if _, code := run(t, "plan"); code != 2 {
		t.Errorf("plan without files: exit %d, want 2", code)
	}
}

func TestValidateExitCodes(t *testing.T) {
	out, code := run(t, "validate", "../../dsl/testdata/good/three.yaml", "../../dsl/testdata/broken/unknown-key.yaml")
	if code != 1 || !strings.Contains(out, "unknown-key.yaml:2:1:") || !strings.Contains(out, "three.yaml: ok") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	files, _ := filepath.Glob("../../experiments/*/*.yaml")
	more, _ := filepath.Glob("../../experiments/*.yaml")
	out, code = run(t, append([]string{"validate"}, append(files, more...)...)...)
	if code != 0 {
		t.Fatalf("experiments do not validate:\n%s", out)
	}
}

func TestPlanStable(t *testing.T) {
	a, code := run(t, "plan", "../../experiments/paper/table06.yaml")
	if code != 0 {
		t.Fatal(a)
	}
	b, _ := run(t, "plan", "../../experiments/paper/table06.yaml")
	if a != b || !strings.Contains(a, "S f1 x300") {
		t.Fatalf("plans differ or lack the design:\n%s\n%s", a, b)
	}
}

func TestSynthByteIdentical(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	for _, d := range []string{d1, d2} {
		if out, code := run(t, "synth", "--survey", "testdata/tiny/survey.yaml", "--n", "3", "--out", d, "--sheet", filepath.Join(d, "sheet.png")); code != 0 {
			t.Fatal(out)
		}
	}
	a, b := readTree(t, d1), readTree(t, d2)
	if len(a) != 2*2*3+2 {
		t.Fatalf("%d files written", len(a))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = b
		return nil
	})
	return out
}

// TestKillAndResume kills "skybias paper" with SIGKILL after its second
// job and reruns it: the final report must be byte-identical to that of an
// uninterrupted run, and no half-written result may remain.
func TestKillAndResume(t *testing.T) {
	bin := buildCLI(t)
	exp, _ := filepath.Abs("testdata/tiny")
	paper := func(dir string) *exec.Cmd {
		return exec.Command(bin, "paper", "--experiments", exp, "--out", filepath.Join(dir, "out"), "--results", filepath.Join(dir, "results"))
	}
	whole := t.TempDir()
	if out, err := paper(whole).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	killed := t.TempDir()
	cmd := paper(killed)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	done := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), "done in") {
			if done++; done == 2 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	cmd.Wait()
	if done != 2 {
		t.Fatalf("the run ended before its second job (saw %d)", done)
	}
	entries, _ := os.ReadDir(filepath.Join(killed, "results"))
	complete := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") { // .tmp-* folders and .locks
			complete++
			if _, err := os.Stat(filepath.Join(killed, "results", e.Name(), "result.json")); err != nil {
				t.Errorf("result folder %s is incomplete", e.Name())
			}
		}
	}
	if complete < 2 {
		t.Fatalf("%d results stored before the kill", complete)
	}
	out, err := paper(killed).CombinedOutput()
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "already have results") {
		t.Errorf("the resumed run did not reuse stored results:\n%s", out)
	}
	for _, f := range []string{"REPORT.md", "REPORT.html"} {
		a, _ := os.ReadFile(filepath.Join(whole, "out", f))
		b, _ := os.ReadFile(filepath.Join(killed, "out", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", f)
		}
	}
	// A third run trains nothing.
	t0 := time.Now()
	out, err = paper(killed).CombinedOutput()
	if err != nil || strings.Contains(string(out), "[1/") {
		t.Fatalf("third run trained again (%v):\n%s", err, out)
	}
	t.Logf("third run took %v", time.Since(t0))
	// And the report rebuilds from the store alone, byte for byte.
	os.Remove(filepath.Join(killed, "out", "REPORT.md"))
	if out, err := exec.Command(bin, "report", filepath.Join(killed, "out")).CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	a, _ := os.ReadFile(filepath.Join(whole, "out", "REPORT.md"))
	b, _ := os.ReadFile(filepath.Join(killed, "out", "REPORT.md"))
	if !bytes.Equal(a, b) {
		t.Error("skybias report rebuilt a different REPORT.md")
	}
	if !strings.Contains(string(a), "Summary: p(spiral) per experiment") || !strings.Contains(string(a), "McNemar") {
		t.Errorf("report lacks its sections:\n%s", a)
	}
}

// synth checks its counts before writing: asking for more galaxies than a
// field holds, or a non-positive sheet row, writes nothing.
func TestSynthChecksFirst(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"more than the field holds", []string{"--n", "100000"}, "nothing was written"},
		{"negative sheet row", []string{"--n", "2", "--sheet-n", "-5"}, "--sheet-n -5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			args := append([]string{"synth", "--survey", "testdata/tiny/survey.yaml", "--out", d, "--sheet", filepath.Join(d, "s.png")}, tc.args...)
			out, code := run(t, args...)
			if code == 0 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, output %q; want a failure saying %q", code, out, tc.want)
			}
			if files := readTree(t, d); len(files) != 0 {
				t.Errorf("%d files written", len(files))
			}
		})
	}
}

// TestCLIConventions: help asked for goes to standard output and exits 0;
// a mistyped command gets a suggestion on standard error and exit 2;
// --version names the module version, the VCS revision and whether the
// tree was modified (built with VCS stamping); Ctrl-C exits 130 and
// SIGTERM 143, within two seconds, mid-training.
func TestCLIConventions(t *testing.T) {
	var out, errw bytes.Buffer
	if code := runMain(context.Background(), []string{"run", "--help"}, &out, &errw); code != 0 || !strings.HasPrefix(out.String(), "Usage: skybias run") || errw.Len() != 0 {
		t.Errorf("run --help: exit %d, stdout %.40q, stderr %.40q; want the usage on stdout", code, out.String(), errw.String())
	}
	out.Reset()
	errw.Reset()
	if code := runMain(context.Background(), []string{"valdate", "x.yaml"}, &out, &errw); code != 2 || !strings.Contains(errw.String(), "did you mean validate?") || out.Len() != 0 {
		t.Errorf("valdate: exit %d, stdout %q, stderr %q; want a suggestion on stderr", code, out.String(), errw.String())
	}
	out.Reset()
	errw.Reset()
	if code := runMain(context.Background(), []string{"plan", "--jbos", "3"}, &out, &errw); code != 2 || out.Len() != 0 || !strings.Contains(errw.String(), "Usage: skybias plan") {
		t.Errorf("a bad flag: exit %d, stdout %q; want the usage on stderr and exit 2", code, out.String())
	}

	out.Reset()
	errw.Reset()
	if code := runMain(context.Background(), []string{"annotate", "x", "--out", filepath.Join(t.TempDir(), "c.csv"), "--batch", "0"}, &out, &errw); code != 1 || strings.Count(errw.String(), "annotate:") != 1 {
		t.Errorf("an annotate error: exit %d, %q; want one prefix", code, errw.String())
	}
	out.Reset()
	errw.Reset()
	if code := runMain(context.Background(), []string{"plan", "../../experiments/paper/table03.yaml", "--profile", "quik"}, &out, &errw); code != 1 || out.Len() != 0 || !strings.Contains(errw.String(), "did you mean quick?") {
		t.Errorf("plan --profile quik: exit %d, stdout %q, stderr %q; want only the suggestion, before any output", code, out.String(), errw.String())
	}

	// KEY.PATH=VALUE after the files overrides a key, checked and hashed.
	hashOf := func(args ...string) string {
		var o, e bytes.Buffer
		if code := runMain(context.Background(), append([]string{"plan", "../../experiments/paper/table03.yaml"}, args...), &o, &e); code != 0 {
			t.Fatalf("plan %v: exit %d\n%s%s", args, code, o.String(), e.String())
		}
		for _, l := range strings.Split(o.String(), "\n") {
			if f := strings.Fields(l); len(f) > 2 && len(f[0]) == 12 && f[1] == "-" {
				return f[0]
			}
		}
		t.Fatalf("plan %v printed no job:\n%s", args, o.String())
		return ""
	}
	if a, b := hashOf(), hashOf("training.epochs=5"); a == b {
		t.Errorf("training.epochs=5 kept the hash %s", a)
	}
	if a, b := hashOf("training.epochs=5"), hashOf("training={epochs: 5}"); a != b {
		t.Errorf("the same override written two ways: %s and %s", a, b)
	}
	for _, c := range []struct{ arg, want string }{
		{"training.epochs=x", "want a whole number"},
		{"trainng.epochs=5", "did you mean training?"},
		{"training.epochs=0", "training.epochs"},
	} {
		out.Reset()
		errw.Reset()
		if code := runMain(context.Background(), []string{"plan", "../../experiments/paper/table03.yaml", c.arg}, &out, &errw); code == 0 || !strings.Contains(errw.String(), c.want) {
			t.Errorf("plan ... %s: exit %d, %q; want %q", c.arg, code, errw.String(), c.want)
		}
	}

	bin := filepath.Join(t.TempDir(), "skybias")
	if b, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	v, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(v), "skybias ") || !strings.Contains(string(v), "revision ") {
		t.Errorf("--version: %v, %q; want the version and the VCS revision", err, v)
	}
	exp, _ := filepath.Abs("testdata/tiny")
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		dir := t.TempDir()
		cmd := exec.Command(bin, "paper", "--experiments", exp, "--out", filepath.Join(dir, "out"), "--results", filepath.Join(dir, "results"))
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "[1/") { // the first job is training
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
		sent := time.Now()
		cmd.Process.Signal(c.sig)
		go io.Copy(io.Discard, stdout)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != c.code {
			t.Errorf("%v: %v, want exit %d", c.sig, err, c.code)
		}
		if d := time.Since(sent); d > 2*time.Second {
			t.Errorf("%v: stopped after %v, want within 2 s", c.sig, d)
		}
	}
}

// TestInputsMustBeRegularFiles: every command that reads a file it is
// given refuses a device (/dev/zero, which reads without end) and a FIFO
// (which blocks until a writer comes) within two seconds, naming it,
// instead of reading until memory runs out or waiting forever (issue 34).
func TestInputsMustBeRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "input.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"/dev/zero", fifo} {
		for _, args := range [][]string{
			{"source", in},
			{"synth", "--survey", in, "--n", "1", "--out", filepath.Join(dir, "synth")},
			{"job", "run", in},
			{"notebook", "run", in, "-o", filepath.Join(dir, "out.ipynb")},
			{"anisotropy", in},
			{"readme", in},
			{"validate", in},
			{"plan", in},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			var out bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- runMain(ctx, args, &out, &out) }()
			select {
			case code := <-done:
				if code == 0 || !strings.Contains(out.String(), in) || !(strings.Contains(out.String(), "a device") || strings.Contains(out.String(), "named pipe") || strings.Contains(out.String(), "not a regular file")) {
					t.Errorf("%s: exit %d, %q; want a refusal naming %s", strings.Join(args, " "), code, out.String(), in)
				}
			case <-time.After(2 * time.Second):
				t.Errorf("%s: still reading after 2 s", strings.Join(args, " "))
			}
			cancel()
		}
	}
}
