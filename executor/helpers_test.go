package executor

import (
	"path/filepath"
	"testing"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/internal/testenv"
)

// plan compiles a shipped experiment (on the built-in synthetic survey)
// at the quick profile: jobs to submit, none of them trained here.
func plan(t *testing.T) *dsl.Plan {
	t.Helper()
	p, err := dsl.CompileFile(filepath.Join(testenv.Root(t), "experiments", "paper", "table06.yaml"), dsl.Options{Profile: "quick"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
