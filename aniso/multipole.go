package aniso

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
)

// MaxL bounds the multipole order a fit may reach.
const MaxL = 4

// Multipole is one order l of a multipole fit: its 2l+1 coefficients on
// orthonormal real spherical harmonics (m = -l..l), its power, and how
// far it stands from isotropy.
type Multipole struct {
	L    int       `json:"l"`
	Coef []float64 `json:"coef"`
	// Power is C_l = sum over m of a_lm^2 / (2l+1), in the value's units
	// squared per steradian's harmonic normalisation.
	Power float64 `json:"power"`
	// Chi2 is the coefficients' Wald statistic a' Cov^-1 a (2l+1 degrees
	// of freedom for galaxies sampled independently); Exceed counts the
	// permutations whose statistic reached it, and P is
	// (Exceed+1)/(Permutations+1): the calibrated test of this order, the
	// other orders fitted jointly.
	Chi2   float64 `json:"chi2"`
	Exceed int     `json:"exceed"`
	P      float64 `json:"p_mc"`
	// BayesFactor is the evidence for adding this order to the lower
	// ones (for l = 1: a dipole against isotropy), under Zellner's
	// g-prior with g = the number of units fitted (unit information) on
	// every coefficient but the monopole, a flat prior on the monopole
	// and Jeffreys' on the noise variance: above 1 favours the order,
	// below 1 isotropy (Jeffreys' scale: 3, 10, 100).
	BayesFactor float64 `json:"bayes_factor"`
}

// Units is the plural of a Multipoles.Block name, for saying what was
// permuted: galaxies, HEALPix NSIDE 8 pixels, run groups.
func Units(block string) string {
	if block == "galaxy" {
		return "galaxies"
	}
	return block + "s"
}

// CovariateNames are the systematics a catalog's multipoles can be fitted
// jointly with by name: dec (declination, degrees) and glat (|Galactic
// latitude|, degrees).
var CovariateNames = []string{"dec", "glat"}

// Covariate is a systematic fitted jointly with the multipoles: a value
// per galaxy (declination, Galactic latitude, a catalog column).
type Covariate struct {
	Name   string
	Values []float64
}

// CovariateFit is a covariate's fitted coefficient and standard error.
type CovariateFit struct {
	Name string  `json:"name"`
	Coef float64 `json:"coef"`
	SE   float64 `json:"se"`
}

// Multipoles is a joint least-squares fit of the value on real spherical
// harmonics up to LMax over the galaxies' positions (or over blocks'
// mean values when the test permutes blocks), each order tested against
// the same fit of the values permuted among the positions. On a cut sky
// the harmonics are not orthogonal, so orders are fitted together: a
// quadrupole is not read as a dipole.
type Multipoles struct {
	LMax int `json:"l_max"`
	// N is the galaxies fitted; Blocks the units permuted (N when
	// galaxies are permuted one by one).
	N      int `json:"n"`
	Blocks int `json:"blocks"`
	// Block names what a block is ("galaxy" when none). SmallBlocks
	// counts the blocks left out for holding fewer than half the median
	// block's galaxies (a footprint's edge cuts them: their means are
	// noisier than the rest, which permuting would treat as alike), and
	// SmallBlockGalaxies the galaxies in them.
	Block              string      `json:"block"`
	SmallBlocks        int         `json:"small_blocks,omitempty"`
	SmallBlockGalaxies int         `json:"small_block_galaxies,omitempty"`
	Monopole           float64     `json:"monopole"`
	Orders             []Multipole `json:"orders"`
	Permutations       int         `json:"permutations"`
	Seed               uint64      `json:"seed"`
	// DipoleAxis is where the fitted l = 1 part points.
	DipoleAxis Direction `json:"dipole_axis"`
	// Covariates are the systematics fitted jointly (none: absent).
	Covariates []CovariateFit `json:"covariates,omitempty"`
}

