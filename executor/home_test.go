package executor

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
)

// TestOneHome: names that belong to one package are spelled only there.
// No code outside this package names Slurm (a type, function or field
// with Slurm in its name; comments and help texts may mention it), and
// no code outside package results spells a checkpoint's file name.
func TestOneHome(t *testing.T) {
	root := testenv.Root(t)
	rules := []struct {
		what  string
		owner string // the package folder allowed to spell it
		hit   func(n ast.Node) bool
	}{
		{"an identifier naming Slurm", "executor", func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			return ok && strings.Contains(strings.ToLower(id.Name), "slurm")
		}},
		{"a checkpoint file name", "results", func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			return ok && lit.Kind == token.STRING && strings.Contains(lit.Value, ".ckpt")
		}},
	}
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || rel == "kernel/symbols" || d.Name() == "testdata" {
				return filepath.SkipDir // hidden, generated, test data
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		dir := filepath.Dir(rel)
		for _, r := range rules {
			if dir == r.owner {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if n != nil && r.hit(n) {
					t.Errorf("%s: %s outside %s/", fset.Position(n.Pos()), r.what, r.owner)
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read %d Go files under %s; want the whole module", files, root)
	}
}
