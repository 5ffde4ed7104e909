package featprobe

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// data draws n images per region and class with d features; the first
// feature moves by shift between the regions.
func data(seed uint64, n, d int, shift float64) ([][]float64, []int, []int) {
	r := rand.New(rand.NewPCG(seed, 9))
	var x [][]float64
	var region, class []int
	for g := range 2 {
		for c := range 2 {
			for range n {
				row := make([]float64, d)
				for j := range row {
					row[j] = r.NormFloat64() + float64(c)*0.5
				}
				row[0] += shift * float64(g)
				x, region, class = append(x, row), append(region, g), append(class, c)
			}
		}
	}
	return x, region, class
}

func TestRun(t *testing.T) {
	for _, c := range []struct {
		name          string
		shift         float64
		detected      bool
		learned       bool
		lowAcc, hiAcc float64
	}{
		{"region in the features", 1.5, true, true, 0.7, 0.9},
		{"no region", 0, false, true, 0.35, 0.65},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, g, cl := data(1, 150, 16, c.shift)
			r, err := Run(x, g, cl, Options{Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if r.Detected != c.detected || r.Learning.Learned != c.learned {
				t.Errorf("detected %v learned %v (%s), want %v %v", r.Detected, r.Learning.Learned, r.Learning.Why, c.detected, c.learned)
			}
			if a := r.Outcome.Accuracy; a < c.lowAcc || a > c.hiAcc || r.Outcome.Lo > a || r.Outcome.Hi < a {
				t.Errorf("held-out accuracy %.3f [%.3f, %.3f], want in [%.2f, %.2f]", a, r.Outcome.Lo, r.Outcome.Hi, c.lowAcc, c.hiAcc)
			}
			if r.Train+r.HeldOut != len(x) || r.Train != r.HeldOut {
				t.Errorf("split %d + %d of %d", r.Train, r.HeldOut, len(x))
			}
		})
	}
}

// TestFalseDetections holds the rate at which features without a region
// are called "detected" near the interval's one-sided 2.5%: not 0 (an
// interval too wide) and not above 6%, over 300 data sets.
func TestFalseDetections(t *testing.T) {
	if testing.Short() {
		t.Skip("300 fits")
	}
	calls := 0
	const n = 300
	for s := range uint64(n) {
		x, g, cl := data(100+s, 60, 8, 0)
		r, err := Run(x, g, cl, Options{Seed: s})
		if err != nil {
			t.Fatal(err)
		}
		if r.Detected {
			calls++
		}
	}
	if rate := float64(calls) / n; rate > 0.06 || calls == 0 {
		t.Errorf("%d of %d null data sets called detected (rate %.3f, want about 0.025)", calls, n, rate)
	}
}

func TestRunRefuses(t *testing.T) {
	x, g, cl := data(1, 10, 4, 0)
	flat := make([][]float64, len(x))
	for i := range flat {
		flat[i] = []float64{1, 2}
	}
	wide := [][]float64{make([]float64, MaxFeatures+1)}
	for _, c := range []struct {
		name string
		x    [][]float64
		g    []int
		want string
	}{
		{"mismatch", x[:5], g, "5 feature rows"},
		{"too few", x[:4], g[:4], "at least 8"},
		{"too wide", wide, g[:1], "at least 8"},
		{"bad region", x, append(append([]int{}, g[:len(g)-1]...), 2), "region 2"},
	} {
		_, err := Run(c.x, c.g, cl[:len(c.g)], Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	r, err := Run(flat, g, cl, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Learning.Learned || r.Detected {
		t.Errorf("constant features: learned %v detected %v", r.Learning.Learned, r.Detected)
	}
}

func TestChannelMeans(t *testing.T) {
	got := ChannelMeans([]float32{1, 2, 3, 4, 10, 20, 30, 40}, 2)
	if got[0] != 2.5 || got[1] != 25 {
		t.Errorf("%v", got)
	}
}
