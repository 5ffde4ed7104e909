package executor

import (
	"context"
	"strings"
	"testing"
)

// TestSbatchMissingSaysWhatToDo: without Slurm, submitting says so and
// names the flag that runs the jobs here (not exec's "executable file
// not found in $PATH").
func TestSbatchMissingSaysWhatToDo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := sbatch(context.Background(), "job.sh")
	if err == nil || !strings.Contains(err.Error(), "--executor local") || strings.Contains(err.Error(), "$PATH") {
		t.Fatalf("error %v; want a hint naming --executor local", err)
	}
}
