// Package testenv decides, for tests, whether what they need from outside
// the project is there: the real SDSS data in ../shared/data and external
// tools. Where it is missing a test skips with a message saying what is
// missing, except under CI (CI=true), where it fails: CI must have it all.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Root returns the module's root folder (where go.mod is).
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testenv: cannot locate the source tree")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedData returns the folder of the real data sets (SKYBIAS_DATA, or
// ../shared/data beside the checkout) after checking that sub, a data set
// in it, exists. It skips the test when the data are absent (a fresh clone)
// and fails it under CI.
func SharedData(t testing.TB, sub string) string {
	t.Helper()
	dir := SharedDataDir(t)
	if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
		missing(t, "real data set "+sub+" not found in "+dir+" (set SKYBIAS_DATA to the folder holding it)")
	}
	return dir
}

// SharedDataDir is where the real data sets are looked for: SKYBIAS_DATA,
// or ../shared/data beside the checkout (which may not exist).
func SharedDataDir(t testing.TB) string {
	if dir := os.Getenv("SKYBIAS_DATA"); dir != "" {
		return dir
	}
	return filepath.Join(Root(t), "..", "shared", "data")
}

// Tool returns the path of an external program, skipping the test when it
// is not installed (failing under CI).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" is not installed")
	}
	return p
}

func missing(t testing.TB, what string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s; CI must provide it (see .ci/run)", what)
	}
	t.Skipf("skipping: %s", what)
}

// Python returns Debian's python3 after checking that it imports every
// module in mods, skipping the test when one is missing (failing under
// CI, whose .ci/run installs them).
func Python(t testing.TB, mods ...string) string {
	t.Helper()
	py := "/usr/bin/python3" // Debian's, where apt installs the modules (a pyenv shim may come first on PATH)
	if _, err := os.Stat(py); err != nil {
		py = Tool(t, "python3")
	}
	for _, m := range mods {
		if out, err := exec.Command(py, "-c", "import "+m).CombinedOutput(); err != nil {
			missing(t, "python3 cannot import "+m+" ("+string(out)+")")
		}
	}
	return py
}
