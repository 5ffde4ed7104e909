package probe

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name     string
		pos, neg []float64
		want     float64
	}{
		{"separated", []float64{0.8, 0.9}, []float64{0.1, 0.2}, 1},
		{"reversed", []float64{0.1}, []float64{0.9, 0.8}, 0},
		{"all tied", []float64{0.5, 0.5}, []float64{0.5}, 0.5},
		{"one swap", []float64{0.3, 0.9}, []float64{0.4, 0.1}, 0.75},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AUC(tc.pos, tc.neg); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("AUC = %g, want %g", got, tc.want)
			}
		})
	}
}

func TestAssess(t *testing.T) {
	// 100 images a region; 80 of region 0 and 70 of region 1 named right.
	var labels []int
	var p []float64
	for i := 0; i < 100; i++ {
		labels, p = append(labels, 0), append(p, map[bool]float64{true: 0.2, false: 0.7}[i < 80])
		labels, p = append(labels, 1), append(p, map[bool]float64{true: 0.9, false: 0.4}[i < 70])
	}
	o, err := Assess(labels, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if o.Correct != 150 || o.N != 200 || math.Abs(o.Accuracy-0.75) > 1e-12 {
		t.Errorf("accuracy %g (%d of %d), want 0.75 (150 of 200)", o.Accuracy, o.Correct, o.N)
	}
	if o.Confusion != [2][2]int{{80, 20}, {30, 70}} {
		t.Errorf("confusion %v", o.Confusion)
	}
	if !(o.Lo < 0.75 && o.Hi > 0.75 && o.Hi-o.Lo < 0.15) {
		t.Errorf("interval [%g, %g]", o.Lo, o.Hi)
	}
	if o.P > 1e-10 {
		t.Errorf("P = %g for 150 of 200 against chance", o.P)
	}
	if !(o.AUCLo <= o.AUC && o.AUC <= o.AUCHi && o.AUCLo > 0.6) {
		t.Errorf("AUC %g [%g, %g]", o.AUC, o.AUCLo, o.AUCHi)
	}
	again, _ := Assess(labels, p, 1)
	if again != o {
		t.Error("Assess is not deterministic")
	}
	if _, err := Assess([]int{0, 0}, []float64{0.1, 0.2}, 1); err == nil {
		t.Error("one region only: want an error")
	}
}

// A guessing probe's interval covers 1/2 and its P is rarely small.
func TestAssessUnderTheNull(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	small, covered := 0, 0
	const reps = 100
	for k := 0; k < reps; k++ {
		labels := make([]int, 200)
		p := make([]float64, 200)
		for i := range labels {
			labels[i], p[i] = i%2, r.Float64()
		}
		o, err := Assess(labels, p, uint64(k))
		if err != nil {
			t.Fatal(err)
		}
		if o.P < 0.05 {
			small++
		}
		if o.Lo <= 0.5 && 0.5 <= o.Hi {
			covered++
		}
	}
	if small > 11 { // a 5% test: 5 expected, P(X > 11) < 0.005
		t.Errorf("P < 0.05 in %d of %d null runs", small, reps)
	}
	if covered < 88 { // 95% intervals: 95 expected
		t.Errorf("the interval covered 1/2 in %d of %d null runs", covered, reps)
	}
}

func TestLogisticSeparatesAShift(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var x [][]float64
	var y []int
	for i := 0; i < 400; i++ {
		l := i % 2
		x = append(x, []float64{r.NormFloat64() + 1.5*float64(l), r.NormFloat64(), 7}) // the third is constant
		y = append(y, l)
	}
	m, err := FitLogistic(x, y, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	if m.Weights[0] <= 0 || math.Abs(m.Weights[1]) > 0.5*m.Weights[0] || math.Abs(m.Weights[2]) > 1e-12 {
		t.Errorf("weights %v: want the first large and positive, the noise small, the constant 0", m.Weights)
	}
	if p := m.Predict([]float64{3, 0, 7}); p < 0.9 {
		t.Errorf("p(1 | x = 3) = %g", p)
	}
	// Separable data stay finite thanks to the ridge.
	sep, err := FitLogistic([][]float64{{0}, {1}, {2}, {3}}, []int{0, 0, 1, 1}, 1e-3)
	if err != nil || math.IsNaN(sep.Weights[0]) || math.IsInf(sep.Weights[0], 0) {
		t.Errorf("separable: %v, %v", sep, err)
	}
}

func TestFeatures(t *testing.T) {
	side := 16
	flat := make([]uint8, side*side*3)
	for i := range flat {
		flat[i] = 51 // 0.2
	}
	f := Features(flat, side)
	if len(f) != len(FeatureNames) {
		t.Fatalf("%d features, %d names", len(f), len(FeatureNames))
	}
	for i, want := range []float64{0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0, 0, 1} {
		if math.Abs(f[i]-want) > 1e-9 {
			t.Errorf("%s = %g on a flat image, want %g", FeatureNames[i], f[i], want)
		}
	}
	star := append([]uint8(nil), flat...)
	for c := 0; c < 3; c++ {
		star[3*(1*side+1)+c] = 255 // a bright pixel in the border
	}
	if g := Features(star, side); g[9] <= 0 || g[10] <= 0 {
		t.Errorf("a star in the border: stars %g, texture %g", g[9], g[10])
	}
}

func TestJudge(t *testing.T) {
	vary := []float64{0.2, 0.7, 0.4, 0.9}
	for _, c := range []struct {
		name    string
		p       []float64
		train   float64
		learned bool
		why     string
	}{
		{"constant output", []float64{0.3, 0.3, 0.3, 0.3}, 0.9, false, "same answer"},
		{"one region named for all", []float64{0.6, 0.7, 0.8, 0.99}, 0.9, false, "same side"},
		{"training set not learned", vary, 0.51, false, "training accuracy 0.510"},
		{"learned", vary, 0.8, true, ""},
		{"learned, training accuracy unknown", vary, math.NaN(), true, ""},
		{"no answers", nil, 0.9, false, "no held-out"},
	} {
		got := Judge(c.p, c.train)
		if got.Learned != c.learned || !strings.Contains(got.Why, c.why) {
			t.Errorf("%s: %+v, want learned %v and a reason with %q", c.name, got, c.learned, c.why)
		}
	}
}
