package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// go run's temporary builds are recognised (and refused by kernel
// install); kernel names are checked.
func TestKernelInstallChecks(t *testing.T) {
	for _, tc := range []struct {
		exe  string
		temp bool
	}{
		{"/tmp/go-build470285163/b001/exe/skybias", true},
		{"/root/.cache/go-build/xx/go-build123/b001/exe/skybias", true},
		{"/root/go/bin/skybias", false},
		{"/tmp/TestNotebooks/001/skybias", false},
		{"/home/a/exe/skybias", false},
	} {
		if got := goRunBuild(tc.exe); got != tc.temp {
			t.Errorf("goRunBuild(%s) = %v", tc.exe, got)
		}
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"skybias", true}, {"dev-2.1_x", true}, {"", false}, {"../x", false}, {"a b", false}, {strings.Repeat("a", 65), false}} {
		if got := validKernelName(tc.name); got != tc.ok {
			t.Errorf("validKernelName(%q) = %v", tc.name, got)
		}
	}
	// --name installs beside the default, under its own folder and name.
	prefix := t.TempDir()
	var out bytes.Buffer
	if err := runKernel(context.Background(), []string{"--prefix", prefix, "--name", "dev", "install"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(prefix, "share", "jupyter", "kernels", "dev", "kernel.json"))
	if err != nil || !strings.Contains(string(b), `"skybias (Go, dev)"`) {
		t.Errorf("kernel.json %s (%v)", b, err)
	}
	if err := runKernel(context.Background(), []string{"--prefix", prefix, "--name", "../up", "install"}, &out, &out); err == nil {
		t.Error("a kernel name with a path in it was accepted")
	}
}