// harmonics fills y with the orthonormal real spherical harmonics up to
// lmax at the unit vector u, in the order (l, m) = (0, 0), (1, -1), (1,
// 0), (1, 1), (2, -2), ...
func harmonics(lmax int, u [3]float64, y []float64) {
	x := u[2] // cos theta
	phi := math.Atan2(u[1], u[0])
	s := math.Sqrt(math.Max(0, 1-x*x))
	// p[l][m], associated Legendre functions without the Condon-Shortley
	// phase.
	var p [MaxL + 1][MaxL + 1]float64
	pmm := 1.0
	for m := 0; m <= lmax; m++ {
		if m > 0 {
			pmm *= float64(2*m-1) * s
		}
		p[m][m] = pmm
		if m+1 <= lmax {
			p[m+1][m] = x * float64(2*m+1) * pmm
		}
		for l := m + 2; l <= lmax; l++ {
			p[l][m] = (float64(2*l-1)*x*p[l-1][m] - float64(l+m-1)*p[l-2][m]) / float64(l-m)
		}
	}
	k := 0
	for l := 0; l <= lmax; l++ {
		for m := -l; m <= l; m++ {
			am := abs(m)
			norm := math.Sqrt(float64(2*l+1) / (4 * math.Pi) * factRatio(l, am))
			switch {
			case m > 0:
				y[k] = math.Sqrt2 * norm * math.Cos(float64(m)*phi) * p[l][am]
			case m < 0:
				y[k] = math.Sqrt2 * norm * math.Sin(float64(am)*phi) * p[l][am]
			default:
				y[k] = norm * p[l][0]
			}
			k++
		}
	}
}

func abs(m int) int {
	if m < 0 {
		return -m
	}
	return m
}

// factRatio is (l-m)!/(l+m)!.
func factRatio(l, m int) float64 {
	r := 1.0
	for i := l - m + 1; i <= l+m; i++ {
		r /= float64(i)
	}
	return r
}

// MultipoleOptions are a multipole test's settings beyond Options'.
type MultipoleOptions struct {
	Options
	// LMax is the highest order fitted (1..MaxL; default 2).
	LMax int
	// Blocks, when set, holds each galaxy's block (a HEALPix pixel, an
	// SDSS run): galaxies of a block are averaged into one unit at their
	// mean position and the blocks' means are permuted, so values that
	// are correlated within blocks do not pass for a signal. BlockName
	// says what a block is.
	Blocks    []int
	BlockName string
	// Covariates are fitted jointly with the multipoles (averaged per
	// block with Blocks); they stay with their galaxies when the values
	// are permuted.
	Covariates []Covariate
}

