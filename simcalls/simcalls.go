package simcalls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"text/tabwriter"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/stats"
)

// Model describes one constructed study: a compared and a baseline side,
// each with its own networks, tested on the same galaxies of two fields
// (S gave the compared side's training spirals, E its ellipticals).
// Network m of a side calls galaxy i of true class k on field f spiral
// when mu_k + lean_m + react_mf + g_i + e_mi + effect_f > 0, every part
// normal with mean 0 but mu_k: lean_m is the network's lean towards
// spiral on both fields (it cancels in the interaction), react_mf its own
// reaction to field f (the interaction's training noise), g_i the
// galaxy's difficulty (shared by every network of both sides), e_mi the
// network-by-galaxy interaction, and effect_f = +Effect/2 on S and
// -Effect/2 on E for the compared side only. mu_k is set so that a
// typical network's accuracy on each class is Accuracy.
type Model struct {
	// Networks on each side.
	Networks int
	// Galaxies per true class and field.
	Galaxies int
	// Accuracy is a typical network's accuracy on each class.
	Accuracy float64
	// GalaxySD, CallSD, LeanSD and ReactSD are the standard deviations
	// of g, e, lean and react, in units of the latent score.
	GalaxySD, CallSD, LeanSD, ReactSD float64
	// BaselineReactSD is the baseline side's ReactSD where it differs
	// (0: the same as the compared side's).
	BaselineReactSD float64
	// Effect is the design's pull on the latent score (see Truth for
	// the interaction it makes in p(spiral)).
	Effect float64
}

func (m Model) check() error {
	if m.Networks < 1 || m.Galaxies < 2 {
		return fmt.Errorf("model: %d networks and %d galaxies per class and field (want >= 1 and >= 2)", m.Networks, m.Galaxies)
	}
	if !(m.Accuracy > 0.5 && m.Accuracy < 1) {
		return fmt.Errorf("model: accuracy %g (want between 0.5 and 1)", m.Accuracy)
	}
	if m.sd() == 0 {
		return errors.New("model: every standard deviation is 0")
	}
	return nil
}

// sd is the latent score's total spread around mu_k.
func (m Model) sd() float64 {
	return math.Sqrt(m.GalaxySD*m.GalaxySD + m.CallSD*m.CallSD + m.LeanSD*m.LeanSD + m.ReactSD*m.ReactSD)
}

// mu is the mean latent score of a spiral (an elliptical's is -mu).
func (m Model) mu() float64 { return m.sd() * math.Sqrt2 * math.Erfinv(2*m.Accuracy-1) }

func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Truth is the true design-by-field interaction in p(spiral): over
// networks and galaxies, the compared side's p(spiral) on S minus that on
// E, within class and averaged over the two classes (equal counts), less
// the baseline's (zero: its fields are alike).
func (m Model) Truth() float64 {
	s, mu, h := m.sd(), m.mu(), m.Effect/2
	return 0.5 * ((phi((mu+h)/s) - phi((mu-h)/s)) + (phi((-mu+h)/s) - phi((-mu-h)/s)))
}

// study is the calls of one constructed study.
type study struct{ xs, xe, bs, be *analysis.Calls }

// calls lays out the galaxies of one field (the same IDs and classes for
// both sides).
func (m Model) calls(field string) *analysis.Calls {
	c := &analysis.Calls{}
	for k := 0; k < 2; k++ {
		for i := 0; i < m.Galaxies; i++ {
			c.IDs = append(c.IDs, field+strconv.Itoa(k)+"-"+strconv.Itoa(i))
			c.Class = append(c.Class, k)
		}
	}
	return c
}

// draw constructs one study.
func (m Model) draw(rng *rand.Rand, lay [2]*analysis.Calls) study {
	mu := m.mu()
	var g [2][]float64 // each galaxy's mean score, shared by both sides
	for f := range g {
		g[f] = make([]float64, len(lay[f].IDs))
		for i, k := range lay[f].Class {
			g[f][i] = float64(2*k-1)*mu + m.GalaxySD*rng.NormFloat64()
		}
	}
	side := func(effect, reactSD float64) [2]*analysis.Calls {
		var out [2]*analysis.Calls
		for f := range out {
			out[f] = &analysis.Calls{IDs: lay[f].IDs, Class: lay[f].Class, Spiral: make([][]bool, m.Networks)}
		}
		for n := 0; n < m.Networks; n++ {
			lean := m.LeanSD * rng.NormFloat64()
			for f, sign := range [2]float64{1, -1} {
				shift := lean + reactSD*rng.NormFloat64() + sign*effect/2
				s := make([]bool, len(lay[f].IDs))
				for i := range s {
					s[i] = g[f][i]+shift+m.CallSD*rng.NormFloat64() > 0
				}
				out[f].Spiral[n] = s
			}
		}
		return out
	}
	rb := m.ReactSD
	if m.BaselineReactSD > 0 {
		rb = m.BaselineReactSD
	}
	x, b := side(m.Effect, m.ReactSD), side(0, rb)
	return study{x[0], x[1], b[0], b[1]}
}

