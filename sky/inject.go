package sky

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"strings"
)

// Inject is a positive control on real images: a known cue added to the
// images of one region of a catalog, at a stated strength, so that a probe
// or a design run at the sizes of a real study shows what it would have
// seen had the region's images differed by that much. The cue is applied
// to each image at the network's input size, after it is read and
// resampled. It is part of the source's digest, so a job on injected
// images never reuses one on clean images.
type Inject struct {
	// Region names the source's region whose images get the cue; or RA
	// and Dec (degrees, each [min, max]) bound a box of their own.
	Region string    `yaml:"region" json:"region,omitempty"`
	RA     []float64 `yaml:"ra" json:"ra,omitempty"`
	Dec    []float64 `yaml:"dec" json:"dec,omitempty"`
	// Cue is one of Cues' names; Strength its size in that cue's unit.
	Cue      string  `yaml:"cue" json:"cue"`
	Strength float64 `yaml:"strength" json:"strength"`

	box *Region // from RA and Dec
}

// Cue is one kind of injected difference.
type Cue struct {
	// Name is what catalog.inject.cue says; Unit what its strength means;
	// Lo and Hi bound the strength.
	Name, Unit string
	Lo, Hi     float64
	apply      func(img *Image, strength float64, seed uint64)
}

// Cues are the injectable cues, the one list the checks, the messages and
// the studies derive from.
var Cues = []Cue{
	{"sky", "sky level added to every colour, as a fraction of full scale (0.01 = 2.55 grey levels)", 0, 0.5, addSky},
	{"tint", "red multiplied by 1+s and blue by 1-s", 0, 0.5, addTint},
	{"blur", "Gaussian blur of this sigma, in pixels of the network's input", 0, 10, addBlur},
	{"noise", "Gaussian noise of this standard deviation, as a fraction of full scale, seeded per galaxy", 0, 0.5, addNoise},
	{"jpeg", "JPEG re-compression at this quality (1-100; lower is stronger)", 1, 100, addJPEG},
}

// CueNames lists the cues' names.
func CueNames() []string {
	var s []string
	for _, c := range Cues {
		s = append(s, c.Name)
	}
	return s
}

func (in *Inject) cue() (Cue, bool) {
	for _, c := range Cues {
		if c.Name == in.Cue {
			return c, true
		}
	}
	return Cue{}, false
}

// check holds the injection to a known region, cue and strength.
func (in *Inject) check(regions map[string]*Region) error {
	c, ok := in.cue()
	if !ok {
		return fmt.Errorf("catalog.inject.cue: %q (want one of %s)", in.Cue, strings.Join(CueNames(), ", "))
	}
	if !(in.Strength >= c.Lo && in.Strength <= c.Hi) {
		return fmt.Errorf("catalog.inject.strength: %g for cue %s (%s) is outside %g..%g", in.Strength, c.Name, c.Unit, c.Lo, c.Hi)
	}
	if in.Region == "" {
		if in.RA == nil && in.Dec == nil {
			return fmt.Errorf("catalog.inject: name a region of the source (region:) or give a box (ra: [min, max], dec: [min, max])")
		}
		in.box = &Region{Name: "inject"}
		for _, b := range []struct {
			v   []float64
			dst **Range
			key string
		}{{in.RA, &in.box.RA, "ra"}, {in.Dec, &in.box.Dec, "dec"}} {
			if b.v == nil {
				continue
			}
			if len(b.v) != 2 {
				return fmt.Errorf("catalog.inject.%s: want [min, max]", b.key)
			}
			*b.dst = &Range{Min: b.v[0], Max: b.v[1]}
		}
		if err := in.box.Validate(); err != nil {
			return fmt.Errorf("catalog.inject: %w", err)
		}
		return nil
	}
	if in.RA != nil || in.Dec != nil {
		return fmt.Errorf("catalog.inject: give region: or a box (ra:, dec:), not both")
	}
	if _, ok := regions[in.Region]; !ok {
		var names []string
		for n := range regions {
			names = append(names, n)
		}
		return fmt.Errorf("catalog.inject.region: %q is not a region of this source (it has %s)", in.Region, strings.Join(names, ", "))
	}
	return nil
}

// apply adds the cue to img (in place) when g lies in the region.
func (in *Inject) apply(img *Image, g *Galaxy, regions map[string]*Region) error {
	r := in.box
	if r == nil {
		r = regions[in.Region]
	}
	inside, err := r.Contains(g)
	if err != nil || !inside {
		return err
	}
	c, _ := in.cue()
	c.apply(img, in.Strength, SubSeed(0x1de7, "inject", g.ID))
	return nil
}

func addSky(img *Image, s float64, _ uint64) {
	d := float32(s * 255)
	for i, v := range img.Pix {
		img.Pix[i] = clamp8(float32(v) + d)
	}
}

func addTint(img *Image, s float64, _ uint64) {
	for i := 0; i < len(img.Pix); i += 3 {
		img.Pix[i] = clamp8(float32(img.Pix[i]) * float32(1+s))
		img.Pix[i+2] = clamp8(float32(img.Pix[i+2]) * float32(1-s))
	}
}

func addNoise(img *Image, s float64, seed uint64) {
	r := NewRand(seed, "noise")
	for i, v := range img.Pix {
		img.Pix[i] = clamp8(float32(float64(v) + r.NormFloat64()*s*255))
	}
}

func addBlur(img *Image, s float64, _ uint64) {
	if s <= 0 {
		return
	}
	k := gaussKernel(s) // the renderer's PSF kernel; the edges here are extended, not lost
	rad := len(k) / 2
	n := img.Size
	src := make([]float64, len(img.Pix))
	for i, v := range img.Pix {
		src[i] = float64(v)
	}
	tmp := make([]float64, len(src))
	at := func(x int) int { return max(0, min(n-1, x)) } // edges extended
	for y := range n {
		for x := range n {
			for c := range 3 {
				var v float64
				for j, w := range k {
					v += w * src[(y*n+at(x+j-rad))*3+c]
				}
				tmp[(y*n+x)*3+c] = v
			}
		}
	}
	for y := range n {
		for x := range n {
			for c := range 3 {
				var v float64
				for j, w := range k {
					v += w * tmp[(at(y+j-rad)*n+x)*3+c]
				}
				img.Pix[(y*n+x)*3+c] = clamp8(float32(v))
			}
		}
	}
}

func addJPEG(img *Image, q float64, _ uint64) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img.RGBA(), &jpeg.Options{Quality: int(q)}); err != nil {
		return
	}
	dec, err := jpeg.Decode(&b)
	if err != nil {
		return
	}
	for y := range img.Size {
		for x := range img.Size {
			r, g, bl, _ := dec.At(x, y).RGBA()
			o := (y*img.Size + x) * 3
			img.Pix[o], img.Pix[o+1], img.Pix[o+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
}
