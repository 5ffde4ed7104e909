package analysis

import (
	"errors"
	"fmt"
	"math"

	"github.com/skybias/skybias/stats"
)

// Level is the confidence of the intervals printed beside each effect.
const Level = 0.95

// Calls is one test set as one or more networks saw it.
type Calls struct {
	// IDs and Class (0 elliptical, 1 spiral) describe the galaxies.
	IDs   []string
	Class []int
	// Spiral[m][i] says whether network m called galaxy i spiral.
	Spiral [][]bool
}

// Networks is how many networks the calls come from.
func (c *Calls) Networks() int { return len(c.Spiral) }

func (c *Calls) check(what string) error {
	if len(c.Spiral) == 0 {
		return fmt.Errorf("%s: no network's calls", what)
	}
	if len(c.Class) != len(c.IDs) {
		return fmt.Errorf("%s: %d galaxies but %d classes", what, len(c.IDs), len(c.Class))
	}
	for m, s := range c.Spiral {
		if len(s) != len(c.IDs) {
			return fmt.Errorf("%s: network %d has %d calls for %d galaxies", what, m+1, len(s), len(c.IDs))
		}
	}
	for i, k := range c.Class {
		if k != 0 && k != 1 {
			return fmt.Errorf("%s: galaxy %s has class %d (want 0 elliptical or 1 spiral)", what, c.IDs[i], k)
		}
	}
	return nil
}

// align returns b's calls in the order of a's galaxies, failing when the
// two do not hold the same galaxies with the same classes.
func align(a, b *Calls, what string) (*Calls, error) {
	if len(a.IDs) != len(b.IDs) {
		return nil, fmt.Errorf("%s: %d and %d test galaxies; a paired effect needs the same galaxies", what, len(a.IDs), len(b.IDs))
	}
	pos := make(map[string]int, len(b.IDs))
	for i, id := range b.IDs {
		pos[id] = i
	}
	out := &Calls{IDs: a.IDs, Class: a.Class, Spiral: make([][]bool, len(b.Spiral))}
	for m := range out.Spiral {
		out.Spiral[m] = make([]bool, len(a.IDs))
	}
	for i, id := range a.IDs {
		j, ok := pos[id]
		if !ok {
			return nil, fmt.Errorf("%s: galaxy %s is not in the baseline's test set (different seeds or regions?)", what, id)
		}
		if b.Class[j] != a.Class[i] {
			return nil, fmt.Errorf("%s: galaxy %s has class %d in one test set and %d in the other", what, id, a.Class[i], b.Class[j])
		}
		for m := range b.Spiral {
			out.Spiral[m][i] = b.Spiral[m][j]
		}
	}
	return out, nil
}

// Effect is the size of a training design's pull on its networks'
// answers, in units of the predicted spiral fraction, with its interval.
// A positive effect is the paper's bias: more galaxies called spiral in
// the field the training spirals came from, more called elliptical in the
// field the training ellipticals came from.
type Effect struct {
	// Kind is "interaction" (the design-by-field difference in
	// differences on two fields), "shift" (the paired shift on one field)
	// or "repeats" (the mean of per-repeat effects).
	Kind string
	// Estimate is the effect; SE its standard error; DF the degrees of
	// freedom of the t interval (+Inf when only test sampling counts).
	Estimate, SE, DF float64
	// Lo and Hi bound the 95% interval.
	Lo, Hi float64
	// P is two-sided: how often an effect this far from zero arises when
	// the design has none.
	P float64
	// NX and NB count the independently trained networks on each side
	// (ensemble members and repeats).
	NX, NB int
	// Repeats is the number of repeats combined (1 for one repeat).
	Repeats int
	// Galaxies is the number of test galaxies the effect is measured on.
	Galaxies int
	// Training reports whether the interval covers training noise (the
	// spread between networks trained alike) as well as test sampling;
	// false when a side has a single network.
	Training bool
	// VarTest and VarTrain split SE^2 into its test-sampling part (the
	// galaxies' own spread and the network-by-galaxy interaction) and its
	// training-noise part (the networks' own spread, the interaction taken
	// out), VarTest + VarTrain = SE^2.
	VarTest, VarTrain float64
	// VarShared is the network-by-galaxy interaction that the spread of
	// per-network values and the spread of per-galaxy mean calls both
	// contain; it is counted once in SE^2 (see Interaction). Adding it
	// again gives the variance an estimator that counts it twice would
	// report.
	VarShared float64
	// VarGalaxy is the galaxies' own part (the test part less the
	// interaction, at least 0); SE^2 - VarGalaxy is the per-network
	// spread (the networks' own part and the interaction once).
	VarGalaxy float64
}

