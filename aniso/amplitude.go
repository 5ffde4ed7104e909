package aniso

import (
	"math"

	"github.com/skybias/skybias/seeds"
)

// amplitudeDraws is how many noise vectors the amplitude interval is
// computed from (the same ones for every trial amplitude, so the search
// is monotone and the answer reproducible).
const amplitudeDraws = 4000

// setAmplitudeRange fills the dipole's debiased amplitude and its 95%
// confidence interval. The fitted vector is the true one plus Gaussian
// noise of covariance C (the fit's, galaxy sampling only), so its length
// is biased upwards: E|D̂|² = |D|² + tr C. The interval is Neyman's,
// inverted from the distribution of |D̂| for a true dipole of amplitude a
// pointing where the fit makes that amplitude likeliest (profiled): Hi is
// the amplitude whose |D̂| falls at or below the one seen with probability
// 2.5%, Lo the one whose |D̂| reaches it with probability 2.5% (0 when even
// no dipole reaches it that often).
func (d *Dipole) setAmplitudeRange() {
	var c [3][3]float64
	var trace float64
	for a := range 3 {
		for b := range 3 {
			c[a][b] = d.Cov[a+1][b+1]
		}
		trace += c[a][a]
	}
	d.AmplitudeDebiased = math.Sqrt(math.Max(0, d.Amplitude*d.Amplitude-trace))
	l, ok := cholesky3(c)
	if !ok || d.Amplitude == 0 || trace <= 0 {
		// No noise to speak of (values fitted exactly, or none at all):
		// the amplitude is what was fitted.
		d.AmplitudeLo, d.AmplitudeHi = d.Amplitude, d.Amplitude
		return
	}
	z := make([][3]float64, amplitudeDraws) // noise draws w = L z, shared by every trial
	rng := seeds.Rand(0, "dipole amplitude interval")
	for i := range z {
		g := [3]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		for a := range 3 {
			for b := 0; b <= a; b++ {
				z[i][a] += l[a][b] * g[b]
			}
		}
	}
	near := profiled(c, d.Vector)
	obs2 := d.Amplitude * d.Amplitude
	// below is the share of draws whose length is at most the one seen
	// when the true dipole is the one of amplitude a closest to the fit
	// (in the metric of C): the direction is a nuisance, set where the
	// data put it for that amplitude. It falls as a grows.
	below := func(a float64) float64 {
		t := near(a)
		n := 0
		for _, w := range z {
			x, y, v := t[0]+w[0], t[1]+w[1], t[2]+w[2]
			if x*x+y*y+v*v <= obs2 {
				n++
			}
		}
		return float64(n) / float64(len(z))
	}
	// search finds where below crosses target between lo and hi.
	search := func(target, lo, hi float64) float64 {
		for range 50 {
			mid := (lo + hi) / 2
			if below(mid) > target {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2
	}
	atZero := below(0)
	if atZero <= 0.025 {
		// Smaller than 97.5% of noise-only catalogs would give: no true
		// amplitude makes it likely, and the interval is empty, shown as
		// [0, 0] (consistent with no dipole at all).
		d.AmplitudeLo, d.AmplitudeHi = 0, 0
		return
	}
	top := d.Amplitude + 10*math.Sqrt(trace)
	d.AmplitudeHi = search(0.025, 0, top)
	d.AmplitudeLo = 0
	if atZero > 0.975 {
		d.AmplitudeLo = search(0.975, 0, d.AmplitudeHi)
	}
}

// profiled returns, for an amplitude a, the dipole of length a closest to
// the fitted vector fit in the metric of its covariance c: the minimum of
// (fit - D)' c⁻¹ (fit - D) over |D| = a, which is D(μ) = (P + μI)⁻¹ P fit
// (P = c⁻¹) at the μ that gives |D(μ)| = a, found by bisection in the
// eigenbasis of P.
func profiled(c [3][3]float64, fit [3]float64) func(a float64) [3]float64 {
	lam, q := eigenSym3(c) // c's eigenvalues; P's are their inverses
	var p, b [3]float64
	for i := range 3 {
		p[i] = 1 / lam[i]
		for k := range 3 {
			b[i] += q[k][i] * fit[k]
		}
	}
	pmin := math.Min(p[0], math.Min(p[1], p[2]))
	length := func(mu float64) float64 {
		var s float64
		for i := range 3 {
			f := p[i] / (p[i] + mu) * b[i]
			s += f * f
		}
		return math.Sqrt(s)
	}
	return func(a float64) [3]float64 {
		if a <= 0 {
			return [3]float64{}
		}
		// |D(μ)| falls from +inf (μ -> -pmin) to 0 (μ -> inf).
		lo, hi := -pmin, pmin
		for length(hi) > a {
			hi = 2*hi + pmin
		}
		for range 200 {
			mid := (lo + hi) / 2
			if mid == lo || mid == hi {
				break
			}
			if length(mid) > a {
				lo = mid
			} else {
				hi = mid
			}
		}
		mu := (lo + hi) / 2
		var e [3]float64
		for i := range 3 {
			e[i] = p[i] / (p[i] + mu) * b[i]
		}
		var out [3]float64
		for k := range 3 {
			for i := range 3 {
				out[k] += q[k][i] * e[i]
			}
		}
		// Scale onto |D| = a exactly (bisection leaves a hair's error,
		// and where b has no weight on P's smallest eigenvector the
		// length cannot reach a: then this is the nearest direction).
		if r := math.Sqrt(out[0]*out[0] + out[1]*out[1] + out[2]*out[2]); r > 0 {
			for k := range 3 {
				out[k] *= a / r
			}
		}
		return out
	}
}

// eigenSym3 diagonalises a symmetric 3x3 matrix by Jacobi rotations: its
// eigenvalues and the matrix whose columns are the eigenvectors.
func eigenSym3(m [3][3]float64) ([3]float64, [3][3]float64) {
	v := [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	for range 50 {
		off := m[0][1]*m[0][1] + m[0][2]*m[0][2] + m[1][2]*m[1][2]
		if off <= 1e-30*(m[0][0]*m[0][0]+m[1][1]*m[1][1]+m[2][2]*m[2][2]) {
			break
		}
		for p := range 2 {
			for q := p + 1; q < 3; q++ {
				if m[p][q] == 0 {
					continue
				}
				theta := (m[q][q] - m[p][p]) / (2 * m[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				cs := 1 / math.Sqrt(t*t+1)
				sn := t * cs
				for k := range 3 { // m = m J
					mkp, mkq := m[k][p], m[k][q]
					m[k][p], m[k][q] = cs*mkp-sn*mkq, sn*mkp+cs*mkq
				}
				for k := range 3 { // m = J' m
					mpk, mqk := m[p][k], m[q][k]
					m[p][k], m[q][k] = cs*mpk-sn*mqk, sn*mpk+cs*mqk
				}
				for k := range 3 {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p], v[k][q] = cs*vkp-sn*vkq, sn*vkp+cs*vkq
				}
			}
		}
	}
	return [3]float64{m[0][0], m[1][1], m[2][2]}, v
}

// cholesky3 is the lower-triangular L with L L' = c; false unless c is
// positive definite.
func cholesky3(c [3][3]float64) ([3][3]float64, bool) {
	var l [3][3]float64
	for i := range 3 {
		for j := 0; j <= i; j++ {
			s := c[i][j]
			for k := range j {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				if s <= 0 {
					return l, false
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	return l, true
}