// TestMultipoles fits multipoles up to opts.LMax and judges each order by
// permutations that keep the footprint (of galaxies, or of blocks).
func TestMultipoles(ctx context.Context, ra, dec, v []float64, opts MultipoleOptions) (*Multipoles, error) {
	if opts.LMax == 0 {
		opts.LMax = 2
	}
	if opts.LMax < 1 || opts.LMax > MaxL {
		return nil, fmt.Errorf("anisotropy: l_max %d: want 1..%d", opts.LMax, MaxL)
	}
	if opts.Permutations == 0 {
		opts.Permutations = 1000
	}
	if opts.Permutations < MinPermutations || opts.Permutations > MaxPermutations {
		return nil, fmt.Errorf("anisotropy: %d permutations: want %d..%d", opts.Permutations, MinPermutations, MaxPermutations)
	}
	if len(ra) != len(dec) || len(ra) != len(v) {
		return nil, errors.New("anisotropy: positions and values differ in length")
	}
	for _, c := range opts.Covariates {
		if len(c.Values) != len(v) {
			return nil, fmt.Errorf("anisotropy: covariate %s has %d values for %d galaxies", c.Name, len(c.Values), len(v))
		}
		for i, x := range c.Values {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("anisotropy: covariate %s of galaxy %d is not a number", c.Name, i+1)
			}
		}
	}
	units, vals, small, covs, err := unitsOf(ra, dec, v, opts.Blocks, opts.Covariates)
	if err != nil {
		return nil, err
	}
	k := (opts.LMax+1)*(opts.LMax+1) + len(opts.Covariates)
	if len(units) < 3*k {
		return nil, fmt.Errorf("anisotropy: %d %s for %d coefficients (l_max %d): want at least %d", len(units), plural(opts), k, opts.LMax, 3*k)
	}
	m := newMultiDesign(units, covs, opts.LMax)
	if m == nil {
		return nil, fmt.Errorf("anisotropy: the positions%s do not determine multipoles to l = %d (the footprint is too small, or a covariate follows the harmonics); lower l_max or drop a covariate", covWords(opts), opts.LMax)
	}
	res := &Multipoles{LMax: opts.LMax, N: len(v), Blocks: len(units), Block: "galaxy", Permutations: opts.Permutations, Seed: opts.Seed}
	if opts.Blocks != nil {
		res.Block = opts.BlockName
		if res.Block == "" {
			res.Block = "block"
		}
		res.SmallBlocks, res.SmallBlockGalaxies = small[0], small[1]
	}
	coef, chi := m.fit(vals, nil)
	res.Monopole = coef[0] / (2 * math.Sqrt(math.Pi)) // Y_00 = 1/(2 sqrt(pi))
	for l := 1; l <= opts.LMax; l++ {
		o := Multipole{L: l, Coef: append([]float64(nil), coef[l*l:(l+1)*(l+1)]...), Chi2: chi[l]}
		for _, c := range o.Coef {
			o.Power += c * c
		}
		o.Power /= float64(2*l + 1)
		res.Orders = append(res.Orders, o)
	}
	// The l = 1 coefficients are (y, z, x) times one constant.
	res.DipoleAxis = DirectionOf([3]float64{coef[3], coef[1], coef[2]})
	h := (opts.LMax + 1) * (opts.LMax + 1)
	s2 := m.residualVariance(vals)
	for j, c := range opts.Covariates {
		res.Covariates = append(res.Covariates, CovariateFit{Name: c.Name, Coef: coef[h+j], SE: math.Sqrt(s2 * m.inv[h+j][h+j])})
	}
	for i := range res.Orders {
		res.Orders[i].BayesFactor = m.bayesFactor(vals, res.Orders[i].L, len(opts.Covariates))
	}
	exceed, err := m.permuted(ctx, vals, chi, opts.Options)
	if err != nil {
		return nil, err
	}
	for i := range res.Orders {
		res.Orders[i].Exceed = exceed[i+1]
		res.Orders[i].P = float64(exceed[i+1]+1) / float64(opts.Permutations+1)
	}
	return res, nil
}

func plural(o MultipoleOptions) string {
	if o.Blocks != nil {
		return "blocks"
	}
	return "galaxies"
}

// unitsOf returns the positions and values fitted: the galaxies', or each
// block's mean position and mean value, leaving out blocks of fewer than
// half the median block's galaxies (small: how many, and their galaxies).
func unitsOf(ra, dec, v []float64, blocks []int, covariates []Covariate) (units [][3]float64, vals []float64, small [2]int, covs [][]float64, err error) {
	if blocks == nil {
		u := make([][3]float64, len(ra))
		covs = make([][]float64, len(ra))
		for i := range ra {
			if math.IsNaN(ra[i]) || math.IsNaN(dec[i]) || math.IsNaN(v[i]) {
				return nil, nil, small, nil, fmt.Errorf("anisotropy: galaxy %d has no position or value", i+1)
			}
			u[i] = Direction{ra[i], dec[i]}.Unit()
			for _, c := range covariates {
				covs[i] = append(covs[i], c.Values[i])
			}
		}
		return u, v, small, covs, nil
	}
	if len(blocks) != len(ra) {
		return nil, nil, small, nil, errors.New("anisotropy: blocks and positions differ in length")
	}
	type acc struct {
		u    [3]float64
		v    float64
		c    []float64
		n    int
		name int
	}
	byBlock := map[int]*acc{}
	for i := range ra {
		if math.IsNaN(ra[i]) || math.IsNaN(dec[i]) || math.IsNaN(v[i]) {
			return nil, nil, small, nil, fmt.Errorf("anisotropy: galaxy %d has no position or value", i+1)
		}
		a := byBlock[blocks[i]]
		if a == nil {
			a = &acc{name: blocks[i], c: make([]float64, len(covariates))}
			byBlock[blocks[i]] = a
		}
		for j, c := range covariates {
			a.c[j] += c.Values[i]
		}
		u := Direction{ra[i], dec[i]}.Unit()
		for k := range 3 {
			a.u[k] += u[k]
		}
		a.v += v[i]
		a.n++
	}
	names := make([]int, 0, len(byBlock))
	for b := range byBlock {
		names = append(names, b)
	}
	sort.Ints(names)
	counts := make([]int, len(names))
	for i, b := range names {
		counts[i] = byBlock[b].n
	}
	sort.Ints(counts)
	median := counts[len(counts)/2]
	us := make([][3]float64, 0, len(names))
	vs := make([]float64, 0, len(names))
	for _, b := range names {
		a := byBlock[b]
		if 2*a.n < median {
			small[0]++
			small[1] += a.n
			continue
		}
		r := math.Sqrt(a.u[0]*a.u[0] + a.u[1]*a.u[1] + a.u[2]*a.u[2])
		if r == 0 {
			continue // galaxies spread evenly round the sphere: no position
		}
		us = append(us, [3]float64{a.u[0] / r, a.u[1] / r, a.u[2] / r})
		vs = append(vs, a.v/float64(a.n))
		cv := make([]float64, len(a.c))
		for j := range cv {
			cv[j] = a.c[j] / float64(a.n)
		}
		covs = append(covs, cv)
	}
	return us, vs, small, covs, nil
}

