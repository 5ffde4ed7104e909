package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// byteSize is a flag value in bytes written as a number with an optional
// unit: 0, 512MB, 1.5GB, 256MiB, 2G (G and GB are 1e9, GiB 2^30).
type byteSize int64

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12}, {"b", 1},
}

// parseSize reads a byte size; negative, fractional-byte, not-a-number
// and over-large sizes are errors.
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit (512MB, 1.5GB, 256MiB)", s)
	}
	b := v * mult
	if b < 0 {
		return 0, fmt.Errorf("size %q is negative", s)
	}
	if b > 1<<50 {
		return 0, fmt.Errorf("size %q is larger than a petabyte", s)
	}
	return int64(math.Round(b)), nil
}

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

// Set parses a flag's value.
func (b *byteSize) Set(s string) error {
	v, err := parseSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(v)
	return nil
}
