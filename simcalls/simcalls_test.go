package simcalls

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skybias/skybias/analysis"
)

// TestCoverage holds the verdict's 95% interval to 93-97% coverage of the
// true interaction at 3, 5 and 10 networks a side in every regime of
// Regimes (the README's table): no training noise (a null study, where
// an estimator that floors the networks' own part at 0 over-covered),
// the network-by-galaxy interaction dominating (where counting it twice
// over-covered), training noise dominating, unequal between the sides,
// and a true effect. Fixed seeds: the numbers are the same on every run.
func TestCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("coverage simulation: half a minute of work")
	}
	for _, m := range Regimes() {
		got, err := Run(context.Background(), m, 2000, 7)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("react SD %g/%g, effect %g, %d networks", m.ReactSD, m.BaselineReactSD, m.Effect, m.Networks)
		if got.Rate.Rate < 0.93 || got.Rate.Rate > 0.97 {
			t.Errorf("%s: coverage %v, want 0.93-0.97", name, got.Rate)
		}
		// With a true effect, the variance model's power must predict how
		// often the interval excludes zero, within 0.05.
		if m.Effect != 0 && math.Abs(got.Power-got.Detected.Rate) > 0.05 {
			t.Errorf("%s: model power %.3f against the simulated rate %v", name, got.Power, got.Detected)
		}
	}
}

// TestDoubledOverCovers shows what the old estimator did where the
// interaction dominates: its interval, with the interaction counted
// twice, covers far more than 95% (a verdict too slow to call a shift).
func TestDoubledOverCovers(t *testing.T) {
	m := Model{Networks: 10, Galaxies: 300, Accuracy: 0.9, GalaxySD: 0.8, CallSD: 0.5, LeanSD: 0.1, ReactSD: 0.02}
	got, err := Run(context.Background(), m, 1000, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got.Doubled.Rate <= 0.975 || got.Doubled.Rate <= got.Rate.Rate {
		t.Errorf("doubled interaction: coverage %v against %v, want above 0.975 and above the right one", got.Doubled, got.Rate)
	}
}

// TestTruth checks the closed form of the true interaction against the
// mean estimate of four large constructed studies (SE of the mean about
// 0.0008).
func TestTruth(t *testing.T) {
	m := Model{Networks: 400, Galaxies: 3000, Accuracy: 0.85, GalaxySD: 0.7, CallSD: 0.5, LeanSD: 0.1, ReactSD: 0.05, Effect: 0.3}
	truth := m.Truth()
	if truth < 0.05 || truth > 0.15 {
		t.Fatalf("truth %.4f: a latent pull of 0.3 at accuracy 0.85 should move p(spiral) by 0.05-0.15", truth)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lay := [2]*analysis.Calls{m.calls("S"), m.calls("E")}
	var sum float64
	for r := 0; r < 4; r++ {
		s := m.draw(rng, lay)
		e, err := analysis.Interaction(s.xs, s.xe, s.bs, s.be)
		if err != nil {
			t.Fatal(err)
		}
		sum += e.Estimate
	}
	if got := sum / 4; math.Abs(got-truth) > 0.003 {
		t.Errorf("mean estimate %.4f, closed-form truth %.4f", got, truth)
	}
}

func TestModelChecks(t *testing.T) {
	for _, c := range []struct {
		name string
		m    Model
		want string
	}{
		{"no networks", Model{Galaxies: 10, Accuracy: 0.9, CallSD: 1}, "networks"},
		{"accuracy 1", Model{Networks: 3, Galaxies: 10, Accuracy: 1, CallSD: 1}, "accuracy"},
		{"no spread", Model{Networks: 3, Galaxies: 10, Accuracy: 0.9}, "standard deviation"},
	} {
		_, err := Run(context.Background(), c.m, 10, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
	if math.IsNaN(Model{Networks: 3, Galaxies: 10, Accuracy: 0.9, CallSD: 1}.Truth()) {
		t.Error("truth is NaN")
	}
}
