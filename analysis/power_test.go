package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skybias/skybias/stats"
)

func TestPower(t *testing.T) {
	for _, c := range []struct {
		name                 string
		se, df, delta, alpha float64
		lo, hi               float64
	}{
		{"no effect is the test's size", 0.01, math.Inf(1), 0, 0.05, 0.0499, 0.0501},
		{"effect at the critical value: about half", 0.01, math.Inf(1), 0.0196, 0.05, 0.49, 0.51},
		{"effect of 2.8 SE: about 80%", 0.01, math.Inf(1), 0.028, 0.05, 0.79, 0.81},
		{"few degrees of freedom cost power", 0.01, 4, 0.028, 0.05, 0.3, 0.6},
		{"a stricter level costs power", 0.01, math.Inf(1), 0.028, 0.005, 0.4, 0.6},
		{"huge effect", 0.01, 10, 1, 0.05, 0.999, 1},
	} {
		got := Power(c.se, c.df, c.delta, c.alpha)
		if got < c.lo || got > c.hi {
			t.Errorf("%s: power %.4f, want %.3f-%.3f", c.name, got, c.lo, c.hi)
		}
	}
}

func TestProject(t *testing.T) {
	e := Effect{Kind: "interaction", NX: 3, NB: 3, Galaxies: 4000, VarTest: 4e-5, VarShared: 1e-5, VarTrain: 6e-5, VarGalaxy: 3e-5}
	e.SE = math.Sqrt(e.VarTest + e.VarTrain)
	se, _ := e.Project(3, 4000)
	if math.Abs(se-e.SE) > 1e-12 {
		t.Errorf("projected to its own size: SE %g, want %g", se, e.SE)
	}
	// Twice the networks halve the network part and the interaction.
	se2, df2 := e.Project(6, 4000)
	want := math.Sqrt(3e-5 + 3e-5 + 0.5e-5)
	if math.Abs(se2-want) > 1e-12 || df2 <= 0 {
		t.Errorf("6 networks: SE %g (df %g), want %g", se2, df2, want)
	}
	// More galaxies shrink only the test part: the SE tends to the
	// network part's.
	se3, _ := e.Project(3, 1<<30)
	if math.Abs(se3-math.Sqrt(6e-5)) > 1e-6 {
		t.Errorf("unlimited galaxies: SE %g, want the network part's %g", se3, math.Sqrt(6e-5))
	}
}

// TestProjectMatchesOwnDF: an effect from real calls, projected to its
// own networks and galaxies, keeps its SE and about its degrees of
// freedom, so its power and the test size it needs agree.
func TestProjectMatchesOwnDF(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w := world{rng: rng, n: 1000}
	easy := [2]float64{0.1, 0.9}
	lx, lb := leans(rng, 3, 0.03), leans(rng, 3, 0.03)
	e, err := Interaction(w.calls("S", easy, 0.01, lx), w.calls("E", easy, -0.01, lx), w.calls("S", easy, 0, lb), w.calls("E", easy, 0, lb))
	if err != nil {
		t.Fatal(err)
	}
	se, df := e.Project(e.NX, e.Galaxies)
	q := func(df float64) float64 { return stats.StudentTQuantile(0.975, df) }
	if math.Abs(se-e.SE) > 1e-12 || math.Abs(q(df)-q(e.DF)) > 0.01 {
		t.Errorf("projected to its own size: SE %g df %g; the effect's SE %g df %g", se, df, e.SE, e.DF)
	}
	if g := e.GalaxiesFor(0.035, 0.05, Power(e.SE, e.DF, 0.035, 0.05)+0.01); g != 0 && g <= e.Galaxies {
		t.Errorf("more power than it has needs %d galaxies, no more than its own %d", g, e.Galaxies)
	}
}

