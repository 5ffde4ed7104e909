package netspec

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDescriptionLinksNoEngine: the experiment language, the result
// store, the analysis's findings, the report and its plots read a job's
// network through this package and must not link the training engine
// (Gorgonia and skybias's kernels).
func TestDescriptionLinksNoEngine(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list dependencies with")
	}
	pkgs := []string{"../dsl", "../results", "../findings", "../report", "../plots", "../netspec"}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "gorgonia.org/") || p == "github.com/skybias/skybias/cnn" {
			t.Errorf("%s is among the dependencies of %s", p, strings.Join(pkgs, ", "))
		}
	}
}

func TestResolveDefaults(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Config
		want string // error text, or "" for a resolved config
		wino []int
	}{
		{"paper network at 120 px", Config{}, "", []int{1, 2, 3}},
		{"quick profile at 48 px: no Winograd layer", Config{Input: 48}, "", nil},
		{"direct everywhere", Config{Conv: ConvDirect}, "", nil},
		{"unknown architecture", Config{Arch: "resnet"}, "unknown architecture", nil},
		{"unknown algorithm", Config{Conv: "fft"}, "unknown convolution algorithm", nil},
		{"too many pools", Config{Input: 8, Pools: 4}, "too small", nil},
	} {
		got, err := c.in.Resolve()
		if c.want != "" {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if w := got.WinogradLayers(); len(w) != len(c.wino) || (len(w) > 0 && w[0] != c.wino[0]) {
			t.Errorf("%s: Winograd layers %v, want %v", c.name, w, c.wino)
		}
	}
}
