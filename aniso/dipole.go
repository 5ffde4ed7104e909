package aniso

import (
	"errors"
	"fmt"
	"math"
)

// Direction is a point on the sky, in degrees.
type Direction struct {
	RA  float64 `json:"ra"`
	Dec float64 `json:"dec"`
}

// Unit is the direction as a unit vector (x towards RA 0 Dec 0, z
// towards the north celestial pole).
func (d Direction) Unit() [3]float64 {
	ra, dec := d.RA*math.Pi/180, d.Dec*math.Pi/180
	return [3]float64{math.Cos(dec) * math.Cos(ra), math.Cos(dec) * math.Sin(ra), math.Sin(dec)}
}

// DirectionOf is the direction a non-zero vector points to.
func DirectionOf(v [3]float64) Direction {
	r := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
	if r == 0 {
		return Direction{}
	}
	ra := math.Atan2(v[1], v[0]) * 180 / math.Pi
	if ra < 0 {
		ra += 360
	}
	return Direction{RA: ra, Dec: math.Asin(math.Max(-1, math.Min(1, v[2]/r))) * 180 / math.Pi}
}

// Separation is the angle between two directions, in degrees.
func Separation(a, b Direction) float64 {
	u, v := a.Unit(), b.Unit()
	c := u[0]*v[0] + u[1]*v[1] + u[2]*v[2]
	return math.Acos(math.Max(-1, math.Min(1, c))) * 180 / math.Pi
}

// Dipole is a least-squares fit of value = Monopole + D . n over the
// galaxies' unit vectors n, every galaxy weighted equally.
type Dipole struct {
	// N is the number of galaxies fitted.
	N int `json:"n"`
	// Monopole is the fitted mean level; MonopoleErr its standard error.
	Monopole    float64 `json:"monopole"`
	MonopoleErr float64 `json:"monopole_err"`
	// Vector is D, in the units of the value (x, y, z as Direction.Unit).
	Vector [3]float64 `json:"vector"`
	// Amplitude is |D|: the value is Monopole +- Amplitude at the axis's
	// two ends. AmplitudeErr is its standard error from the fit's
	// covariance (galaxy sampling only, not the noise of the network
	// that labelled the catalog); a dipole of pure noise has an amplitude
	// of a few AmplitudeErr, which is why significance comes from
	// permutations.
	Amplitude    float64 `json:"amplitude"`
	AmplitudeErr float64 `json:"amplitude_err"`
	// AmplitudeDebiased is sqrt(max(0, Amplitude² - tr C)), C the
	// covariance of D: a noisy vector's length is biased upwards by its
	// noise. AmplitudeLo and AmplitudeHi are the true amplitude's 95%
	// confidence interval (Neyman's, inverted from the length's
	// distribution around the dipole of each amplitude nearest the fit,
	// the direction a nuisance; galaxy sampling only; both the amplitude
	// itself when the fit has no noise). Lo is 0 when a catalog without a
	// dipole would give the amplitude seen more than 2.5% of the time;
	// both are 0 when the amplitude is below what noise alone gives
	// (AmplitudeBelowNoise).
	AmplitudeDebiased float64 `json:"amplitude_debiased"`
	AmplitudeLo       float64 `json:"amplitude_lo"`
	AmplitudeHi       float64 `json:"amplitude_hi"`
	// Axis is where D points; AxisErr the 1-sigma angular uncertainty of
	// that direction in degrees (the root mean square of the two
	// transverse errors over the amplitude), 180 when it is not
	// determined.
	Axis    Direction `json:"axis"`
	AxisErr float64   `json:"axis_err"`
	// Cov is the covariance of (monopole, Dx, Dy, Dz).
	Cov [4][4]float64 `json:"-"`
}

// AmplitudeBelowNoise says whether a dipole of this amplitude, whose
// true amplitude's interval ends at hi, was smaller than 97.5% of
// noise-only catalogs give: its interval is then empty, shown as [0, 0].
func AmplitudeBelowNoise(amplitude, hi float64) bool { return hi == 0 && amplitude > 0 }

// Relative is the amplitude over the monopole (0 when the monopole is 0).
func (d Dipole) Relative() float64 {
	if d.Monopole == 0 {
		return 0
	}
	return d.Amplitude / d.Monopole
}

// design is the fixed part of a dipole fit: the inverse of X'X for the
// positions, so that refitting permuted values costs one pass.
type design struct {
	n   [][3]float64
	inv [4][4]float64
}

// ErrDegenerate is returned when the positions cannot determine a dipole
// (fewer than five galaxies, or all of them on one great circle or at one
// point).
var ErrDegenerate = errors.New("the positions do not determine a dipole (too few galaxies, or all on one great circle)")

func newDesign(ra, dec []float64) (*design, error) {
	if len(ra) != len(dec) {
		return nil, fmt.Errorf("dipole: %d RAs but %d Decs", len(ra), len(dec))
	}
	if len(ra) < 5 {
		return nil, fmt.Errorf("dipole: %d galaxies: %w", len(ra), ErrDegenerate)
	}
	d := &design{n: make([][3]float64, len(ra))}
	var xtx [4][4]float64
	for i := range ra {
		if math.IsNaN(ra[i]) || math.IsNaN(dec[i]) || dec[i] < -90 || dec[i] > 90 || math.IsInf(ra[i], 0) {
			return nil, fmt.Errorf("dipole: galaxy %d has RA %g, Dec %g, not a position on the sky", i+1, ra[i], dec[i])
		}
		u := Direction{ra[i], dec[i]}.Unit()
		d.n[i] = u
		x := [4]float64{1, u[0], u[1], u[2]}
		for a := range 4 {
			for b := range 4 {
				xtx[a][b] += x[a] * x[b]
			}
		}
	}
	inv, ok := invert4(xtx)
	if !ok {
		return nil, fmt.Errorf("dipole: %d galaxies: %w", len(ra), ErrDegenerate)
	}
	d.inv = inv
	return d, nil
}