func TestGalaxiesFor(t *testing.T) {
	e := Effect{Kind: "interaction", NX: 3, NB: 3, Galaxies: 4000, VarTest: 4e-4, VarShared: 1e-5, VarTrain: 1e-6, VarGalaxy: 3.9e-4}
	e.SE = math.Sqrt(e.VarTest + e.VarTrain)
	g := e.GalaxiesFor(0.035, 0.05, 0.8)
	if g <= 4000 {
		t.Fatalf("galaxies for 80%%: %d, want more than the 4000 that give an SE of 0.02", g)
	}
	se, df := e.Project(3, g)
	if p := Power(se, df, 0.035, 0.05); p < 0.8 {
		t.Errorf("at %d galaxies the power is %.3f, want >= 0.8", g, p)
	}
	se, df = e.Project(3, g-1)
	if p := Power(se, df, 0.035, 0.05); p >= 0.8 {
		t.Errorf("%d galaxies already reach %.3f: not the least", g-1, p)
	}
	// Where the networks' own spread alone keeps the power low, no
	// test size helps.
	noisy := e
	noisy.VarTrain = 4e-4
	noisy.SE = math.Sqrt(noisy.VarTest + noisy.VarTrain)
	if g := noisy.GalaxiesFor(0.035, 0.05, 0.8); g != 0 {
		t.Errorf("noisy networks: %d galaxies, want 0 (none suffices)", g)
	}
}

// TestProportionBounds: a fraction's interval stays inside (0, 1) with
// two networks (one degree of freedom), and is close to the t interval
// where that interval is well inside.
func TestProportionBounds(t *testing.T) {
	few := Effect{Estimate: 0.22, SE: 0.14, DF: 1, Galaxies: 2000}
	few.ProportionBounds()
	if !(few.Lo > 0 && few.Hi < 1 && few.Lo < 0.22 && few.Hi > 0.22) {
		t.Errorf("two networks: [%g, %g], want inside (0, 1) around 0.22", few.Lo, few.Hi)
	}
	many := Effect{Estimate: 0.5, SE: 0.01, DF: 50, Galaxies: 2000}
	many.ProportionBounds()
	if math.Abs(many.Lo-(0.5-2.009*0.01)) > 0.001 || math.Abs(many.Hi-(0.5+2.009*0.01)) > 0.001 {
		t.Errorf("a fraction near 1/2: [%g, %g], want about the t interval 0.5 +- 0.020", many.Lo, many.Hi)
	}
	zero := Effect{Estimate: 0, SE: 0.01, DF: 10, Galaxies: 1000}
	zero.ProportionBounds()
	if zero.Lo < 0 || zero.Hi > 1 || zero.Hi < zero.Lo {
		t.Errorf("a fraction of 0: [%g, %g]", zero.Lo, zero.Hi)
	}
}

// TestRepeatsFor holds the repeats a repeated study needs to the power
// its own t test gives at that number, and to the smallest such number.
func TestRepeatsFor(t *testing.T) {
	for _, c := range []struct {
		sd    float64
		want0 bool
	}{{0.02, false}, {0.05, false}, {0.5, false}, {50, true}} {
		e := Effect{Kind: "repeats", Repeats: 10, SE: c.sd / math.Sqrt(10), DF: 9}
		r := e.RepeatsFor(ReferenceEffect, 0.05, 0.8)
		if c.want0 {
			if r != 0 {
				t.Errorf("sd %v: %d repeats, want none", c.sd, r)
			}
			continue
		}
		at := func(n int) float64 { return Power(c.sd/math.Sqrt(float64(n)), float64(n-1), ReferenceEffect, 0.05) }
		if r < 2 || at(r) < 0.8 || (r > 2 && at(r-1) >= 0.8) {
			t.Errorf("sd %v: %d repeats (power %.3f there, %.3f one fewer)", c.sd, r, at(r), at(r-1))
		}
	}
	if (Effect{Kind: "interaction", SE: 0.01}).RepeatsFor(ReferenceEffect, 0.05, 0.8) != 0 {
		t.Error("an effect of one repeat has no repeats to scale")
	}
}
