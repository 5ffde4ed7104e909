package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// studyCopy copies a study file into dir with its relative paths made
// absolute and the given replacements made (each must apply).
func studyCopy(t *testing.T, dir, name string, replace ...string) string {
	t.Helper()
	studies, err := filepath.Abs("../experiments/studies")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(studies, name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "../", filepath.Dir(studies)+"/")
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("%s: no %q to replace", name, replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
