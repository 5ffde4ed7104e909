package sky

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Tiling lays a synthetic survey's fields over the whole sky instead of
// listing them: Bands bands of equal area (equal steps in sin Dec), each
// cut into Cells equal ranges of RA, so every field covers the same solid
// angle. Each field's conditions are Sky changed smoothly with the
// position of the field's centre by Gradients and Plane, so that a
// network trained in one part of the sky meets conditions elsewhere that
// it has not seen.
type Tiling struct {
	Bands int `yaml:"bands" json:"bands"`
	Cells int `yaml:"cells" json:"cells"`
	// Sky is the conditions where every gradient is zero (90 degrees from
	// its direction) and far from the plane.
	Sky Conditions `yaml:"sky" json:"sky"`
	// Gradients change one condition each along a direction: by the
	// factor 1 + amplitude cos(angle to the direction) for background,
	// noise, seeing, stars, star_flux and stretch; by amplitude cos(angle)
	// quality steps for jpeg; and for sky_color and tint as a reddening,
	// red times 1 + amplitude cos(angle) and blue times 1 - amplitude
	// cos(angle).
	Gradients map[string]Gradient `yaml:"gradients" json:"gradients,omitempty"`
	// Plane crowds stars towards a great circle (a galactic plane).
	Plane *Plane `yaml:"plane" json:"plane,omitempty"`
}

// Gradient is a smooth change of one condition across the sky.
type Gradient struct {
	// Toward is the direction (RA, Dec in degrees) where the condition is
	// largest.
	Toward    [2]float64 `yaml:"toward" json:"toward"`
	Amplitude float64    `yaml:"amplitude" json:"amplitude"`
}

// Plane multiplies the star density by 1 + Stars exp(-|b| / Width),
// where b is the angle from the great circle whose pole is Pole (RA, Dec
// in degrees): the galactic plane has its north pole at (192.86, 27.13).
type Plane struct {
	Pole  [2]float64 `yaml:"pole" json:"pole"`
	Stars float64    `yaml:"stars" json:"stars"`
	Width float64    `yaml:"width" json:"width"`
}

// maxFields bounds a tiling, so that a typo cannot list millions of fields.
const maxFields = 10_000

// unit is the unit vector of (RA, Dec) in degrees.
func unit(ra, dec float64) [3]float64 {
	a, d := ra*math.Pi/180, dec*math.Pi/180
	return [3]float64{math.Cos(d) * math.Cos(a), math.Cos(d) * math.Sin(a), math.Sin(d)}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// TileName is the name of a tiling's field in band b (0 at the south
// pole) and cell c (0 at RA 0).
func TileName(b, c int) string { return fmt.Sprintf("b%dc%02d", b, c) }

// expand lists the tiling's fields with their boxes and conditions.
func (t *Tiling) expand(perClass int) (map[string]FieldSpec, error) {
	if t.Bands < 1 || t.Cells < 1 || t.Bands*t.Cells > maxFields {
		return nil, fmt.Errorf("survey.tiling: %d bands x %d cells: want 1..%d fields in all", t.Bands, t.Cells, maxFields)
	}
	if t.Bands > 9 || t.Cells > 99 {
		return nil, fmt.Errorf("survey.tiling: at most 9 bands of at most 99 cells (fields are named b0c00 .. b8c98)")
	}
	if err := t.Sky.check(); err != nil {
		return nil, fmt.Errorf("survey.tiling.sky: %w", err)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Gradients)) {
		g := t.Gradients[k]
		cond, ok := conditionNamed(k)
		if !ok {
			return nil, fmt.Errorf("survey.tiling.gradients: unknown condition %.40q (want one of %s)", k, strings.Join(ConditionNames, ", "))
		}
		if g.Toward[1] < -90 || g.Toward[1] > 90 || math.IsNaN(g.Toward[0]) || math.IsNaN(g.Toward[1]) {
			return nil, fmt.Errorf("survey.tiling.gradients.%s: toward [%g, %g] is not an RA, Dec", k, g.Toward[0], g.Toward[1])
		}
		limit := cond.gradientLimit()
		if math.IsNaN(g.Amplitude) || math.Abs(g.Amplitude) > limit {
			return nil, fmt.Errorf("survey.tiling.gradients.%s: amplitude %g is outside -%g..%g", k, g.Amplitude, limit, limit)
		}
	}
	if p := t.Plane; p != nil {
		if p.Pole[1] < -90 || p.Pole[1] > 90 || p.Width <= 0 || p.Width > 180 || p.Stars < 0 || p.Stars > 100 {
			return nil, fmt.Errorf("survey.tiling.plane: want a pole [RA, Dec], width in (0, 180] degrees and stars in 0..100")
		}
	}
	fields := map[string]FieldSpec{}
	for b := range t.Bands {
		s0 := -1 + 2*float64(b)/float64(t.Bands)
		s1 := -1 + 2*float64(b+1)/float64(t.Bands)
		dec0, dec1 := math.Asin(s0)*180/math.Pi, math.Asin(s1)*180/math.Pi
		if b == 0 {
			dec0 = -90
		}
		if b == t.Bands-1 {
			dec1 = 90
		}
		for c := range t.Cells {
			ra0, ra1 := 360*float64(c)/float64(t.Cells), 360*float64(c+1)/float64(t.Cells)
			centre := unit((ra0+ra1)/2, math.Asin((s0+s1)/2)*180/math.Pi)
			sky, err := t.at(centre)
			if err != nil {
				return nil, fmt.Errorf("survey.tiling: field %s: %w", TileName(b, c), err)
			}
			fields[TileName(b, c)] = FieldSpec{RA: [2]float64{ra0, ra1}, Dec: [2]float64{dec0, dec1}, PerClass: perClass, Sky: sky}
		}
	}
	return fields, nil
}

// at is the conditions at a point of the sky.
func (t *Tiling) at(n [3]float64) (Conditions, error) {
	k := t.Sky
	for name, g := range t.Gradients {
		cond, _ := conditionNamed(name) // expand checked the names
		cond.applyGradient(&k, g.Amplitude*dot(n, unit(g.Toward[0], g.Toward[1])))
	}
	if p := t.Plane; p != nil {
		b := math.Asin(math.Max(-1, math.Min(1, dot(n, unit(p.Pole[0], p.Pole[1]))))) * 180 / math.Pi
		k.Stars *= 1 + p.Stars*math.Exp(-math.Abs(b)/p.Width)
	}
	// Round to a few digits, so that the fields as written in a
	// survey's description are readable and digests do not hang on the
	// last bit of a cosine.
	for _, cond := range conditions {
		v := cond.values(&k)
		for i := range v {
			v[i] = math.Round(v[i]*1e6) / 1e6
		}
		cond.set(&k, v)
	}
	if err := k.check(); err != nil {
		return k, err
	}
	return k, nil
}
