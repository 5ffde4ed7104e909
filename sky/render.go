package sky

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// galaxyParams are the drawn properties of one synthetic galaxy.
type galaxyParams struct {
	class    Class
	dx, dy   float64 // centre offset from the cutout centre, px
	cosPA    float64
	sinPA    float64
	q        float64 // axis ratio (cos inclination for disks)
	size     float64 // half-light radius (E) or disk scale length (S), px
	ie       float64 // surface brightness at size (E) or disk centre (S)
	colour   [3]float64
	bulgeRe  float64
	bulgeIe  float64
	bulgeCol [3]float64
	arms     int
	tanPitch float64
	armAmp   float64
	phase    float64
	handed   float64
	armCol   [3]float64
}

// sersicB4 is b_n for n = 4, so that half the light lies inside r_e.
const sersicB4 = 7.669

func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

func jitter(r *rand.Rand, c [3]float64, s float64) [3]float64 {
	for i := range c {
		c[i] *= 1 + s*r.NormFloat64()
		c[i] = max(c[i], 0.05)
	}
	return c
}

// drawGalaxy draws a galaxy's shape, brightness and colours. Ellipticals
// are de Vaucouleurs (Sersic n = 4) profiles, reddish, axis ratio 0.5-1;
// spirals are exponential disks with a small red bulge and 2-4 blue
// logarithmic arms, at any inclination, some nearly edge-on. A fraction of
// both is drawn small and faint.
func drawGalaxy(r *rand.Rand, c Class, p Population) galaxyParams {
	g := galaxyParams{class: c}
	g.dx, g.dy = uniform(r, -1.5, 1.5), uniform(r, -1.5, 1.5)
	pa := r.Float64() * math.Pi
	g.cosPA, g.sinPA = math.Cos(pa), math.Sin(pa)
	g.size = logUniform(r, p.Size[0], p.Size[1])
	bright := logUniform(r, p.Brightness[0], p.Brightness[1])
	if r.Float64() < p.Faint {
		g.size *= uniform(r, 0.45, 0.7)
		bright *= uniform(r, 0.2, 0.45)
	}
	switch c {
	case Elliptical:
		g.q = uniform(r, 0.5, 1)
		g.size *= 1.3
		g.ie = 0.02 * bright
		g.colour = jitter(r, [3]float64{1.0, 0.78, 0.56}, 0.06)
	default:
		if r.Float64() < p.EdgeOn {
			g.q = uniform(r, 0.1, 0.22)
		} else {
			g.q = uniform(r, 0.35, 1)
		}
		g.ie = 0.09 * bright
		g.colour = jitter(r, [3]float64{0.78, 0.82, 0.92}, 0.06)
		g.bulgeRe = g.size * uniform(r, 0.15, 0.3)
		g.bulgeIe = g.ie * uniform(r, 0.02, 0.1)
		g.bulgeCol = jitter(r, [3]float64{1.0, 0.82, 0.6}, 0.05)
		g.arms = 2 + r.IntN(3)
		g.tanPitch = math.Tan(uniform(r, 10, 30) * math.Pi / 180)
		g.armAmp = uniform(r, 0.45, 0.85)
		g.phase = r.Float64() * 2 * math.Pi
		g.handed = 1
		if r.IntN(2) == 0 {
			g.handed = -1
		}
		g.armCol = jitter(r, [3]float64{0.55, 0.72, 1.0}, 0.06)
	}
	return g
}

// sersic4 is the de Vaucouleurs profile at radius r for half-light radius re.
func sersic4(r, re float64) float64 {
	return math.Exp(-sersicB4 * (math.Sqrt(math.Sqrt(r/re)) - 1))
}