// Noise says in words what the interval covers.
func (e Effect) Noise() string {
	switch {
	case e.Kind == "repeats":
		return "training and test sampling (spread over repeats)"
	case e.Training:
		return "training and test sampling"
	}
	return "test sampling only (one network on a side)"
}

// stratum is the galaxies of one test set and true class.
type stratum struct{ idx []int }

func byClass(c *Calls) [2]stratum {
	var s [2]stratum
	for i, k := range c.Class {
		s[k].idx = append(s[k].idx, i)
	}
	return s
}

// rate is the fraction of a stratum network m called spiral.
func rate(c *Calls, m int, s stratum) float64 {
	n := 0
	for _, i := range s.idx {
		if c.Spiral[m][i] {
			n++
		}
	}
	return float64(n) / float64(len(s.idx))
}

func meanCall(c *Calls, i int) float64 {
	n := 0
	for m := range c.Spiral {
		if c.Spiral[m][i] {
			n++
		}
	}
	return float64(n) / float64(len(c.Spiral))
}

// term is one stratum of an effect: the galaxies idx of one test set and
// true class, seen by the compared networks x and (aligned to x, so the
// same index is the same galaxy) by the baseline's networks b, or by no
// baseline (b nil). An effect is sum over terms of c times (x's mean rate
// on the stratum minus b's).
type term struct {
	x, b *Calls
	s    stratum
	c    float64
}

// component is one part of an effect's variance with the degrees of
// freedom of its estimate, for Welch-Satterthwaite.
type component struct{ v, df float64 }