// coef solves for (monopole, D) given X'v.
func (d *design) coef(xtv [4]float64) [4]float64 {
	var c [4]float64
	for a := range 4 {
		for b := range 4 {
			c[a] += d.inv[a][b] * xtv[b]
		}
	}
	return c
}

// xtv is X'v with the values taken in the order perm gives (nil: as is).
func (d *design) xtv(v []float64, perm []int) [4]float64 {
	var s [4]float64
	for i, u := range d.n {
		x := v[i]
		if perm != nil {
			x = v[perm[i]]
		}
		s[0] += x
		s[1] += x * u[0]
		s[2] += x * u[1]
		s[3] += x * u[2]
	}
	return s
}

func amplitude(c [4]float64) float64 { return math.Sqrt(c[1]*c[1] + c[2]*c[2] + c[3]*c[3]) }

// Fit fits a monopole and a dipole to values at positions (degrees).
func Fit(ra, dec, v []float64) (Dipole, error) {
	d, err := newDesign(ra, dec)
	if err != nil {
		return Dipole{}, err
	}
	return d.fit(v)
}

func (d *design) fit(v []float64) (Dipole, error) {
	if len(v) != len(d.n) {
		return Dipole{}, fmt.Errorf("dipole: %d values for %d positions", len(v), len(d.n))
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Dipole{}, fmt.Errorf("dipole: galaxy %d has value %g", i+1, x)
		}
	}
	c := d.coef(d.xtv(v, nil))
	var rss float64
	for i, u := range d.n {
		r := v[i] - c[0] - c[1]*u[0] - c[2]*u[1] - c[3]*u[2]
		rss += r * r
	}
	s2 := rss / float64(max(1, len(v)-4))
	out := Dipole{N: len(v), Monopole: c[0], Vector: [3]float64{c[1], c[2], c[3]}, Amplitude: amplitude(c)}
	for a := range 4 {
		for b := range 4 {
			out.Cov[a][b] = s2 * d.inv[a][b]
		}
	}
	out.MonopoleErr = math.Sqrt(out.Cov[0][0])
	out.Axis, out.AxisErr = DirectionOf(out.Vector), 180
	if out.Amplitude > 0 {
		// Var(|D|) ~ u' C u, and the transverse variance is what is left
		// of the trace.
		u := [3]float64{c[1] / out.Amplitude, c[2] / out.Amplitude, c[3] / out.Amplitude}
		var along, trace float64
		for a := range 3 {
			trace += out.Cov[a+1][a+1]
			for b := range 3 {
				along += u[a] * out.Cov[a+1][b+1] * u[b]
			}
		}
		out.AmplitudeErr = math.Sqrt(math.Max(0, along))
		trans := math.Sqrt(math.Max(0, trace-along)/2) / out.Amplitude
		if trans < 1 {
			out.AxisErr = math.Asin(trans) * 180 / math.Pi
		}
	}
	out.setAmplitudeRange()
	return out, nil
}

// invert4 inverts a symmetric 4x4 matrix by Gauss-Jordan elimination with
// partial pivoting; false when it is singular.
func invert4(m [4][4]float64) ([4][4]float64, bool) {
	var a [4][8]float64
	var scale float64
	for i := range 4 {
		for j := range 4 {
			a[i][j] = m[i][j]
			scale = math.Max(scale, math.Abs(m[i][j]))
		}
		a[i][4+i] = 1
	}
	if scale == 0 {
		return m, false
	}
	for col := range 4 {
		p := col
		for r := col + 1; r < 4; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-10*scale {
			return m, false
		}
		a[col], a[p] = a[p], a[col]
		f := a[col][col]
		for j := range 8 {
			a[col][j] /= f
		}
		for r := range 4 {
			if r != col && a[r][col] != 0 {
				g := a[r][col]
				for j := range 8 {
					a[r][j] -= g * a[col][j]
				}
			}
		}
	}
	var inv [4][4]float64
	for i := range 4 {
		for j := range 4 {
			inv[i][j] = a[i][4+j]
		}
	}
	return inv, true
}

// NearestGalaxy is the angle in degrees from a direction to the closest
// of the galaxies at (ra, dec): an axis far from every galaxy lies
// outside the footprint, where the fit only extrapolates.
func NearestGalaxy(ra, dec []float64, d Direction) float64 {
	u := d.Unit()
	best := -1.0
	for i := range ra {
		v := Direction{ra[i], dec[i]}.Unit()
		best = math.Max(best, u[0]*v[0]+u[1]*v[1]+u[2]*v[2])
	}
	return math.Acos(math.Max(-1, math.Min(1, best))) * 180 / math.Pi
}

// OutsideFootprint is the angle beyond which NearestGalaxy calls an axis
// outside the footprint.
const OutsideFootprint = 10.0
