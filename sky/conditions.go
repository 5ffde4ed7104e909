package sky

import (
	"fmt"
	"math"
)

// A condition is one observing condition of Conditions, described once:
// its name in YAML, its values (one, or three for an RGB multiplier), the
// range they must lie in, and how a tiling's gradient changes it. The
// contrast of a survey, a tiling's gradients, the rounding of a tiling's
// fields and the range checks all walk this table, so a new condition is
// a field of Conditions, a row here, and what the renderer does with it.
type condition struct {
	name string
	// get returns pointers to the condition's values in c; an integer
	// condition (JPEG quality) is read and written through set.
	get func(c *Conditions) []*float64
	// integer conditions are stored rounded and clamped to [lo, hi].
	integer bool
	// lo and hi bound the values: lo excluded when loOpen, NaN refused.
	lo, hi float64
	loOpen bool
	// zero is what an unset (0) value means, where 0 is not a value (an
	// RGB multiplier, the star flux); 0 where 0 is a value.
	zero float64
	// unit follows the value in messages ("px", "per cutout").
	unit string
	// gradient is how a tiling's gradient of amplitude a at a point
	// (c = a times the cosine to its direction) changes the condition.
	gradient gradientKind
}

// gradientKind is how a tiling's gradient changes a condition.
type gradientKind int

const (
	// scaleBy multiplies the value by 1 + c.
	scaleBy gradientKind = iota
	// shiftBy adds c (an integer condition: JPEG quality points).
	shiftBy
	// redderBy multiplies red by 1 + c and blue by 1 - c.
	redderBy
)

// gradientLimit bounds a gradient's amplitude for a condition.
func (k condition) gradientLimit() float64 {
	if k.gradient == shiftBy {
		return k.hi - 1
	}
	return 0.95
}

// conditions is the table of observing conditions, in the order of
// Conditions. ConditionNames is derived from it.
var conditions = []condition{
	{name: "background", get: func(c *Conditions) []*float64 { return []*float64{&c.Background} }, lo: 0, hi: 1},
	{name: "sky_color", get: func(c *Conditions) []*float64 { return rgb(&c.SkyColor) }, lo: 0, hi: 10, loOpen: true, zero: 1, gradient: redderBy},
	{name: "tint", get: func(c *Conditions) []*float64 { return rgb(&c.Tint) }, lo: 0, hi: 10, loOpen: true, zero: 1, gradient: redderBy},
	{name: "noise", get: func(c *Conditions) []*float64 { return []*float64{&c.Noise} }, lo: 0, hi: 1},
	{name: "seeing", get: func(c *Conditions) []*float64 { return []*float64{&c.Seeing} }, lo: 0, hi: 20, loOpen: true, unit: " px"},
	{name: "stars", get: func(c *Conditions) []*float64 { return []*float64{&c.Stars} }, lo: 0, hi: 200, unit: " per cutout"},
	{name: "star_flux", get: func(c *Conditions) []*float64 { return []*float64{&c.StarFlux} }, lo: 0, hi: 100, loOpen: true, zero: 1},
	{name: "jpeg", integer: true, lo: 1, hi: 100, gradient: shiftBy},
	{name: "stretch", get: func(c *Conditions) []*float64 { return []*float64{&c.Stretch} }, lo: 0, hi: 10, loOpen: true},
}

func rgb(v *[3]float64) []*float64 { return []*float64{&v[0], &v[1], &v[2]} }

// ConditionNames are the conditions of a field, in the order of
// Conditions: what survey.contrasts scales one at a time and a tiling's
// gradients change.
var ConditionNames = func() []string {
	names := make([]string, len(conditions))
	for i, k := range conditions {
		names[i] = k.name
	}
	return names
}()

// values reads a condition's values from c.
func (k condition) values(c *Conditions) []float64 {
	if k.integer {
		return []float64{float64(c.JPEG)}
	}
	ps := k.get(c)
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// set writes a condition's values into c (integers rounded and clamped
// to the condition's range).
func (k condition) set(c *Conditions, v []float64) {
	if k.integer {
		c.JPEG = int(math.Min(k.hi, math.Max(k.lo, math.Round(v[0]))))
		return
	}
	for i, p := range k.get(c) {
		*p = v[i]
	}
}

// check tests a condition's values against its range after giving unset
// values their meaning; every test is written so that NaN fails it.
func (k condition) check(c *Conditions) error {
	v := k.values(c)
	if k.zero != 0 {
		for i := range v {
			if v[i] == 0 {
				v[i] = k.zero
			}
		}
		k.set(c, v)
	}
	for _, x := range v {
		ok := x <= k.hi && (x > k.lo || !k.loOpen && x >= k.lo)
		if ok {
			continue
		}
		rng := fmt.Sprintf("%g..%g", k.lo, k.hi)
		if k.loOpen {
			rng = fmt.Sprintf("(%g, %g]", k.lo, k.hi)
		}
		what := fmt.Sprintf("%g", x)
		if len(v) == 3 {
			what = fmt.Sprintf("%v", v)
		}
		if k.integer {
			return fmt.Errorf("%s quality %d is outside %s", k.name, c.JPEG, rng)
		}
		return fmt.Errorf("%s %s%s is outside %s", k.name, what, k.unit, rng)
	}
	return nil
}

// check tests every condition of c against its range, giving unset
// values (0 where 0 is not a value) their meaning.
func (c *Conditions) check() error {
	for _, k := range conditions {
		if err := k.check(c); err != nil {
			return err
		}
	}
	return nil
}

// conditionNamed is the table's row of a name.
func conditionNamed(name string) (condition, bool) {
	for _, k := range conditions {
		if k.name == name {
			return k, true
		}
	}
	return condition{}, false
}

// applyGradient changes c by a tiling gradient's value g (the amplitude
// times the cosine to its direction) at a point.
func (k condition) applyGradient(c *Conditions, g float64) {
	v := k.values(c)
	switch k.gradient {
	case scaleBy:
		for i := range v {
			v[i] *= 1 + g
		}
	case shiftBy:
		v[0] += g
	case redderBy:
		v[0] *= 1 + g
		v[2] *= 1 - g
	}
	k.set(c, v)
}