// estimate computes an effect from its terms as a crossed design of
// networks by galaxies. Each network's call on a galaxy is a network part
// (its lean, the same on every galaxy of a stratum), a galaxy part (its
// difficulty, shared by every network and, paired, by both sides) and
// their interaction. The estimate's variance has the network part over
// the number of networks, the galaxy part over the number of galaxies and
// the interaction over their product. The spread of per-network values
// (the training part) estimates the first plus the third; the spread of
// per-galaxy mean calls (the test part) the second plus the third. Adding
// the two counts the interaction twice, so the interaction, estimated by
// the two-way residual mean square within each stratum and side, is
// subtracted once: (MS_networks + MS_galaxies - MS_residual) / (M n), the
// textbook unbiased form for a crossed random design.
func estimate(kind string, terms []term) Effect {
	x := terms[0].x
	nx := x.Networks()
	nb := 0
	if terms[0].b != nil {
		nb = terms[0].b.Networks()
	}
	perNet := func(c func(t term) *Calls, n int) []float64 {
		out := make([]float64, n)
		for m := range out {
			for _, t := range terms {
				out[m] += t.c * rate(c(t), m, t.s)
			}
		}
		return out
	}
	dx := perNet(func(t term) *Calls { return t.x }, nx)
	var db []float64
	if nb > 0 {
		db = perNet(func(t term) *Calls { return t.b }, nb)
	}
	sx, sb := stats.Summarise(dx), stats.Summarise(db)
	e := Effect{Kind: kind, Estimate: sx.Mean - sb.Mean, NX: nx, NB: nb, Repeats: 1, Training: nx >= 2 && nb >= 2}
	if nb == 0 {
		e.Estimate = sx.Mean
		e.Training = nx >= 2
	}
	// The test part: galaxies resampled, the networks fixed, paired
	// between the two sides.
	galDF := 0.0
	for _, t := range terms {
		n := len(t.s.idx)
		if n < 2 || t.c == 0 {
			continue
		}
		ys := make([]float64, n)
		for j, i := range t.s.idx {
			ys[j] = meanCall(t.x, i)
			if t.b != nil {
				ys[j] -= meanCall(t.b, i)
			}
		}
		s := stats.Summarise(ys)
		e.VarTest += t.c * t.c * s.SD * s.SD / float64(n)
		galDF += float64(n - 1)
	}
	// The training part of each side with two or more networks, and the
	// network-by-galaxy interaction that it shares with the test part.
	// Both sides' networks are trained alike, so their spreads are taken
	// as one estimate on Mx-1 + Mb-1 degrees of freedom: Satterthwaite's
	// formula on the two realised spreads is biased low (3.1 on average
	// where 4 is true, at 3 networks a side), which widened 95% intervals
	// to 97-98% coverage in simcalls' constructed studies.
	var trDF float64
	side := func(d []float64, s stats.Summary, c func(t term) *Calls) {
		m := len(d)
		if m < 2 {
			return
		}
		e.VarTrain += s.SD * s.SD / float64(m)
		trDF += float64(m - 1)
		for _, t := range terms {
			n := len(t.s.idx)
			if n < 2 || t.c == 0 {
				continue
			}
			e.VarShared += t.c * t.c * residualMS(c(t), t.s) / float64(m*n)
		}
	}
	side(dx, sx, func(t term) *Calls { return t.x })
	side(db, sb, func(t term) *Calls { return t.b })
	// The variance is the galaxies' own part (the test part less the
	// interaction it holds) plus the per-network spread (which holds the
	// interaction once): (MS_networks + MS_galaxies - MS_residual)/(M n)
	// as the parts are estimated. The galaxies' part of a paired
	// comparison can be near 0 and its estimate negative; it is taken at
	// no less than 0 (its own estimate is precise: thousands of degrees
	// of freedom). The networks' own part, the per-network spread less
	// the interaction, may be estimated negative and is not floored:
	// flooring it biased the variance up by about a quarter of the
	// interaction where the networks' own spread is nil, as in a null
	// study (coverage 0.985 at 3 networks in simcalls). The degrees of
	// freedom are Satterthwaite's over the two parts; the interaction is
	// estimated from every call, on (M-1)(n-1) degrees of freedom, and
	// adds no uncertainty worth counting.
	galaxy := math.Max(0, e.VarTest-e.VarShared)
	e.VarGalaxy = galaxy
	spread := e.VarTrain // the per-network spread, both sides
	v := galaxy + spread
	comps := []component{{galaxy, galDF}, {spread, trDF}}
	if spread == 0 { // one network a side: the test part as measured
		v = e.VarTest
		e.VarGalaxy = v
		comps = []component{{v, galDF}}
	}
	// The report's split, both parts non-negative and adding to v: the
	// networks' own part, and the rest (galaxies and interaction).
	e.VarTrain = math.Max(0, spread-e.VarShared)
	e.VarTest = v - e.VarTrain
	e.SE = math.Sqrt(v)
	e.DF = satterthwaite(v, comps)
	e.finish()
	return e
}

// residualMS is the two-way residual mean square of a stratum's calls
// (networks by galaxies): the spread of the calls left when each
// network's rate and each galaxy's mean call are taken out, the
// network-by-galaxy interaction.
func residualMS(c *Calls, s stratum) float64 {
	m, n := c.Networks(), len(s.idx)
	if m < 2 || n < 2 {
		return 0
	}
	var ones, rows, cols float64
	for k := 0; k < m; k++ {
		r := 0
		for _, i := range s.idx {
			if c.Spiral[k][i] {
				r++
			}
		}
		ones += float64(r)
		rows += float64(r) * float64(r)
	}
	for _, i := range s.idx {
		r := 0
		for k := 0; k < m; k++ {
			if c.Spiral[k][i] {
				r++
			}
		}
		cols += float64(r) * float64(r)
	}
	// Calls are 0 or 1, so the sum of squares is the count of ones.
	ss := ones - rows/float64(n) - cols/float64(m) + ones*ones/float64(m*n)
	return math.Max(0, ss/float64((m-1)*(n-1)))
}

