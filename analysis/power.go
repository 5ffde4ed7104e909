package analysis

import (
	"math"

	"github.com/skybias/skybias/stats"
)

// ReferenceEffect is the effect skybias states power at: the published
// Pan-STARRS design-by-field interaction of Tables 6 and 7 against 3 and
// 4 (+0.035 in p(spiral)), which the ps1-paper survey was tuned to.
const ReferenceEffect = 0.035

// Power is the chance that a two-sided t test at level alpha, with
// standard error se on df degrees of freedom, calls an effect of size
// delta. The noncentral t is approximated as (Z + delta/se) / S with S^2
// a chi-square over df, S taken as normal with mean 1 and variance
// 1/(2 df): P(T > q) = Phi((delta/se - q) / sqrt(1 + q^2/(2 df))).
// simcalls checks it against simulated detection rates (a shifted
// central t overstated power at 3 networks a side: 0.345 against 0.289).
func Power(se, df, delta, alpha float64) float64 {
	if se <= 0 {
		if delta != 0 {
			return 1
		}
		return 0
	}
	if math.IsInf(df, 1) || df > 1e6 {
		df = 1e6
	}
	q := stats.StudentTQuantile(1-alpha/2, df)
	s := delta / se
	d := math.Sqrt(1 + q*q/(2*df))
	return phi((s-q)/d) + phi((-s-q)/d)
}

// Project is the effect's standard error and degrees of freedom with
// networks networks a side and galaxies test galaxies (in place of its
// own), from its variance parts: the networks' own part scales as
// 1/networks, the galaxies' as 1/galaxies, and their interaction as
// 1/(networks x galaxies). The degrees of freedom are Satterthwaite's as
// the effect's own are computed: the per-network spread (the networks'
// own part and the interaction) on 2(networks-1), the galaxies' part on
// about as many as there are galaxies.
func (e Effect) Project(networks, galaxies int) (se, df float64) {
	if e.NX < 1 || e.Galaxies < 1 || networks < 1 || galaxies < 1 {
		return math.NaN(), math.NaN()
	}
	m := float64(e.NX) / float64(networks)
	n := float64(e.Galaxies) / float64(galaxies)
	spread := e.SE*e.SE - e.VarGalaxy
	own := spread - e.VarShared // may be negative, as estimated
	galaxy := e.VarGalaxy * n
	shared := e.VarShared * m * n
	sp := math.Max(0, own*m+shared)
	v := galaxy + sp
	df = math.Inf(1)
	if den := sp*sp/float64(2*max(1, networks-1)) + galaxy*galaxy/float64(max(1, galaxies-4)); networks >= 2 && den > 0 {
		df = v * v / den
	}
	return math.Sqrt(v), df
}

// GalaxiesFor is the least number of test galaxies (in all, as
// Effect.Galaxies counts them) with which the effect's design, at its own
// number of networks, reaches power at delta and alpha; 0 where no test
// size does, because the networks' own spread alone keeps the power
// below it.
func (e Effect) GalaxiesFor(delta, alpha, power float64) int {
	ok := func(g int) bool {
		se, df := e.Project(e.NX, g)
		return Power(se, df, delta, alpha) >= power
	}
	const most = 1 << 26
	if !ok(most) {
		return 0
	}
	lo, hi := 1, most
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// RepeatsFor is the least number of repeats with which an effect over
// repeats (Kind "repeats": the mean of per-repeat effects, its SE their
// spread over the square root of their number, on repeats - 1 degrees of
// freedom) reaches power at delta and alpha, the per-repeat spread kept as
// measured; 0 where even MaxRepeatsFor repeats do not.
func (e Effect) RepeatsFor(delta, alpha, power float64) int {
	if e.Kind != "repeats" || e.Repeats < 2 || !(e.SE > 0) {
		return 0
	}
	sd := e.SE * math.Sqrt(float64(e.Repeats))
	for r := 2; r <= MaxRepeatsFor; r++ {
		if Power(sd/math.Sqrt(float64(r)), float64(r-1), delta, alpha) >= power {
			return r
		}
	}
	return 0
}

// MaxRepeatsFor is the most repeats RepeatsFor considers.
const MaxRepeatsFor = 10000

func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
