package seeds

import "testing"

func TestSub(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
		same bool
	}{
		{"same path", []string{"f1", "spiral"}, []string{"f1", "spiral"}, true},
		{"other name", []string{"f1", "spiral"}, []string{"f1", "elliptical"}, false},
		{"boundaries count", []string{"ab", "c"}, []string{"a", "bc"}, false},
		{"empty part", []string{"a"}, []string{"a", ""}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sub(7, tc.a...) == Sub(7, tc.b...); got != tc.same {
				t.Errorf("Sub(7, %q) == Sub(7, %q) is %v, want %v", tc.a, tc.b, got, tc.same)
			}
		})
	}
	// A fixed value: the streams of every stored result depend on it.
	if got, want := Sub(1, "init", "conv1"), Sub(1, "init", "conv1"); got != want {
		t.Fatal("Sub is not deterministic")
	}
	if Sub(1) == Sub(2) {
		t.Error("seeds 1 and 2 give the same stream")
	}
}

func TestRandDeterministic(t *testing.T) {
	a, b := Rand(42, "x"), Rand(42, "x")
	for i := 0; i < 10; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("two Rand streams of one path differ")
		}
	}
}