// Coverage is how often the interval of constructed studies covered their
// true effect.
type Coverage struct {
	Model Model
	// Truth is the true interaction in p(spiral) (Model.Truth).
	Truth float64
	// Covered of Repeats intervals held Truth: Rate with its exact 95%
	// interval.
	Rate analysis.Rate
	// Doubled is the same with the network-by-galaxy interaction counted
	// twice (the estimator skybias used before): too wide.
	Doubled analysis.Rate
	// HalfWidth is the mean half-width of the 95% interval; DF the mean
	// degrees of freedom.
	HalfWidth, DF float64
	// Detected counts intervals that excluded zero (the power where
	// Effect is not zero, the false-positive rate where it is).
	Detected analysis.Rate
	// Power is analysis.Power at the true effect from the studies' mean
	// variance and mean degrees of freedom: what the variance model
	// predicts Detected to be.
	Power float64
}

// Run constructs repeats studies from seed and measures the coverage of
// analysis.Interaction's 95% interval of the true interaction.
// It stops with ctx's error when ctx is done.
func Run(ctx context.Context, m Model, repeats int, seed uint64) (Coverage, error) {
	if err := m.check(); err != nil {
		return Coverage{}, err
	}
	if repeats < 1 {
		return Coverage{}, errors.New("coverage: no repeats")
	}
	rng := rand.New(rand.NewPCG(seed, uint64(m.Networks)))
	lay := [2]*analysis.Calls{m.calls("S"), m.calls("E")}
	truth := m.Truth()
	var covered, doubled, detected int
	var hw, df, v float64
	for r := 0; r < repeats; r++ {
		if err := ctx.Err(); err != nil {
			return Coverage{}, fmt.Errorf("coverage: stopped after %d of %d studies: %w", r, repeats, err)
		}
		s := m.draw(rng, lay)
		e, err := analysis.Interaction(s.xs, s.xe, s.bs, s.be)
		if err != nil {
			return Coverage{}, fmt.Errorf("coverage: repeat %d: %w", r, err)
		}
		if e.Lo <= truth && truth <= e.Hi {
			covered++
		}
		if e.Lo > 0 || e.Hi < 0 {
			detected++
		}
		// The old estimator: the interaction in both parts, the
		// Welch-Satterthwaite degrees of freedom of its two parts.
		vOld := e.VarTest + e.VarTrain + e.VarShared
		q := stats.StudentTQuantile(1-(1-analysis.Level)/2, oldDF(e, m.Networks))
		if math.Abs(e.Estimate-truth) <= q*math.Sqrt(vOld) {
			doubled++
		}
		v += e.SE * e.SE
		hw += (e.Hi - e.Lo) / 2
		df += math.Min(e.DF, 1e6)
	}
	return Coverage{
		Model: m, Truth: truth, Rate: analysis.NewRate(covered, repeats), Doubled: analysis.NewRate(doubled, repeats),
		HalfWidth: hw / float64(repeats), DF: df / float64(repeats), Detected: analysis.NewRate(detected, repeats),
		Power: analysis.Power(math.Sqrt(v/float64(repeats)), df/float64(repeats), truth, 1-analysis.Level),
	}, nil
}

// oldDF is the degrees of freedom the old estimator gave: its training
// part (the per-network spread, interaction included) split evenly
// between two sides of networks each, the test part infinite.
func oldDF(e analysis.Effect, networks int) float64 {
	if networks < 2 {
		return math.Inf(1)
	}
	tr := (e.VarTrain + e.VarShared) / 2 // per side
	v := e.VarTest + 2*tr
	den := 2 * tr * tr / float64(networks-1)
	if den == 0 {
		return math.Inf(1)
	}
	return v * v / den
}

// Regimes are the constructed studies whose coverage the README quotes
// and simcalls.TestCoverage holds to 0.93-0.97: quick-profile sizes
// (1,000 test galaxies per class and field, accuracy 0.9), with no
// training noise (a null study's case: the networks' own part nil),
// small, large, and unequal between the two sides, and a true effect,
// each at 3, 5 and 10 networks a side.
func Regimes() []Model {
	base := Model{Galaxies: 1000, Accuracy: 0.9, GalaxySD: 0.8, CallSD: 0.5, LeanSD: 0.1}
	var out []Model
	for _, v := range []struct{ react, baseline, effect float64 }{
		{0, 0, 0}, {0.03, 0, 0}, {0.15, 0, 0}, {0.15, 0.075, 0}, {0.08, 0, 0.2},
	} {
		for _, n := range []int{3, 5, 10} {
			m := base
			m.Networks, m.ReactSD, m.BaselineReactSD, m.Effect = n, v.react, v.baseline, v.effect
			out = append(out, m)
		}
	}
	return out
}

// WriteTable writes coverages as a plain-text table, one row a model.
func WriteTable(w io.Writer, cs []Coverage) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "networks\treact SD (x; b)\ttrue effect\tcoverage [95% CI]\tcounted twice (old)\tmean half-width\tmean df\tcalled [95% CI]\tpower (model)")
	for _, c := range cs {
		m := c.Model
		rb := m.BaselineReactSD
		if rb == 0 {
			rb = m.ReactSD
		}
		fmt.Fprintf(tw, "%d\t%.3g; %.3g\t%+.4f\t%.3f [%.3f, %.3f]\t%.3f [%.3f, %.3f]\t%.4f\t%.1f\t%.3f [%.3f, %.3f]\t%.3f\n",
			m.Networks, m.ReactSD, rb, c.Truth, c.Rate.Rate, c.Rate.Lo, c.Rate.Hi,
			c.Doubled.Rate, c.Doubled.Lo, c.Doubled.Hi, c.HalfWidth, c.DF,
			c.Detected.Rate, c.Detected.Lo, c.Detected.Hi, c.Power)
	}
	return tw.Flush()
}
