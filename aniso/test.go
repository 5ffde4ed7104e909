package aniso

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/stats"
)

// MinPermutations is the fewest permutations Test accepts: with fewer,
// the smallest p-value it can report (1/(permutations+1)) is too coarse
// to call anything.
const MinPermutations = 100

// MaxPermutations bounds the work a typo can ask for.
const MaxPermutations = 1_000_000

// Options are the settings of the permutation test.
type Options struct {
	// Permutations is the number of label permutations (default 1000).
	Permutations int
	// Seed seeds them: permutation k draws from its own stream, so the
	// answer does not depend on Workers.
	Seed uint64
	// Workers run permutations side by side (0: GOMAXPROCS).
	Workers int
}

// Hemisphere compares the two halves of the sky split by a plane through
// the centre, normal to an axis.
type Hemisphere struct {
	Axis Direction `json:"axis"`
	// N and Mean of the value in the half the axis points into (Towards)
	// and the other (Away).
	NTowards    int     `json:"n_towards"`
	MeanTowards float64 `json:"mean_towards"`
	NAway       int     `json:"n_away"`
	MeanAway    float64 `json:"mean_away"`
	// Diff is MeanTowards - MeanAway with a 95% interval [Lo, Hi] from
	// the two halves' standard errors (galaxy sampling only). Along the
	// fitted axis the difference is chosen to be large, so this interval
	// is optimistic: P of the dipole is the calibrated test.
	Diff float64 `json:"diff"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
}

// Result is the whole anisotropy test of one catalog column.
type Result struct {
	// Dipole is the fit to the catalog as it is.
	Dipole Dipole `json:"dipole"`
	// Permutations and Seed are the Monte Carlo's settings; Exceed counts
	// permutations whose amplitude reached the catalog's, and P is
	// (Exceed+1)/(Permutations+1).
	Permutations int     `json:"permutations"`
	Seed         uint64  `json:"seed"`
	Exceed       int     `json:"exceed"`
	P            float64 `json:"p_mc"`
	// NullMedian and Null95 are the median and 95th percentile of the
	// permuted amplitudes: the amplitude the footprint and sample size
	// give by chance.
	NullMedian float64 `json:"null_median"`
	Null95     float64 `json:"null_95"`
	// Hemisphere is the asymmetry along the fitted axis.
	Hemisphere Hemisphere `json:"hemisphere"`
}

// Test fits the dipole and judges its amplitude against the amplitudes
// of the same positions with the values permuted among them. Keeping the
// positions keeps the footprint, so a catalog that covers the sky
// unevenly is compared with catalogs that cover it the same way.
func Test(ctx context.Context, ra, dec, v []float64, opts Options) (*Result, error) {
	if opts.Permutations == 0 {
		opts.Permutations = 1000
	}
	if opts.Permutations < MinPermutations || opts.Permutations > MaxPermutations {
		return nil, fmt.Errorf("anisotropy: %d permutations: want %d..%d", opts.Permutations, MinPermutations, MaxPermutations)
	}
	d, err := newDesign(ra, dec)
	if err != nil {
		return nil, err
	}
	fit, err := d.fit(v)
	if err != nil {
		return nil, err
	}
	amps, err := d.permuted(ctx, v, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Dipole: fit, Permutations: opts.Permutations, Seed: opts.Seed}
	for _, a := range amps {
		// A relative tolerance keeps ties (a value that is the same
		// everywhere) from depending on rounding.
		if a >= fit.Amplitude*(1-1e-9) {
			res.Exceed++
		}
	}
	res.P = float64(res.Exceed+1) / float64(opts.Permutations+1)
	sort.Float64s(amps)
	res.NullMedian = stats.Percentile(amps, 50)
	res.Null95 = stats.Percentile(amps, 95)
	res.Hemisphere = d.hemisphere(v, fit.Axis)
	return res, nil
}

// permuted returns the dipole amplitude of every permutation, in order.
func (d *design) permuted(ctx context.Context, v []float64, opts Options) ([]float64, error) {
	amps := make([]float64, opts.Permutations)
	err := eachPermutation(ctx, len(v), "permutation", opts, func(k int, perm []int) {
		amps[k] = amplitude(d.coef(d.xtv(v, perm)))
	})
	return amps, err
}

// eachPermutation calls f(k, perm) for permutation k = 0 ..
// opts.Permutations-1 of n items, each drawn from its own stream (opts.Seed
// and stream name), on opts.Workers goroutines (0: GOMAXPROCS), so the
// answer does not depend on the workers. f may write only what belongs
// to k; perm is reused after it returns. It stops early when ctx ends.
func eachPermutation(ctx context.Context, n int, stream string, opts Options, f func(k int, perm []int)) error {
	w := opts.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, opts.Permutations)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			perm := make([]int, n)
			for {
				k := int(next.Add(1)) - 1
				if k >= opts.Permutations || ctx.Err() != nil {
					return
				}
				for i := range perm {
					perm[i] = i
				}
				r := seeds.Rand(opts.Seed, stream, strconv.Itoa(k))
				r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
				f(k, perm)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("anisotropy: permutations stopped: %w", err)
	}
	return nil
}

func (d *design) hemisphere(v []float64, axis Direction) Hemisphere {
	a := axis.Unit()
	var to, away []float64
	for i, u := range d.n {
		if u[0]*a[0]+u[1]*a[1]+u[2]*a[2] >= 0 {
			to = append(to, v[i])
		} else {
			away = append(away, v[i])
		}
	}
	h := Hemisphere{Axis: axis, NTowards: len(to), NAway: len(away)}
	st, sa := stats.Summarise(to), stats.Summarise(away)
	h.MeanTowards, h.MeanAway = st.Mean, sa.Mean
	h.Diff = st.Mean - sa.Mean
	if len(to) > 1 && len(away) > 1 {
		se := math.Sqrt(st.SD*st.SD/float64(len(to)) + sa.SD*sa.SD/float64(len(away)))
		h.Lo, h.Hi = h.Diff-1.96*se, h.Diff+1.96*se
	} else {
		h.Lo, h.Hi = math.NaN(), math.NaN()
	}
	return h
}