// multiDesign is the fixed part of a multipole fit: the harmonics at the
// positions and the inverse of X'X.
type multiDesign struct {
	lmax int
	x    [][]float64 // unit i's harmonics
	inv  [][]float64
	// blockInv[l] inverts the l block of inv (the coefficients'
	// covariance up to the residual variance).
	blockInv [][][]float64
}

func newMultiDesign(units [][3]float64, covs [][]float64, lmax int) *multiDesign {
	h := (lmax + 1) * (lmax + 1)
	k := h + len(covs[0])
	m := &multiDesign{lmax: lmax, x: make([][]float64, len(units))}
	xtx := make([][]float64, k)
	for i := range xtx {
		xtx[i] = make([]float64, k)
	}
	for i, u := range units {
		y := make([]float64, k)
		harmonics(lmax, u, y)
		copy(y[h:], covs[i])
		m.x[i] = y
		for a := range k {
			for b := range k {
				xtx[a][b] += y[a] * y[b]
			}
		}
	}
	var ok bool
	if m.inv, ok = invert(xtx); !ok {
		return nil
	}
	m.blockInv = make([][][]float64, lmax+1)
	for l := 1; l <= lmax; l++ {
		lo, hi := l*l, (l+1)*(l+1)
		sub := make([][]float64, hi-lo)
		for a := range sub {
			sub[a] = append([]float64(nil), m.inv[lo+a][lo:hi]...)
		}
		if m.blockInv[l], ok = invert(sub); !ok {
			return nil
		}
	}
	return m
}

// residualVariance is the fit's residual variance of the values.
func (m *multiDesign) residualVariance(v []float64) float64 {
	return m.rss(v, nil) / float64(len(m.x)-len(m.inv))
}

// rss is the residual sum of squares of a least-squares fit of v on the
// design's columns cols (nil: all).
func (m *multiDesign) rss(v []float64, cols []int) float64 {
	if cols == nil {
		cols = make([]int, len(m.inv))
		for i := range cols {
			cols[i] = i
		}
	}
	k := len(cols)
	xtx := make([][]float64, k)
	for a := range xtx {
		xtx[a] = make([]float64, k)
	}
	xtv := make([]float64, k)
	var vv float64
	for i, y := range m.x {
		vv += v[i] * v[i]
		for a, ca := range cols {
			xtv[a] += y[ca] * v[i]
			for b, cb := range cols {
				xtx[a][b] += y[ca] * y[cb]
			}
		}
	}
	inv, ok := invert(xtx)
	if !ok {
		return math.NaN()
	}
	var fitted float64
	for a := range k {
		for b := range k {
			fitted += xtv[a] * inv[a][b] * xtv[b]
		}
	}
	return math.Max(vv-fitted, 0)
}

