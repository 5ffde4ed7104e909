package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// world makes test sets whose galaxies a network calls spiral with a
// probability that depends on the true class, the field, the network's
// own lean and its own reaction to the field.
type world struct {
	rng *rand.Rand
	n   int // galaxies per class and field
}

// calls simulates networks on the galaxies of one field: base[c] is the
// chance a true-class-c galaxy is called spiral; shift is added for every
// network; lean[m] is network m's own offset.
func (w world) calls(field string, base [2]float64, shift float64, lean []float64) *Calls {
	c := &Calls{}
	for k := 0; k < 2; k++ {
		for i := 0; i < w.n; i++ {
			c.IDs = append(c.IDs, fmt.Sprintf("%s-%d-%d", field, k, i))
			c.Class = append(c.Class, k)
		}
	}
	c.Spiral = make([][]bool, len(lean))
	// A galaxy's own difficulty is shared by every network.
	u := make([]float64, len(c.IDs))
	for i := range u {
		u[i] = w.rng.Float64()
	}
	for m := range lean {
		c.Spiral[m] = make([]bool, len(c.IDs))
		for i, k := range c.Class {
			p := base[k] + shift + lean[m]
			// The shared difficulty decides 70% of the calls, the
			// network's own chance the rest (still uniform).
			v := u[i]
			if w.rng.Float64() < 0.3 {
				v = w.rng.Float64()
			}
			c.Spiral[m][i] = v < p
		}
	}
	return c
}

func leans(rng *rand.Rand, n int, sd float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = sd * rng.NormFloat64()
	}
	return out
}

func TestInteractionRecoversEffect(t *testing.T) {
	for _, c := range []struct {
		name       string
		bias       float64 // the design's pull on each field
		difficulty float64 // how much worse every network does on field E
		networks   int
	}{
		{"no bias, equal fields", 0, 0, 4},
		{"no bias, hard field", 0, 0.15, 4},
		{"bias 0.1", 0.05, 0, 4},
		{"bias 0.2 on a hard field", 0.10, 0.15, 4},
		{"bias, single networks", 0.10, 0.1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			w := world{rng: rng, n: 4000}
			easy, hard := [2]float64{0.1, 0.9}, [2]float64{0.1 + c.difficulty, 0.9 - c.difficulty}
			lx, lb := leans(rng, c.networks, 0.01), leans(rng, c.networks, 0.01)
			xs := w.calls("S", easy, c.bias, lx)
			xe := w.calls("E", hard, -c.bias, lx)
			bs := w.calls("S", easy, 0, lb)
			be := w.calls("E", hard, 0, lb)
			bs.IDs, be.IDs = xs.IDs, xe.IDs // the same galaxies
			e, err := Interaction(xs, xe, bs, be)
			if err != nil {
				t.Fatal(err)
			}
			want := 2 * c.bias
			if math.Abs(e.Estimate-want) > 0.02 {
				t.Errorf("effect %.4f, want %.4f", e.Estimate, want)
			}
			if e.Lo > want || e.Hi < want {
				t.Errorf("interval [%.4f, %.4f] misses %.4f", e.Lo, e.Hi, want)
			}
			if e.Training != (c.networks > 1) {
				t.Errorf("Training = %v with %d networks a side", e.Training, c.networks)
			}
			if c.bias == 0 && e.P < 0.01 {
				t.Errorf("no effect, but P = %g", e.P)
			}
			if c.bias > 0 && e.P > 1e-5 {
				t.Errorf("effect %.3f with P = %g: too weak", e.Estimate, e.P)
			}
		})
	}
}

// TestInteractionCoverage checks the interval's coverage where networks
// differ in how they react to a hard field (training noise in the
// interaction itself): over 400 simulated null comparisons with four
// networks a side, the 95% interval must hold zero at least 93% of the
// time. An interval of test sampling only would not.
func TestInteractionCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w := world{rng: rng, n: 200}
	const sims = 400
	miss, missTestOnly := 0, 0
	for s := 0; s < sims; s++ {
		easy, hard := [2]float64{0.2, 0.8}, [2]float64{0.3, 0.7}
		react := func() []float64 { return leans(rng, 4, 0.04) } // per-network reaction to field E
		lx, lb := leans(rng, 4, 0.05), leans(rng, 4, 0.05)
		rx, rb := react(), react()
		xs, bs := w.calls("S", easy, 0, lx), w.calls("S", easy, 0, lb)
		ex := make([]float64, 4)
		eb := make([]float64, 4)
		for m := range ex {
			ex[m], eb[m] = lx[m]+rx[m], lb[m]+rb[m]
		}
		xe, be := w.calls("E", hard, 0, ex), w.calls("E", hard, 0, eb)
		bs.IDs, be.IDs = xs.IDs, xe.IDs
		e, err := Interaction(xs, xe, bs, be)
		if err != nil {
			t.Fatal(err)
		}
		if e.Lo > 0 || e.Hi < 0 {
			miss++
		}
		if math.Abs(e.Estimate) > 1.96*math.Sqrt(e.VarTest) {
			missTestOnly++
		}
	}
	if miss > sims*7/100 {
		t.Errorf("the 95%% interval missed 0 in %d of %d null comparisons", miss, sims)
	}
	if missTestOnly < sims*10/100 {
		t.Errorf("a test-sampling-only interval missed 0 in only %d of %d: the simulation has no training noise to test", missTestOnly, sims)
	}
	t.Logf("interval missed 0 in %d of %d; test sampling alone would miss %d", miss, sims, missTestOnly)
}

func TestPairedShiftSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w := world{rng: rng, n: 3000}
	base := [2]float64{0.2, 0.8}
	x := w.calls("T", base, -0.1, leans(rng, 3, 0.005)) // fewer spirals
	b := w.calls("T", base, 0, leans(rng, 3, 0.005))
	b.IDs = x.IDs
	e, err := PairedShift(x, b, -1) // the elliptical field: fewer spirals is the bias
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.Estimate-0.1) > 0.02 || e.P > 1e-5 {
		t.Errorf("shift %.4f (P %g), want +0.1", e.Estimate, e.P)
	}
	if _, err := PairedShift(x, b, 0); err == nil {
		t.Error("sign 0 accepted")
	}
	other := w.calls("U", base, 0, leans(rng, 3, 0))
	if _, err := PairedShift(x, other, 1); err == nil {
		t.Error("different galaxies accepted")
	}
}

func TestOverRepeats(t *testing.T) {
	es := []Effect{{Estimate: 0.1}, {Estimate: 0.2}, {Estimate: 0.3}}
	e, err := OverRepeats(es)
	if err != nil {
		t.Fatal(err)
	}
	// mean 0.2, sd 0.1, se 0.0577, t(0.975, 2) = 4.302653.
	if math.Abs(e.Estimate-0.2) > 1e-12 || math.Abs(e.Hi-(0.2+4.302652729749464*0.1/math.Sqrt(3))) > 1e-6 {
		t.Errorf("got %+v", e)
	}
	if _, err := OverRepeats(nil); err == nil {
		t.Error("no repeats accepted")
	}
}

func TestDecide(t *testing.T) {
	es := []Effect{{Estimate: 0.2, P: 0.001}, {Estimate: -0.2, P: 0.004}, {Estimate: 0.1, P: 0.03}, {Estimate: 0.1, P: 0.5}}
	d := Decide(es, 0.05)
	want := []Verdict{ShiftFound, Reverse, NoShift, NoShift} // Holm: 0.004, 0.012, 0.06, 0.5
	for i := range want {
		if d[i].Verdict != want[i] {
			t.Errorf("comparison %d: %v (P %g, Holm %g), want %v", i, d[i].Verdict, d[i].P, d[i].PHolm, want[i])
		}
	}
}

func TestPaperStatements(t *testing.T) {
	pub := map[int]Confusion{
		3: {{7850, 150}, {756, 7244}}, 4: {{7699, 301}, {450, 7550}}, 6: {{7749, 251}, {408, 7592}}, 7: {{7791, 209}, {462, 7538}},
		12: {{2704, 296}, {31, 2969}}, 13: {{2891, 109}, {85, 2915}}, 14: {{2933, 67}, {495, 2505}}, 15: {{2837, 163}, {154, 2846}},
	}
	st, err := PaperStatements(pub)
	if err != nil {
		t.Fatal(err)
	}
	// The paper's printed P values (section 4), to three figures.
	want := map[int]float64{3: 6.22e-13, 7: 7.20e-09, 13: 1.19e-38, 15: 1.00e-81}
	for _, s := range st {
		w := want[s.Table]
		if got := s.PPrinted; math.Abs(got-w)/w > 0.005 {
			t.Errorf("Table %d vs %d: P = %.3g, the paper printed %.3g", s.Table, s.Against, got, w)
		}
	}
	if len(st) != 4 {
		t.Errorf("%d statements, want 4", len(st))
	}
	delete(pub, 14)
	if _, err := PaperStatements(pub); err == nil {
		t.Error("missing table accepted")
	}
}

func TestRate(t *testing.T) {
	r := NewRate(3, 100)
	if r.Rate != 0.03 || math.Abs(r.Hi-0.08517605297428003) > 1e-9 {
		t.Errorf("got %+v", r)
	}
}

func TestParseVerdict(t *testing.T) {
	for _, v := range []Verdict{NoShift, ShiftFound, Reverse} {
		if got, ok := ParseVerdict(v.String()); !ok || got != v {
			t.Errorf("%q reads back as %v, %v", v.String(), got, ok)
		}
	}
	if _, ok := ParseVerdict("**shift**"); ok {
		t.Error("a Markdown-decorated word reads as a verdict")
	}
}
