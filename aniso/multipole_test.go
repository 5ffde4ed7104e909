package aniso

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/skybias/skybias/healpix"
	"github.com/skybias/skybias/stats"
)

// TestHarmonicsOrthonormal: the real harmonics up to MaxL integrate to
// the identity over the sphere (equal-area HEALPix pixel centres).
func TestHarmonicsOrthonormal(t *testing.T) {
	k := (MaxL + 1) * (MaxL + 1)
	g := make([][]float64, k)
	for i := range g {
		g[i] = make([]float64, k)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const n = 400_000
	y := make([]float64, k)
	for range n {
		z := 2*r.Float64() - 1
		phi := 2 * math.Pi * r.Float64()
		s := math.Sqrt(1 - z*z)
		harmonics(MaxL, [3]float64{s * math.Cos(phi), s * math.Sin(phi), z}, y)
		for a := range k {
			for b := range k {
				g[a][b] += y[a] * y[b] * 4 * math.Pi / n
			}
		}
	}
	for a := range k {
		for b := range k {
			want := 0.0
			if a == b {
				want = 1
			}
			if math.Abs(g[a][b]-want) > 0.03 {
				t.Errorf("<Y%d Y%d> = %.3f, want %g", a, b, g[a][b], want)
			}
		}
	}
}

// sdssLike draws n galaxies uniformly on a footprint like SDSS's
// northern cap: RA 120..250, Dec 0..60.
func sdssLike(r *rand.Rand, n int) (ra, dec []float64) {
	z0, z1 := 0.0, math.Sin(60*math.Pi/180)
	for range n {
		ra = append(ra, 120+130*r.Float64())
		dec = append(dec, math.Asin(z0+(z1-z0)*r.Float64())*180/math.Pi)
	}
	return ra, dec
}

func fullSky(r *rand.Rand, n int) (ra, dec []float64) {
	for range n {
		ra = append(ra, 360*r.Float64())
		dec = append(dec, math.Asin(2*r.Float64()-1)*180/math.Pi)
	}
	return ra, dec
}

// TestInjectedMultipoles: a quadrupole put into a catalog on the cut sky
// is found at l = 2 and not read as a dipole; a dipole is found at l = 1
// with its axis within 15 degrees.
func TestInjectedMultipoles(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ctx := context.Background()
	opts := MultipoleOptions{Options: Options{Permutations: 500, Seed: 7}, LMax: 2}

	// A ground survey's sky, Dec -30..90: large enough that a quadrupole
	// cannot hide in the lower orders (on a small cap it can, there it is
	// read partly as a dipole).
	var ra, dec []float64
	for len(ra) < 4000 {
		ra1, dec1 := fullSky(r, 1)
		if dec1[0] > -30 {
			ra, dec = append(ra, ra1[0]), append(dec, dec1[0])
		}
	}
	v := make([]float64, len(ra))
	for i := range v {
		u := Direction{ra[i], dec[i]}.Unit()
		v[i] = 0.5 + 0.15*(u[0]*u[0]-u[1]*u[1]) + 0.3*r.NormFloat64()
	}
	q, err := TestMultipoles(ctx, ra, dec, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	if q.Orders[1].P > 0.01 || q.Orders[0].P < 0.01 {
		t.Errorf("quadrupole: P(l=1) %.3f, P(l=2) %.3f; want l = 2 found and l = 1 not", q.Orders[0].P, q.Orders[1].P)
	}

	ra, dec = fullSky(r, 3000)
	axis := Direction{RA: 200, Dec: 30}
	a := axis.Unit()
	for i := range v[:len(ra)] {
		u := Direction{ra[i], dec[i]}.Unit()
		v[i] = 0.5 + 0.1*(u[0]*a[0]+u[1]*a[1]+u[2]*a[2]) + 0.3*r.NormFloat64()
	}
	d, err := TestMultipoles(ctx, ra, dec, v[:len(ra)], opts)
	if err != nil {
		t.Fatal(err)
	}
	if sep := Separation(d.DipoleAxis, axis); d.Orders[0].P > 0.01 || sep > 15 {
		t.Errorf("dipole: P(l=1) %.3f, axis %+v is %.1f deg from the injected one", d.Orders[0].P, d.DipoleAxis, sep)
	}
}

// TestNullsKeepCorrelations: on isotropic catalogs of the SDSS-like
// footprint the P values of l = 1 and 2 are uniform (KS over 300
// catalogs). Where values are shared within patches (HEALPix pixels of
// NSIDE 8), permuting galaxies calls far more than 5% of isotropic
// catalogs anisotropic; permuting the patches keeps the rate near 5%
// (a call: either order at P < 0.025, Bonferroni over the two).
func TestNullsKeepCorrelations(t *testing.T) {
	if testing.Short() {
		t.Skip("300 catalogs, three nulls each")
	}
	r := rand.New(rand.NewPCG(8, 9))
	ctx := context.Background()
	const catalogs = 300
	var pIso [3][]float64
	galaxyCalls, blockCalls := 0, 0
	for c := range catalogs {
		ra, dec := sdssLike(r, 1500)
		v := make([]float64, len(ra))
		for i := range v {
			v[i] = 0.5 + 0.3*r.NormFloat64()
		}
		opts := MultipoleOptions{Options: Options{Permutations: 200, Seed: uint64(c)}, LMax: 2}
		iso, err := TestMultipoles(ctx, ra, dec, v, opts)
		if err != nil {
			t.Fatal(err)
		}
		pIso[1], pIso[2] = append(pIso[1], iso.Orders[0].P), append(pIso[2], iso.Orders[1].P)

		blocks := make([]int, len(ra))
		effect := map[int]float64{}
		for i := range v {
			blocks[i] = healpix.Pixel(8, healpix.Ring, ra[i], dec[i])
			if _, ok := effect[blocks[i]]; !ok {
				effect[blocks[i]] = 0.15 * r.NormFloat64()
			}
			v[i] += effect[blocks[i]]
		}
		g, err := TestMultipoles(ctx, ra, dec, v, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.Blocks, opts.BlockName = blocks, "HEALPix NSIDE 8 pixel"
		b, err := TestMultipoles(ctx, ra, dec, v, opts)
		if err != nil {
			t.Fatal(err)
		}
		if min(g.Orders[0].P, g.Orders[1].P) < 0.025 {
			galaxyCalls++
		}
		if min(b.Orders[0].P, b.Orders[1].P) < 0.025 {
			blockCalls++
		}
	}
	for l := 1; l <= 2; l++ {
		ks, err := stats.KSUniform(pIso[l])
		if err != nil || ks.P < 0.01 {
			t.Errorf("isotropic catalogs, l = %d: P values not uniform (KS D %.3f, P %.4f)", l, ks.D, ks.P)
		}
	}
	lo, hi := stats.ClopperPearson(blockCalls, catalogs, 0.05)
	t.Logf("correlated patches: galaxy permutations call %d of %d, block permutations %d of %d [%.3f, %.3f]", galaxyCalls, catalogs, blockCalls, catalogs, lo, hi)
	if galaxyCalls < catalogs/5 {
		t.Errorf("galaxy permutations called %d of %d catalogs with correlated patches; want far more than 5%%", galaxyCalls, catalogs)
	}
	if lo < 0.01 || hi > 0.09 {
		t.Errorf("block permutations called %d of %d [%.3f, %.3f]; want the interval within [0.01, 0.09]", blockCalls, catalogs, lo, hi)
	}
}

// TestBayesFactors: an injected dipole is strongly favoured (Bayes factor
// above 100); on isotropic catalogs the factor favours isotropy in most,
// and it falls as the permutation P rises (rank correlation).
func TestBayesFactors(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	ctx := context.Background()
	opts := MultipoleOptions{Options: Options{Permutations: 200, Seed: 2}, LMax: 2}
	ra, dec := fullSky(r, 3000)
	a := Direction{RA: 30, Dec: 45}.Unit()
	v := make([]float64, len(ra))
	for i := range v {
		v[i] = 0.5 + 0.1*dot3(Direction{ra[i], dec[i]}.Unit(), a) + 0.3*r.NormFloat64()
	}
	m, err := TestMultipoles(ctx, ra, dec, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Orders[0].BayesFactor < 100 || m.Orders[1].BayesFactor > 1 {
		t.Errorf("injected dipole: Bayes factors l=1 %.3g, l=2 %.3g", m.Orders[0].BayesFactor, m.Orders[1].BayesFactor)
	}
	var bf, p []float64
	favour := 0
	for c := range 200 {
		ra, dec := fullSky(r, 800)
		v := make([]float64, len(ra))
		for i := range v {
			v[i] = 0.5 + 0.3*r.NormFloat64()
		}
		opts.Seed = uint64(c)
		m, err := TestMultipoles(ctx, ra, dec, v, opts)
		if err != nil {
			t.Fatal(err)
		}
		bf, p = append(bf, m.Orders[0].BayesFactor), append(p, m.Orders[0].P)
		if m.Orders[0].BayesFactor < 1 {
			favour++
		}
	}
	rho := spearman(bf, p)
	t.Logf("isotropic catalogs: Bayes factor of l=1 below 1 in %d of 200; rank correlation with the permutation P %.3f", favour, rho)
	if favour < 180 || rho > -0.8 {
		t.Errorf("isotropic catalogs: %d of 200 favour isotropy, rank correlation with P %.3f", favour, rho)
	}
}

func spearman(a, b []float64) float64 {
	rank := func(x []float64) []float64 {
		idx := make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(i, j int) bool { return x[idx[i]] < x[idx[j]] })
		r := make([]float64, len(x))
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	ra, rb := rank(a), rank(b)
	var sab, saa, sbb float64
	m := float64(len(a)-1) / 2
	for i := range ra {
		sab += (ra[i] - m) * (rb[i] - m)
		saa += (ra[i] - m) * (ra[i] - m)
		sbb += (rb[i] - m) * (rb[i] - m)
	}
	return sab / math.Sqrt(saa*sbb)
}

// TestCovariates: a systematic that follows Galactic latitude reads as a
// quadrupole until the latitude is fitted with the multipoles; then the
// quadrupole goes and the covariate's coefficient is what was put in.
func TestCovariates(t *testing.T) {
	if b := GalacticLatitude(266.405, -28.936); math.Abs(b) > 0.1 {
		t.Errorf("the Galactic centre is at b = %.3f", b)
	}
	if b := GalacticLatitude(192.85948, 27.12825); math.Abs(b-90) > 1e-6 {
		t.Errorf("the north Galactic pole is at b = %.3f", b)
	}
	r := rand.New(rand.NewPCG(16, 17))
	ctx := context.Background()
	ra, dec := fullSky(r, 4000)
	v := make([]float64, len(ra))
	absB := make([]float64, len(ra))
	for i := range v {
		absB[i] = math.Abs(GalacticLatitude(ra[i], dec[i]))
		v[i] = 0.5 + 0.003*absB[i] + 0.3*r.NormFloat64()
	}
	opts := MultipoleOptions{Options: Options{Permutations: 300, Seed: 3}, LMax: 2}
	before, err := TestMultipoles(ctx, ra, dec, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Covariates = []Covariate{{Name: "|b|", Values: absB}}
	after, err := TestMultipoles(ctx, ra, dec, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := after.Covariates[0]
	if before.Orders[1].P > 0.01 || after.Orders[1].P < 0.01 || math.Abs(c.Coef-0.003) > 3*c.SE {
		t.Errorf("l=2 P before %.3g, after %.3g; |b| coefficient %.4f ± %.4f (put in 0.003)", before.Orders[1].P, after.Orders[1].P, c.Coef, c.SE)
	}
}

// TestNearestGalaxy: an axis inside the footprint has a galaxy close by;
// one on the other side of the sky does not.
func TestNearestGalaxy(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 21))
	ra, dec := sdssLike(r, 2000)
	if d := NearestGalaxy(ra, dec, Direction{RA: 180, Dec: 30}); d > 2 {
		t.Errorf("inside the footprint: nearest galaxy %.1f deg away", d)
	}
	if d := NearestGalaxy(ra, dec, Direction{RA: 0, Dec: -60}); d < OutsideFootprint {
		t.Errorf("opposite the footprint: nearest galaxy only %.1f deg away", d)
	}
}
