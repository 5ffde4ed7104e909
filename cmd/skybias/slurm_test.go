package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
)

// slurmUp skips (or, under CI, fails) unless a Slurm cluster answers.
func slurmUp(t *testing.T) {
	t.Helper()
	testenv.Tool(t, "sbatch")
	if out, err := exec.Command("sinfo", "-h", "-o", "%T").CombinedOutput(); err != nil || !regexp.MustCompile(`idle|mixed|allocated`).Match(out) {
		if testenv.InCI() {
			t.Fatalf("no Slurm node is up (run .ci/slurm-up): %v %s", err, out)
		}
		t.Skipf("skipping: no Slurm node is up (run .ci/slurm-up as root): %s", out)
	}
}

// TestSlurmMatchesLocal runs a tiny experiment locally and through
// --executor slurm: every stored result must be byte-identical.
func TestSlurmMatchesLocal(t *testing.T) {
	slurmUp(t)
	bin := buildCLI(t)
	exp, _ := filepath.Abs("testdata/tiny")
	files := []string{filepath.Join(exp, "t1.yaml"), filepath.Join(exp, "t2.yaml")}
	local, cluster := t.TempDir(), t.TempDir()
	for _, c := range []struct {
		dir  string
		args []string
	}{{local, nil}, {cluster, []string{"--executor", "slurm"}}} {
		args := append([]string{"run", "--results", filepath.Join(c.dir, "results"), "--out", filepath.Join(c.dir, "out")}, c.args...)
		out, err := exec.Command(bin, append(args, files...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("skybias %v: %v\n%s", c.args, err, out)
		}
		if c.args != nil && !strings.Contains(string(out), "submitted 2 job(s) as Slurm array") {
			t.Fatalf("no array submitted:\n%s", out)
		}
	}
	a, b := readTree(t, filepath.Join(local, "results")), readTree(t, filepath.Join(cluster, "results"))
	compared := 0
	for name, data := range a {
		base := filepath.Base(name)
		if base == "manifest.json" || strings.HasPrefix(name, "slurm") || strings.HasPrefix(name, ".locks") {
			continue // timings, host and paths differ by design; lock files hold a PID
		}
		other, ok := b[name]
		if !ok {
			t.Errorf("%s is missing from the Slurm run", name)
			continue
		}
		if base == "SHA256SUMS" { // every checksum but the manifest's must agree
			data, other = withoutLine(data, "  manifest.json"), withoutLine(other, "  manifest.json")
		}
		if !bytes.Equal(data, other) {
			t.Errorf("%s differs between the local and the Slurm run", name)
		}
		compared++
	}
	if compared < 8 {
		t.Fatalf("compared only %d files", compared)
	}
	ra, _ := os.ReadFile(filepath.Join(local, "out", "REPORT.md"))
	rb, _ := os.ReadFile(filepath.Join(cluster, "out", "REPORT.md"))
	if !bytes.Equal(ra, rb) {
		t.Error("the reports differ")
	}
}

// TestSlurmResubmitsOnlyFailed cancels one array task before it starts:
// collect reports it, and rerunning resubmits that job alone.
func TestSlurmResubmitsOnlyFailed(t *testing.T) {
	slurmUp(t)
	bin := buildCLI(t)
	exp, _ := filepath.Abs("testdata/tiny")
	dir := t.TempDir()
	args := []string{"run", "--executor", "slurm", "--cpus", "2", "--results", filepath.Join(dir, "results"), "--out", filepath.Join(dir, "out"),
		filepath.Join(exp, "t1.yaml"), filepath.Join(exp, "t4.yaml"), filepath.Join(exp, "t2.yaml")}
	out, err := exec.Command(bin, append(args, "--no-wait")...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := regexp.MustCompile(`submitted 4 job\(s\) as Slurm array (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no array of 4 jobs:\n%s", out)
	}
	// One task at a time fits the node (2 CPUs each): the last is pending.
	if out, err := exec.Command("scancel", string(m[1])+"_3").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v %s", err, out)
	}
	out, err = exec.Command(bin, "collect", filepath.Join(dir, "out")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "1 job(s) of Slurm array "+string(m[1])+" ended without a result") || !strings.Contains(string(out), "task 3") {
		t.Fatalf("collect should report task 3 (%v):\n%s", err, out)
	}
	out, err = exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "submitted 1 job(s)") {
		t.Fatalf("the rerun did not resubmit exactly one job:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "REPORT.md")); err != nil {
		t.Fatal(err)
	}
}

// withoutLine drops the lines of b that end with suffix.
func withoutLine(b []byte, suffix string) []byte {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasSuffix(l, suffix) {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n"))
}