// render draws the galaxy, adds field stars, blurs with the PSF, applies
// colour balance, sky and noise, stretches, and compresses as JPEG; it
// returns the JPEG file's bytes.
func render(r *rand.Rand, g galaxyParams, sky Conditions, n int) ([]byte, error) {
	var planes [3][]float64
	for c := range planes {
		planes[c] = make([]float64, n*n)
	}
	cx, cy := float64(n)/2+g.dx, float64(n)/2+g.dy
	// Pixels farther than rmax from the centre (along the major axis, so
	// a fortiori in the disk plane) get less than cutFlux from the galaxy:
	// below the noise of every field, so they are not evaluated.
	rmax := g.extent()
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			px, py := float64(x)+0.5-cx, float64(y)+0.5-cy
			if px*px+py*py > rmax*rmax {
				continue
			}
			u := px*g.cosPA + py*g.sinPA
			v := (-px*g.sinPA + py*g.cosPA) / g.q
			rr := math.Sqrt(u*u + v*v + 0.25)
			o := y*n + x
			if g.class == Elliptical {
				i := g.ie * sersic4(rr, g.size)
				for c := range planes {
					planes[c][o] += i * g.colour[c]
				}
				continue
			}
			disk := g.ie * math.Exp(-rr/g.size)
			// Logarithmic arms: brightness modulated along
			// phi = handed*ln(r)/tan(pitch), faded in beyond the bulge.
			phi := math.Atan2(v, u)
			arm := phi - g.handed*math.Log(rr/g.size+0.1)/g.tanPitch
			pat := 0.5 + 0.5*math.Cos(float64(g.arms)*(arm-g.phase))
			pat *= pat
			fade := math.Min(1, math.Max(0, (rr/g.size-0.25)/0.75))
			a := g.armAmp * fade
			base, armPart := disk*(1-a), disk*a*pat/0.375
			bulge := g.bulgeIe * sersic4(math.Sqrt(px*px+py*py+0.25), g.bulgeRe) * 30
			for c := range planes {
				planes[c][o] += base*g.colour[c] + armPart*g.armCol[c] + bulge*g.bulgeCol[c]
			}
		}
	}
	// Field stars: point sources splatted bilinearly, then blurred by the PSF.
	for k := poisson(r, sky.Stars); k > 0; k-- {
		sx, sy := r.Float64()*float64(n-1), r.Float64()*float64(n-1)
		flux := sky.StarFlux * 3 * math.Pow(10, uniform(r, -1.4, 0.6))
		u := r.Float64()
		col := [3]float64{1, 0.85 + 0.15*u, 0.65 + 0.35*u}
		ix, iy := int(sx), int(sy)
		fx, fy := sx-float64(ix), sy-float64(iy)
		for _, w := range [4]struct {
			x, y int
			w    float64
		}{{ix, iy, (1 - fx) * (1 - fy)}, {ix + 1, iy, fx * (1 - fy)}, {ix, iy + 1, (1 - fx) * fy}, {ix + 1, iy + 1, fx * fy}} {
			for c := range planes {
				planes[c][w.y*n+w.x] += flux * w.w * col[c]
			}
		}
	}
	kernel := gaussKernel(sky.Seeing / 2.3548)
	tmp := make([]float64, n*n)
	for c := range planes {
		convolve(planes[c], tmp, kernel, n)
	}
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	levels := stretchLevels(sky.Stretch)
	for c := range planes {
		bg := sky.Background * sky.SkyColor[c] * sky.Tint[c]
		for o, v := range planes[c] {
			v = v*sky.Tint[c] + bg
			v += sky.Noise * math.Sqrt(1+math.Max(v, 0)/0.05) * r.NormFloat64()
			img.Pix[4*o+c] = levels.byte(v)
		}
	}
	for o := 0; o < n*n; o++ {
		img.Pix[4*o+3] = 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: sky.JPEG}); err != nil {
		return nil, fmt.Errorf("synthetic survey: jpeg: %w", err)
	}
	return buf.Bytes(), nil
}

// poisson draws a Poisson variate (Knuth's method; means here are small).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func gaussKernel(sigma float64) []float64 {
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	var sum float64
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// convolve blurs an n x n plane in place with a separable kernel; flux that
// would fall outside the cutout is lost, as on a detector.
func convolve(p, tmp, k []float64, n int) {
	rad := len(k) / 2
	pad := make([]float64, n+2*rad)
	// Rows: copy each row into a zero-padded line, then slide the kernel.
	for y := 0; y < n; y++ {
		copy(pad[rad:], p[y*n:(y+1)*n])
		out := tmp[y*n : (y+1)*n]
		for x := range out {
			var s float64
			for i, w := range k {
				s += w * pad[x+i]
			}
			out[x] = s
		}
	}
	// Columns: accumulate whole rows, so the inner loop runs along memory.
	clear(p)
	for y := 0; y < n; y++ {
		dst := p[y*n : (y+1)*n]
		for i, w := range k {
			yy := y + i - rad
			if yy < 0 || yy >= n {
				continue
			}
			src := tmp[yy*n : (yy+1)*n]
			for x, v := range src {
				dst[x] += w * v
			}
		}
	}
}

// cutFlux is the surface brightness below which a galaxy's light is not
// drawn: a hundredth of the faintest field noise.
const cutFlux = 1e-4

// extent is the radius beyond which the galaxy is fainter than cutFlux.
func (g *galaxyParams) extent() float64 {
	sersicR := func(ie, re float64) float64 {
		if ie <= cutFlux {
			return re
		}
		t := 1 + math.Log(ie/cutFlux)/sersicB4
		return re * t * t * t * t
	}
	if g.class == Elliptical {
		return sersicR(g.ie, g.size) + 1
	}
	disk := g.size * math.Log(math.Max(g.ie*3/cutFlux, 1))
	return math.Max(disk, sersicR(g.bulgeIe*30, g.bulgeRe)) + 1
}

// stretch maps linear flux to bytes by an asinh stretch. It holds the flux
// at which each byte value begins and a coarse index into those levels, so
// a pixel costs a table look-up and a step or two rather than an asinh.
type stretch struct {
	level [256]float64
	guess [stretchSteps]uint8
	step  float64
}

const stretchSteps = 4096

// stretchLevels precomputes the asinh stretch with softening beta:
// byte = round(255 * asinh(v/beta) / asinh(1/beta)), clamped to 0..255.
func stretchLevels(beta float64) *stretch {
	s := &stretch{}
	norm := math.Asinh(1 / beta)
	s.level[0] = math.Inf(-1)
	for k := 1; k < 256; k++ {
		s.level[k] = beta * math.Sinh((float64(k)-0.5)/255*norm)
	}
	s.step = s.level[255] / stretchSteps
	k := 0
	for i := range s.guess {
		v := float64(i) * s.step
		for k < 255 && s.level[k+1] <= v {
			k++
		}
		s.guess[i] = uint8(k)
	}
	return s
}

func (s *stretch) byte(v float64) uint8 {
	if v < s.level[1] {
		return 0
	}
	if v >= s.level[255] {
		return 255
	}
	k := int(s.guess[min(int(v/s.step), stretchSteps-1)])
	for k < 255 && s.level[k+1] <= v {
		k++
	}
	for s.level[k] > v {
		k--
	}
	return uint8(k)
}