// satterthwaite is the Welch-Satterthwaite degrees of freedom of a sum of
// variance estimates (a negative one subtracted); +Inf where no component
// has finite degrees of freedom.
func satterthwaite(v float64, comps []component) float64 {
	den := 0.0
	for _, c := range comps {
		if c.df > 0 {
			den += c.v * c.v / c.df
		}
	}
	if den == 0 {
		return math.Inf(1)
	}
	return v * v / den
}

// Interaction estimates the design-by-field interaction: the compared
// network's predicted spiral fraction on the test set from its spiral
// training field S minus that on its elliptical training field E, within
// true class, less the same difference of a baseline network on the same
// galaxies. Field difficulty (a field whose galaxies any network finds
// harder) moves both networks' differences alike and cancels; so does a
// network's overall lean towards one class. The classes are pooled with
// Mantel-Haenszel's risk-difference weights n_S n_E / (n_S + n_E).
//
// Each side may hold several networks (an ensemble's members): the
// effect is the mean over networks, and its variance is that of a crossed
// design of networks by galaxies (see estimate): the networks' own part
// over their number (training noise), the galaxies' part over theirs
// (test sampling, paired between the sides) and their interaction once,
// with a Welch-Satterthwaite t interval. With one network on a side the
// training part cannot be measured: the interval is test sampling only
// and says so.
func Interaction(xs, xe, bs, be *Calls) (Effect, error) {
	for _, c := range []struct {
		c    *Calls
		what string
	}{{xs, "compared, spiral field"}, {xe, "compared, elliptical field"}, {bs, "baseline, spiral field"}, {be, "baseline, elliptical field"}} {
		if err := c.c.check(c.what); err != nil {
			return Effect{}, err
		}
	}
	bs, err := align(xs, bs, "spiral field")
	if err != nil {
		return Effect{}, err
	}
	be, err = align(xe, be, "elliptical field")
	if err != nil {
		return Effect{}, err
	}
	if xs.Networks() != xe.Networks() || bs.Networks() != be.Networks() {
		return Effect{}, errors.New("interaction: a side has a different number of networks on its two fields")
	}
	sS, sE := byClass(xs), byClass(xe)
	var w [2]float64
	var wsum float64
	for k := 0; k < 2; k++ {
		a, b := float64(len(sS[k].idx)), float64(len(sE[k].idx))
		if a > 0 && b > 0 {
			w[k] = a * b / (a + b)
			wsum += w[k]
		}
	}
	if wsum == 0 {
		return Effect{}, errors.New("interaction: no true class has galaxies on both fields")
	}
	var terms []term
	for k := 0; k < 2; k++ {
		if w[k] > 0 {
			terms = append(terms, term{xs, bs, sS[k], w[k] / wsum}, term{xe, be, sE[k], -w[k] / wsum})
		}
	}
	e := estimate("interaction", terms)
	e.Galaxies = len(xs.IDs) + len(xe.IDs)
	return e, nil
}

// PairedShift estimates the paired shift on one test set: the compared
// networks' predicted spiral fraction minus the baseline's on the same
// galaxies, times sign (+1 on a field that gave the training spirals, -1
// on one that gave the ellipticals, so that a positive effect is the
// paper's bias; +1 with no direction). A network's lean towards one class
// is not removed here, so only its training part of the variance, which
// needs two or more networks on each side, guards against it.
func PairedShift(x, b *Calls, sign int) (Effect, error) {
	if err := x.check("compared"); err != nil {
		return Effect{}, err
	}
	if err := b.check("baseline"); err != nil {
		return Effect{}, err
	}
	b, err := align(x, b, "shift")
	if err != nil {
		return Effect{}, err
	}
	if sign != 1 && sign != -1 {
		return Effect{}, fmt.Errorf("shift: sign %d (want +1 or -1)", sign)
	}
	st := byClass(x)
	var terms []term
	for k := 0; k < 2; k++ {
		if len(st[k].idx) > 0 {
			terms = append(terms, term{x, b, st[k], float64(sign) * float64(len(st[k].idx)) / float64(len(x.IDs))})
		}
	}
	e := estimate("shift", terms)
	e.Galaxies = len(x.IDs)
	return e, nil
}

