package healpix

import (
	"fmt"
	"math"
)

// MaxNside is the largest NSIDE accepted: 12 * 8192^2 = 805 million
// pixels, far more than a catalog fills.
const MaxNside = 8192

// Npix is the number of pixels of a map of nside.
func Npix(nside int) int { return 12 * nside * nside }

// CheckNside says whether nside is a power of two from 1 to MaxNside.
func CheckNside(nside int) error {
	if nside < 1 || nside > MaxNside || nside&(nside-1) != 0 {
		return fmt.Errorf("nside %d: want a power of two from 1 to %d", nside, MaxNside)
	}
	return nil
}

// Order is a map's pixel ordering.
type Order int

// The two orderings of the HEALPix standard.
const (
	Ring Order = iota
	Nested
)

// String is the ORDERING keyword's value.
func (o Order) String() string {
	if o == Nested {
		return "NESTED"
	}
	return "RING"
}

// Pixel is the pixel of order o holding the direction (ra, dec) in
// degrees; nside must pass CheckNside. Colatitude theta = 90 - dec and
// longitude phi = ra, as healpy's ang2pix(nside, ra, dec, lonlat=True).
//
// The arithmetic follows the HEALPix library's step by step (theta from
// pi/2 minus the latitude in radians, sin theta near the poles), so that
// a direction on a pixel's edge falls where healpy puts it.
func Pixel(nside int, o Order, ra, dec float64) int {
	const radians = math.Pi / 180
	theta := math.Pi/2 - dec*radians
	p := loc{z: math.Cos(theta), tt: fmodulo(ra*radians*invHalfPi, 4)}
	if theta < 0.01 || theta > 3.14159-0.01 {
		p.sth, p.haveSth = math.Sin(theta), true
	}
	if o == Nested {
		return nest(nside, p)
	}
	return ring(nside, p)
}

const invHalfPi = 2 / math.Pi

// loc is a direction as the pixel functions take it: z = cos theta, tt =
// phi / (pi/2) in [0, 4), and sin theta where it is more precise than z.
type loc struct {
	z, tt, sth float64
	haveSth    bool
}

// fmodulo is v modulo m in [0, m).
func fmodulo(v, m float64) float64 {
	if v >= 0 {
		if v < m {
			return v
		}
		return math.Mod(v, m)
	}
	r := math.Mod(v, m) + m
	if r == m {
		return 0
	}
	return r
}

// polar is nside times the distance from the pole in the polar caps'
// coordinates.
func (p loc) polar(nside int) float64 {
	za := math.Abs(p.z)
	if p.haveSth {
		return float64(nside) * p.sth * math.Sqrt(3/(1+za))
	}
	return float64(nside) * math.Sqrt(3*(1-za))
}

// ring is the RING pixel of a direction.
func ring(nside int, p loc) int {
	z, tt := p.z, p.tt
	za := math.Abs(z)
	ns := float64(nside)
	if za <= 2.0/3 { // equatorial belt
		t1 := ns * (0.5 + tt)
		t2 := ns * z * 0.75
		jp := int(t1 - t2) // ascending edge line
		jm := int(t1 + t2) // descending edge line
		ir := nside + 1 + jp - jm
		kshift := 1 - ir&1
		ip := (jp + jm - nside + kshift + 1) / 2
		ip %= 4 * nside
		return 2*nside*(nside-1) + (ir-1)*4*nside + ip
	}
	tp := tt - float64(int(tt))
	tmp := p.polar(nside)
	jp := int(tp * tmp)
	jm := int((1 - tp) * tmp)
	ir := jp + jm + 1 // ring number counted from the closest pole
	ip := int(tt * float64(ir))
	ip %= 4 * ir
	if z > 0 {
		return 2*ir*(ir-1) + ip
	}
	return Npix(nside) - 2*ir*(ir+1) + ip
}

// nest is the NESTED pixel of a direction.
func nest(nside int, p loc) int {
	z, tt := p.z, p.tt
	za := math.Abs(z)
	ns := float64(nside)
	var face, ix, iy int
	if za <= 2.0/3 {
		t1 := ns * (0.5 + tt)
		t2 := ns * z * 0.75
		jp := int(t1 - t2)
		jm := int(t1 + t2)
		ifp, ifm := jp/nside, jm/nside
		switch {
		case ifp == ifm:
			face = ifp | 4
		case ifp < ifm:
			face = ifp
		default:
			face = ifm + 8
		}
		ix = jm & (nside - 1)
		iy = nside - (jp & (nside - 1)) - 1
	} else {
		ntt := min(3, int(tt))
		tp := tt - float64(ntt)
		tmp := p.polar(nside)
		jp := min(nside-1, int(tp*tmp))
		jm := min(nside-1, int((1-tp)*tmp))
		if z >= 0 {
			face, ix, iy = ntt, nside-jm-1, nside-jp-1
		} else {
			face, ix, iy = ntt+8, jp, jm
		}
	}
	return face*nside*nside + spread(ix) + 2*spread(iy)
}

// spread puts the bits of x at the even bit positions.
func spread(x int) int {
	var out int
	for b := 0; x>>b != 0; b++ {
		out |= (x >> b & 1) << (2 * b)
	}
	return out
}
