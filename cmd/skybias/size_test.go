package main

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"0", 0, false},
		{"256MB", 256e6, false},
		{"256MiB", 256 << 20, false},
		{"1.5GB", 1.5e9, false},
		{"2g", 2e9, false},
		{" 64 kib ", 64 << 10, false},
		{"100", 100, false},
		{"12b", 12, false},
		{"-1MB", 0, true},
		{"lots", 0, true},
		{"NaN", 0, true},
		{"Inf", 0, true},
		{"1e20", 0, true},
		{"", 0, true},
		{"MB", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSize(tc.in)
			if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
				t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.bad)
			}
		})
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "256MB", "1.5GiB", "-3", "x", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseSize(s)
		if err == nil && (v < 0 || v > 1<<50) {
			t.Fatalf("parseSize(%q) = %d without an error", s, v)
		}
	})
}