// finish fills the interval and P from Estimate, SE and DF.
func (e *Effect) finish() {
	if e.SE == 0 {
		e.Lo, e.Hi = e.Estimate, e.Estimate
		e.P = 1
		if e.Estimate != 0 {
			e.P = 0
		}
		return
	}
	q := stats.StudentTQuantile(1-(1-Level)/2, e.DF)
	e.Lo, e.Hi = e.Estimate-q*e.SE, e.Estimate+q*e.SE
	e.P = math.Min(1, 2*tSF(math.Abs(e.Estimate)/e.SE, e.DF))
}

func tSF(t, df float64) float64 {
	if math.IsInf(df, 1) {
		return 0.5 * math.Erfc(t/math.Sqrt2)
	}
	return stats.StudentTSF(t, df)
}

// OverRepeats combines the effects of independent repeats (re-drawn
// training and test galaxies, new seeds) into their mean with a t
// interval on R-1 degrees of freedom: the spread between repeats holds
// every source of noise at once. With one repeat it returns that repeat's
// effect.
func OverRepeats(es []Effect) (Effect, error) {
	switch len(es) {
	case 0:
		return Effect{}, errors.New("no repeats to combine")
	case 1:
		return es[0], nil
	}
	xs := make([]float64, len(es))
	out := Effect{Kind: "repeats", Repeats: len(es), Training: true}
	for i, e := range es {
		xs[i] = e.Estimate
		out.NX += e.NX
		out.NB += e.NB
		out.Galaxies += e.Galaxies
	}
	s := stats.Summarise(xs)
	out.Estimate, out.SE, out.DF = s.Mean, s.SE, float64(len(es)-1)
	out.VarTrain = s.SE * s.SE
	out.finish()
	return out, nil
}

// SpiralFraction is the predicted spiral fraction of a test set as the
// mean over its networks, with an interval that covers test sampling and,
// with two or more networks, the spread between them (kind "fraction"),
// from the same crossed-design variance as the effects.
func SpiralFraction(c *Calls) (Effect, error) {
	if err := c.check("spiral fraction"); err != nil {
		return Effect{}, err
	}
	if len(c.IDs) < 2 {
		return Effect{}, errors.New("spiral fraction: fewer than 2 galaxies")
	}
	all := stratum{idx: make([]int, len(c.IDs))}
	for i := range all.idx {
		all.idx[i] = i
	}
	e := estimate("fraction", []term{{x: c, s: all, c: 1}})
	e.Galaxies = len(c.IDs)
	e.ProportionBounds()
	return e, nil
}

// ProportionBounds puts a fraction's 95% interval on the logit scale (the
// estimate and its standard error carried there by the delta method, the
// bounds mapped back), so that it stays inside (0, 1) however few the
// networks or repeats: with two networks a t interval on one degree of
// freedom ran from -1.6 to 2.0. A fraction of 0 or 1 is moved half a
// galaxy inwards first.
func (e *Effect) ProportionBounds() {
	if e.SE == 0 || math.IsNaN(e.SE) {
		return
	}
	n := float64(max(1, e.Galaxies))
	p := math.Min(math.Max(e.Estimate, 0.5/n), 1-0.5/n)
	l := math.Log(p / (1 - p))
	se := e.SE / (p * (1 - p))
	q := stats.StudentTQuantile(1-(1-Level)/2, e.DF)
	if math.IsInf(e.DF, 1) {
		q = stats.StudentTQuantile(1-(1-Level)/2, 1e6)
	}
	expit := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	e.Lo, e.Hi = expit(l-q*se), expit(l+q*se)
}
