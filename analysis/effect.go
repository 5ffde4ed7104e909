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
	// VarTest and VarTrain split SE^2 into its test-sampling and
	// training-noise parts.
	VarTest, VarTrain float64
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

// pairedVar is the test-sampling variance of sum_c w_c * mean over the
// stratum of y_i, y_i being galaxy i's mean call by x's networks minus its
// mean call by b's (the same galaxies, so this is the paired variance).
func pairedVar(x, b *Calls, st [2]stratum, w [2]float64) float64 {
	var v float64
	for k := 0; k < 2; k++ {
		n := len(st[k].idx)
		if n < 2 || w[k] == 0 {
			continue
		}
		ys := make([]float64, n)
		for j, i := range st[k].idx {
			ys[j] = meanCall(x, i) - meanCall(b, i)
		}
		s := stats.Summarise(ys)
		v += w[k] * w[k] * s.SD * s.SD / float64(n)
	}
	return v
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
// effect is the mean over networks, and the variance adds the
// test-sampling part (galaxies resampled, networks fixed, paired between
// the two sides) and the training part (the spread of the per-network
// differences between networks trained alike, over their number), with a
// Welch-Satterthwaite t interval. With one network on a side the training
// part cannot be measured: the interval is test sampling only and says
// so.
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
	w[0], w[1] = w[0]/wsum, w[1]/wsum
	diff := func(s, e *Calls, m int) float64 {
		var d float64
		for k := 0; k < 2; k++ {
			if w[k] > 0 {
				d += w[k] * (rate(s, m, sS[k]) - rate(e, m, sE[k]))
			}
		}
		return d
	}
	dx := make([]float64, xs.Networks())
	for m := range dx {
		dx[m] = diff(xs, xe, m)
	}
	db := make([]float64, bs.Networks())
	for m := range db {
		db[m] = diff(bs, be, m)
	}
	vt := pairedVar(xs, bs, sS, w) + pairedVar(xe, be, sE, w)
	e := combine("interaction", dx, db, vt)
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
	var w [2]float64
	for k := 0; k < 2; k++ {
		w[k] = float64(len(st[k].idx)) / float64(len(x.IDs))
	}
	frac := func(c *Calls, m int) float64 {
		var f float64
		for k := 0; k < 2; k++ {
			if w[k] > 0 {
				f += w[k] * rate(c, m, st[k])
			}
		}
		return float64(sign) * f
	}
	dx := make([]float64, x.Networks())
	for m := range dx {
		dx[m] = frac(x, m)
	}
	db := make([]float64, b.Networks())
	for m := range db {
		db[m] = frac(b, m)
	}
	e := combine("shift", dx, db, pairedVar(x, b, st, w))
	e.Galaxies = len(x.IDs)
	return e, nil
}

// combine builds the effect from per-network values on each side and the
// test-sampling variance.
func combine(kind string, dx, db []float64, vt float64) Effect {
	sx, sb := stats.Summarise(dx), stats.Summarise(db)
	e := Effect{Kind: kind, Estimate: sx.Mean - sb.Mean, NX: len(dx), NB: len(db), Repeats: 1, VarTest: vt, Training: len(dx) >= 2 && len(db) >= 2}
	var parts []float64 // training variance parts and their df
	var dfs []float64
	if len(dx) >= 2 {
		parts, dfs = append(parts, sx.SD*sx.SD/float64(len(dx))), append(dfs, float64(len(dx)-1))
	}
	if len(db) >= 2 {
		parts, dfs = append(parts, sb.SD*sb.SD/float64(len(db))), append(dfs, float64(len(db)-1))
	}
	for _, p := range parts {
		e.VarTrain += p
	}
	v := e.VarTest + e.VarTrain
	e.SE = math.Sqrt(v)
	// Welch-Satterthwaite: the test-sampling part has (practically)
	// infinite degrees of freedom.
	den := 0.0
	for i, p := range parts {
		den += p * p / dfs[i]
	}
	e.DF = math.Inf(1)
	if den > 0 {
		e.DF = v * v / den
	}
	e.finish()
	return e
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
// with two or more networks, the spread between them (kind "fraction").
func SpiralFraction(c *Calls) (Effect, error) {
	if err := c.check("spiral fraction"); err != nil {
		return Effect{}, err
	}
	if len(c.IDs) < 2 {
		return Effect{}, errors.New("spiral fraction: fewer than 2 galaxies")
	}
	fs := make([]float64, c.Networks())
	ys := make([]float64, len(c.IDs))
	for i := range ys {
		ys[i] = meanCall(c, i)
	}
	for m := range fs {
		n := 0
		for _, v := range c.Spiral[m] {
			if v {
				n++
			}
		}
		fs[m] = float64(n) / float64(len(c.IDs))
	}
	sy := stats.Summarise(ys)
	e := combine("fraction", fs, nil, sy.SD*sy.SD/float64(len(ys)))
	e.Galaxies = len(c.IDs)
	e.NB = 0
	e.Training = len(fs) >= 2
	return e, nil
}