// bayesFactor is the Bayes factor of the model with orders up to l
// against orders up to l-1 (the covariates in both), each against the
// monopole alone by Zellner's g-prior with g = n: BF = (1+g)^((n-1-p)/2)
// (1 + g (1-R^2))^(-(n-1)/2) for p coefficients beside the monopole.
func (m *multiDesign) bayesFactor(v []float64, l, ncov int) float64 {
	n := float64(len(m.x))
	h := (m.lmax + 1) * (m.lmax + 1)
	tss := m.rss(v, []int{0})
	logBF := func(lmax int) float64 {
		cols := []int{}
		for c := range (lmax + 1) * (lmax + 1) {
			cols = append(cols, c)
		}
		for j := range ncov {
			cols = append(cols, h+j)
		}
		p := float64(len(cols) - 1)
		if p == 0 {
			return 0
		}
		r2 := 1 - m.rss(v, cols)/tss
		g := n
		return (n-1-p)/2*math.Log1p(g) - (n-1)/2*math.Log(1+g*(1-r2))
	}
	return math.Exp(logBF(l) - logBF(l-1))
}

// fit returns the coefficients and each order's Wald statistic of the
// values (in the order perm gives them to the positions; nil: as they
// are).
func (m *multiDesign) fit(v []float64, perm []int) ([]float64, []float64) {
	k := len(m.inv)
	xtv := make([]float64, k)
	var vv float64
	for i, y := range m.x {
		vi := v[i]
		if perm != nil {
			vi = v[perm[i]]
		}
		vv += vi * vi
		for a := range k {
			xtv[a] += y[a] * vi
		}
	}
	coef := make([]float64, k)
	var fitted float64
	for a := range k {
		for b := range k {
			coef[a] += m.inv[a][b] * xtv[b]
		}
		fitted += coef[a] * xtv[a]
	}
	dof := float64(len(m.x) - k)
	s2 := math.Max(vv-fitted, 0) / dof
	chi := make([]float64, m.lmax+1)
	for l := 1; l <= m.lmax; l++ {
		lo := l * l
		bi := m.blockInv[l]
		var q float64
		for a := range bi {
			for b := range bi {
				q += coef[lo+a] * bi[a][b] * coef[lo+b]
			}
		}
		if s2 > 0 {
			chi[l] = q / s2
		} else if q > 0 {
			chi[l] = math.Inf(1)
		}
	}
	return coef, chi
}

// permuted counts, per order, the permutations whose statistic reaches
// the observed one.
func (m *multiDesign) permuted(ctx context.Context, v []float64, obs []float64, opts Options) ([]int, error) {
	chis := make([][]float64, opts.Permutations)
	if err := eachPermutation(ctx, len(v), "multipole permutation", opts, func(k int, perm []int) {
		_, chis[k] = m.fit(v, perm)
	}); err != nil {
		return nil, err
	}
	exceed := make([]int, m.lmax+1)
	for _, c := range chis {
		for l := 1; l <= m.lmax; l++ {
			if c[l] >= obs[l]*(1-1e-9) {
				exceed[l]++
			}
		}
	}
	return exceed, nil
}

// invert inverts a symmetric positive definite matrix by Gauss-Jordan
// elimination with partial pivoting; false when it is singular.
func invert(a [][]float64) ([][]float64, bool) {
	n := len(a)
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, 2*n)
		copy(m[i], a[i])
		m[i][n+i] = 1
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		// Singular when what is left of a column is lost in rounding
		// relative to its own size (columns differ in units: a
		// covariate in degrees beside harmonics of order 1).
		if math.Abs(m[p][c]) <= 1e-13*math.Abs(a[c][c]) || a[c][c] == 0 {
			return nil, false
		}
		m[c], m[p] = m[p], m[c]
		d := m[c][c]
		for j := range m[c] {
			m[c][j] /= d
		}
		for r := range n {
			if r != c && m[r][c] != 0 {
				f := m[r][c]
				for j := range m[r] {
					m[r][j] -= f * m[c][j]
				}
			}
		}
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = m[i][n:]
	}
	return out, true
}

// The north Galactic pole and the Galactic centre's longitude reference,
// in equatorial coordinates (J2000).
var galacticPole = Direction{RA: 192.85948, Dec: 27.12825}

// GalacticLatitude is the Galactic latitude b, in degrees, of an
// equatorial direction.
func GalacticLatitude(ra, dec float64) float64 {
	return 90 - Separation(Direction{RA: ra, Dec: dec}, galacticPole)
}

// covWords names the covariates in a message (empty without any).
func covWords(o MultipoleOptions) string {
	if len(o.Covariates) == 0 {
		return ""
	}
	return " and covariates"
}
