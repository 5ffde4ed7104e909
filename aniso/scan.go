package aniso

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/stats"
)

// Scan is the axis scan of Shamir's method: for every candidate axis,
// the value is fitted as a + b cos(angle from the axis) and the slope's
// t statistic measures how well it follows that cosine; the axis with
// the largest |t| is quoted. Quoting that axis's own P (PUncorrected)
// ignores that it was the best of many: on an isotropic sky it calls far
// more than its nominal rate. P is the honest one: the same scan over
// permutations of the values (footprint kept), each giving its best
// |t|, and P the share of them reaching the catalog's.
type Scan struct {
	// Axes is how many axes were scanned (half-sphere: an axis and its
	// opposite give the same |t|).
	Axes int       `json:"axes"`
	Best Direction `json:"best_axis"`
	// T is the best axis's t statistic (its sign says whether the value
	// rises towards the axis), PUncorrected its two-sided P as if that
	// axis had been chosen in advance.
	T            float64 `json:"t"`
	PUncorrected float64 `json:"p_uncorrected"`
	Permutations int     `json:"permutations"`
	Seed         uint64  `json:"seed"`
	Exceed       int     `json:"exceed"`
	P            float64 `json:"p_mc"`
}

// ScanAxes runs the axis scan over about axes axes (a Fibonacci lattice of
// the northern half-sphere) and, with opts.Permutations > 0, corrects its
// P by permutations (Permutations = -1: the uncorrected P alone).
func ScanAxes(ctx context.Context, ra, dec, v []float64, axes int, opts Options) (*Scan, error) {
	if axes < 10 || axes > 100_000 {
		return nil, fmt.Errorf("anisotropy: %d scan axes: want 10 to 100000", axes)
	}
	if len(ra) != len(dec) || len(ra) != len(v) || len(v) < 10 {
		return nil, errors.New("anisotropy: the scan needs at least 10 galaxies with positions and values")
	}
	if opts.Permutations == 0 {
		opts.Permutations = 1000
	}
	if opts.Permutations > 0 && (opts.Permutations < MinPermutations || opts.Permutations > MaxPermutations) {
		return nil, fmt.Errorf("anisotropy: %d permutations: want %d..%d", opts.Permutations, MinPermutations, MaxPermutations)
	}
	n := float64(len(v))
	units := make([][3]float64, len(v))
	var su [3]float64
	var suu [3][3]float64
	for i := range v {
		if math.IsNaN(ra[i]) || math.IsNaN(dec[i]) || math.IsNaN(v[i]) {
			return nil, fmt.Errorf("anisotropy: galaxy %d has no position or value", i+1)
		}
		u := Direction{ra[i], dec[i]}.Unit()
		units[i] = u
		for a := range 3 {
			su[a] += u[a]
			for b := range 3 {
				suu[a][b] += u[a] * u[b]
			}
		}
	}
	grid := halfSphere(axes)
	// Per axis, what does not depend on the values: sum of c and of
	// (c - mean c)^2 with c = u . axis.
	sc := make([]float64, len(grid))
	scc := make([]float64, len(grid))
	for k, a := range grid {
		sc[k] = dot3(su, a)
		var q float64
		for x := range 3 {
			for y := range 3 {
				q += a[x] * suu[x][y] * a[y]
			}
		}
		scc[k] = q - sc[k]*sc[k]/n
	}
	// best returns the axis of largest |t| for values in perm's order.
	best := func(perm []int) (int, float64) {
		var suv [3]float64
		var sv, svv float64
		for i, u := range units {
			x := v[i]
			if perm != nil {
				x = v[perm[i]]
			}
			sv += x
			svv += x * x
			for a := range 3 {
				suv[a] += u[a] * x
			}
		}
		syy := svv - sv*sv/n
		bi, bt := 0, 0.0
		for k, a := range grid {
			if scc[k] <= 0 {
				continue
			}
			sxy := dot3(suv, a) - sc[k]*sv/n
			b := sxy / scc[k]
			rss := math.Max(syy-b*sxy, 0)
			t := 0.0
			if rss > 0 {
				t = b / math.Sqrt(rss/(n-2)/scc[k])
			} else if sxy != 0 {
				t = math.Inf(1) * sxy
			}
			if math.Abs(t) > math.Abs(bt) {
				bi, bt = k, t
			}
		}
		return bi, bt
	}
	k, t := best(nil)
	s := &Scan{Axes: len(grid), Best: DirectionOf(grid[k]), T: t, Seed: opts.Seed}
	if t < 0 { // quote the end the value rises towards
		s.Best = DirectionOf([3]float64{-grid[k][0], -grid[k][1], -grid[k][2]})
		s.T = -t
	}
	s.PUncorrected = math.Min(1, 2*stats.StudentTSF(math.Abs(t), n-2))
	if opts.Permutations < 0 {
		return s, nil
	}
	s.Permutations = opts.Permutations
	perm := make([]int, len(v))
	for p := range opts.Permutations {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("anisotropy: scan permutations stopped: %w", err)
		}
		for i := range perm {
			perm[i] = i
		}
		r := seeds.Rand(opts.Seed, "scan permutation", strconv.Itoa(p))
		r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		if _, tp := best(perm); math.Abs(tp) >= math.Abs(t)*(1-1e-9) {
			s.Exceed++
		}
	}
	s.P = float64(s.Exceed+1) / float64(opts.Permutations+1)
	return s, nil
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// halfSphere is a Fibonacci lattice of about n unit vectors with z >= 0.
func halfSphere(n int) [][3]float64 {
	out := make([][3]float64, 0, n)
	golden := math.Pi * (3 - math.Sqrt(5))
	for i := range n {
		z := (float64(i) + 0.5) / float64(n)
		r := math.Sqrt(1 - z*z)
		phi := golden * float64(i)
		out = append(out, [3]float64{r * math.Cos(phi), r * math.Sin(phi), z})
	}
	return out
}
