package notebooks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skybias/skybias/internal/testenv"
)

// TestNotebooksExecute runs every notebook top to bottom with
// "jupyter nbconvert --execute" and the skybias kernel (installed into a
// temporary Jupyter path), and fails on any error output or a notebook
// without images.
func TestNotebooksExecute(t *testing.T) {
	testenv.Tool(t, "jupyter-nbconvert")
	if testing.Short() {
		t.Skip("skipping: notebooks train networks (a few minutes)")
	}
	tmp, bin, prefix, files := workTree(t, "*.ipynb")
	if len(files) < 3 {
		t.Fatalf("found %d notebooks", len(files))
	}
	_, dataErr := os.Stat(filepath.Join(testenv.SharedDataDir(t), "gz1-sdss"))
	for _, nbPath := range files {
		name := filepath.Base(nbPath)
		t.Run(name, func(t *testing.T) {
			t0 := time.Now()
			// The first notebook runs as a batch job does, through
			// skybias notebook run with a parameter; the others through
			// nbconvert, as Jupyter users run them.
			papermill := strings.HasPrefix(name, "01")
			cmd := exec.Command("jupyter-nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=skybias",
				"--ExecutePreprocessor.timeout=900", "--output-dir", tmp, nbPath)
			if papermill {
				cmd = exec.Command(bin, "notebook", "run", nbPath, "-o", filepath.Join(tmp, name), "-p", "profile=quick", "--html", filepath.Join(tmp, name+".html"))
			}
			cmd.Env = append(os.Environ(), "JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
				"SKYBIAS_RESULTS="+filepath.Join(tmp, "results"), "SKYBIAS_DATA="+testenv.SharedDataDir(t))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", cmd.Args[:3], err, out)
			}
			b, err := os.ReadFile(filepath.Join(tmp, name))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Cells []struct {
					CellType string `json:"cell_type"`
					Metadata struct {
						Tags []string `json:"tags"`
					} `json:"metadata"`
					Outputs []struct {
						OutputType string         `json:"output_type"`
						Ename      string         `json:"ename"`
						Evalue     string         `json:"evalue"`
						Data       map[string]any `json:"data"`
					} `json:"outputs"`
				} `json:"cells"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			pngs := 0
			for i, c := range doc.Cells {
				for _, o := range c.Outputs {
					if o.OutputType == "error" {
						t.Errorf("cell %d: %s: %s", i, o.Ename, o.Evalue)
					}
					if _, ok := o.Data["image/png"]; ok {
						pngs++
					}
				}
			}
			if papermill {
				injected := false
				for _, c := range doc.Cells {
					for _, tag := range c.Metadata.Tags {
						injected = injected || tag == "injected-parameters"
					}
				}
				if !injected {
					t.Error("skybias notebook run wrote no injected-parameters cell")
				}
				html, err := os.ReadFile(filepath.Join(tmp, name+".html"))
				if err != nil || !strings.Contains(string(html), "data:image/png;base64,") {
					t.Errorf("the HTML page has no inline figure (%v)", err)
				}
			}
			wantImages := !(strings.HasPrefix(name, "03") && dataErr != nil)
			if wantImages && pngs == 0 {
				t.Errorf("%s shows no image/png output", name)
			}
			t.Logf("%s: %d images, %v", name, pngs, time.Since(t0).Round(time.Second))
		})
	}
}

// workTree builds skybias, installs its kernel spec under a temporary
// Jupyter prefix, and copies the repository's notebooks matching pattern
// into a temporary tree whose experiments/ is the repository's (read
// only), so that whatever a notebook writes beside itself (a YAML of its
// own, a report folder) stays out of the repository. It returns the
// temporary folder, the executable, the prefix and the copies.
func workTree(t *testing.T, pattern string) (tmp, bin, prefix string, files []string) {
	t.Helper()
	root := testenv.Root(t)
	tmp = t.TempDir()
	bin = filepath.Join(tmp, "skybias")
	build := exec.Command("go", "build", "-o", bin, "./cmd/skybias")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	prefix = filepath.Join(tmp, "jupyter")
	if out, err := exec.Command(bin, "kernel", "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("kernel install: %v\n%s", err, out)
	}
	work := filepath.Join(tmp, "work")
	if err := os.MkdirAll(filepath.Join(work, "notebooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "experiments"), filepath.Join(work, "experiments")); err != nil {
		t.Fatal(err)
	}
	originals, _ := filepath.Glob(filepath.Join(root, "notebooks", pattern))
	for _, f := range originals {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(work, "notebooks", filepath.Base(f))
		if err := os.WriteFile(cp, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, cp)
	}
	return tmp, bin, prefix, files
}
