package sky

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// RendererVersion changes whenever the synthetic renderer draws different
// pixels for the same survey; it is part of every survey's digest, so
// stored results of an older renderer are never mistaken for new ones.
const RendererVersion = "synth-2"

// maxPerClass bounds the galaxies per class a survey may list (all fields
// together), so that a typo cannot ask for a catalog that fills memory.
const maxPerClass = 500_000

// Conditions are the observing conditions of one field of a synthetic
// survey. Fluxes are linear, in units where 1 is white after the stretch.
type Conditions struct {
	// Background is the sky level; SkyColor its colour (RGB multipliers).
	Background float64    `yaml:"background" json:"background"`
	SkyColor   [3]float64 `yaml:"sky_color" json:"sky_color"`
	// Tint is the colour balance applied to everything (RGB multipliers).
	Tint [3]float64 `yaml:"tint" json:"tint"`
	// Noise is the standard deviation of the pixel noise at zero signal;
	// it grows with the square root of the signal.
	Noise float64 `yaml:"noise" json:"noise"`
	// Seeing is the PSF's full width at half maximum, in pixels.
	Seeing float64 `yaml:"seeing" json:"seeing"`
	// Stars is the mean number of field stars per cutout; StarFlux scales
	// their brightness.
	Stars    float64 `yaml:"stars" json:"stars"`
	StarFlux float64 `yaml:"star_flux" json:"star_flux"`
	// JPEG is the quality (1-100) the cutout is compressed with.
	JPEG int `yaml:"jpeg" json:"jpeg"`
	// Stretch is the asinh softening: smaller shows fainter detail.
	Stretch float64 `yaml:"stretch" json:"stretch"`
}

// Variation is how much observing conditions change from one cutout to
// the next within a field: relative standard deviations for background,
// noise and seeing, and an absolute one for the colour balance. Real
// cutouts of one field are not taken under one sky, so a network cannot
// tell fields apart from a single image for certain.
type Variation struct {
	Background float64 `yaml:"background" json:"background"`
	Noise      float64 `yaml:"noise" json:"noise"`
	Seeing     float64 `yaml:"seeing" json:"seeing"`
	Tint       float64 `yaml:"tint" json:"tint"`
}

// apply draws one cutout's conditions around the field's.
func (v Variation) apply(r *rand.Rand, c Conditions) Conditions {
	c.Background = math.Max(0, c.Background*(1+v.Background*r.NormFloat64()))
	c.Noise = math.Max(0, c.Noise*(1+v.Noise*r.NormFloat64()))
	c.Seeing = math.Min(20, math.Max(0.3, c.Seeing*math.Exp(v.Seeing*r.NormFloat64())))
	for i := range 3 {
		c.Tint[i] = math.Max(0.05, c.Tint[i]*(1+v.Tint*r.NormFloat64()))
		c.SkyColor[i] = math.Max(0.05, c.SkyColor[i]*(1+v.Tint*r.NormFloat64()))
	}
	return c
}

func (v Variation) check() error {
	for _, x := range []float64{v.Background, v.Noise, v.Seeing, v.Tint} {
		if x < 0 || x > 2 {
			return fmt.Errorf("variation %g is outside 0..2", x)
		}
	}
	return nil
}

// Population sets the distributions galaxies are drawn from. Zero values
// take the defaults of DefaultPopulation.
type Population struct {
	// Size is the range of half-light radii (ellipticals) and disk scale
	// lengths (spirals), in pixels of the native image, drawn log-uniform.
	Size [2]float64 `yaml:"size" json:"size"`
	// Brightness is the range of surface-brightness scale, log-uniform.
	Brightness [2]float64 `yaml:"brightness" json:"brightness"`
	// Faint is the fraction of galaxies drawn small and faint, so that
	// the task is not trivial.
	Faint float64 `yaml:"faint" json:"faint"`
	// EdgeOn is the fraction of spirals seen nearly edge-on.
	EdgeOn float64 `yaml:"edge_on" json:"edge_on"`
}

// DefaultPopulation is the population used where a survey sets none.
var DefaultPopulation = Population{Size: [2]float64{3.5, 9}, Brightness: [2]float64{0.6, 2.5}, Faint: 0.2, EdgeOn: 0.15}

// FieldSpec declares one field of a synthetic survey: a box on the sky,
// how many galaxies of each class it holds, and its conditions.
type FieldSpec struct {
	RA       [2]float64 `yaml:"ra" json:"ra"`
	Dec      [2]float64 `yaml:"dec" json:"dec"`
	PerClass int        `yaml:"per_class" json:"per_class"`
	Sky      Conditions `yaml:"sky" json:"sky"`
}

// SurveySpec is the YAML form of a synthetic survey (the "survey:" block).
type SurveySpec struct {
	Name string `yaml:"name" json:"name"`
	Seed uint64 `yaml:"seed" json:"seed"`
	// Size is the side of the rendered cutouts in pixels (120 as in the paper).
	Size int `yaml:"size" json:"size"`
	// PerClass is the default number of galaxies per class in each field.
	PerClass   int        `yaml:"per_class" json:"per_class"`
	Population Population `yaml:"population" json:"population"`
	// Vary is the cutout-to-cutout variation of conditions in every field.
	Vary   Variation            `yaml:"vary" json:"vary"`
	Fields map[string]FieldSpec `yaml:"fields" json:"fields"`
	// Contrast scales every field's deviation from the fields' mean
	// conditions (background, sky colour, tint, noise, seeing, stars, star
	// flux, JPEG quality, stretch): 0 gives every field the mean sky (a
	// null survey), 1 (or absent) the fields as written, 2 twice as
	// different. The digest covers the resolved fields.
	Contrast *float64 `yaml:"contrast" json:"contrast,omitempty"`
	// Contrasts sets the contrast of single conditions by name
	// (background, sky_color, tint, noise, seeing, stars, star_flux, jpeg,
	// stretch), overriding Contrast for those: {contrast: 0, contrasts:
	// {stars: 2}} keeps only the fields' star difference, doubled;
	// {contrast: 0.3, contrasts: {stars: 1}} keeps the star counts as
	// written and shrinks everything else.
	Contrasts map[string]float64 `yaml:"contrasts" json:"contrasts,omitempty"`
	// Tiling lays the fields over the whole sky instead of Fields
	// listing them (an all-sky survey); the two are exclusive.
	Tiling *Tiling `yaml:"tiling" json:"tiling,omitempty"`
}

// Survey is a synthetic survey: a Source whose galaxies are rendered on
// demand. Galaxy i of a field and class is the same image whatever else is
// rendered, on any number of cores.
type Survey struct {
	spec    SurveySpec
	path    string
	gals    []Galaxy
	regions map[string]*Region
	byID    map[string]int
	digest  string
}

// NewSurvey checks a survey specification and lists its galaxies; path
// names the file in errors.
func NewSurvey(path string, spec SurveySpec) (*Survey, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("%s: survey.name is missing", path)
	}
	if spec.Size == 0 {
		spec.Size = 120
	}
	if spec.Size < 16 || spec.Size > 1024 {
		return nil, fmt.Errorf("%s: survey.size %d is outside 16..1024", path, spec.Size)
	}
	if spec.PerClass < 0 {
		return nil, fmt.Errorf("%s: survey.per_class %d: want a positive number of galaxies per class", path, spec.PerClass)
	}
	if spec.Tiling != nil {
		if len(spec.Fields) > 0 {
			return nil, fmt.Errorf("%s: survey.tiling lays out the fields itself; leave survey.fields out", path)
		}
		if spec.PerClass == 0 {
			return nil, fmt.Errorf("%s: survey.per_class is missing (galaxies per class in each field of the tiling)", path)
		}
		fields, err := spec.Tiling.expand(spec.PerClass)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		spec.Fields = fields
	}
	if len(spec.Fields) == 0 {
		return nil, fmt.Errorf("%s: survey.fields is empty (declare at least one field)", path)
	}
	p := &spec.Population
	d := DefaultPopulation
	if p.Size == [2]float64{} {
		p.Size = d.Size
	}
	if p.Brightness == [2]float64{} {
		p.Brightness = d.Brightness
	}
	if p.Faint == 0 {
		p.Faint = d.Faint
	}
	if p.EdgeOn == 0 {
		p.EdgeOn = d.EdgeOn
	}
	if p.Size[0] <= 0 || p.Size[1] < p.Size[0] || p.Brightness[0] <= 0 || p.Brightness[1] < p.Brightness[0] {
		return nil, fmt.Errorf("%s: survey.population: size and brightness want [min, max] with 0 < min <= max", path)
	}
	if p.Faint < 0 || p.Faint > 1 || p.EdgeOn < 0 || p.EdgeOn > 1 {
		return nil, fmt.Errorf("%s: survey.population: faint and edge_on are fractions in 0..1", path)
	}
	if err := spec.Vary.check(); err != nil {
		return nil, fmt.Errorf("%s: survey.vary: %w", path, err)
	}
	names := make([]string, 0, len(spec.Fields))
	for n := range spec.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0
	s := &Survey{spec: spec, path: path, regions: map[string]*Region{}, byID: map[string]int{}}
	for _, name := range names {
		f := spec.Fields[name]
		if strings.ContainsAny(name, " /") || name == "" {
			return nil, fmt.Errorf("%s: survey.fields.%s: field names are single words", path, name)
		}
		if f.PerClass < 0 {
			return nil, fmt.Errorf("%s: survey.fields.%s.per_class %d: want a positive number of galaxies per class", path, name, f.PerClass)
		}
		if f.PerClass == 0 {
			f.PerClass = spec.PerClass
		}
		if f.PerClass <= 0 {
			return nil, fmt.Errorf("%s: survey.fields.%s.per_class is missing (galaxies per class in the field, or survey.per_class for all)", path, name)
		}
		if total += f.PerClass; f.PerClass > maxPerClass || total > maxPerClass {
			return nil, fmt.Errorf("%s: survey.fields.%s.per_class: more than %d galaxies per class in the survey", path, name, maxPerClass)
		}
		if err := f.Sky.check(); err != nil {
			return nil, fmt.Errorf("%s: survey.fields.%s.sky: %w", path, name, err)
		}
		r := &Region{Name: name, RA: &Range{f.RA[0], f.RA[1]}, Dec: &Range{f.Dec[0], f.Dec[1]}}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("%s: survey field %w", path, err)
		}
		spec.Fields[name] = f
		s.regions[name] = r
		for _, c := range Classes {
			for i := 0; i < f.PerClass; i++ {
				ra, dec := s.position(name, c, i, r)
				g := Galaxy{
					ID: synthID(name, c, i), RA: ra, Dec: dec, Class: c, Label: c.String(),
					Certainty: 1, Region: name, Index: len(s.gals),
				}
				s.byID[g.ID] = len(s.gals)
				s.gals = append(s.gals, g)
			}
		}
	}
	// Fields that overlap would put a galaxy drawn under one field's sky
	// into the other field's region counts.
	for i, a := range names {
		for _, b := range names[i+1:] {
			if boxesOverlap(s.regions[a], s.regions[b]) {
				return nil, fmt.Errorf("%s: survey.fields.%s and %s overlap (RA %g..%g, Dec %g..%g against RA %g..%g, Dec %g..%g): a galaxy drawn under one field's sky would count in the other's region; fields may touch, not overlap",
					path, a, b, s.regions[a].RA.Min, s.regions[a].RA.Max, s.regions[a].Dec.Min, s.regions[a].Dec.Max, s.regions[b].RA.Min, s.regions[b].RA.Max, s.regions[b].Dec.Min, s.regions[b].Dec.Max)
			}
		}
	}
	if err := applyContrast(&spec); err != nil {
		return nil, fmt.Errorf("%s: survey.contrast: %w", path, err)
	}
	s.spec = spec
	meta, err := json.Marshal(struct {
		V    string
		Spec SurveySpec
	}{RendererVersion, spec})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sum := sha256.Sum256(meta)
	s.digest = hex.EncodeToString(sum[:])
	return s, nil
}

func synthID(field string, c Class, i int) string {
	return fmt.Sprintf("%s-%s-%06d", field, c.Short(), i)
}

func parseSynthID(id string) (field string, c Class, i int, ok bool) {
	j := strings.LastIndexByte(id, '-')
	if j < 2 || id[j-2] != '-' {
		return "", 0, 0, false
	}
	n, err := strconv.Atoi(id[j+1:])
	if err != nil {
		return "", 0, 0, false
	}
	switch id[j-1] {
	case 'E':
		c = Elliptical
	case 'S':
		c = Spiral
	default:
		return "", 0, 0, false
	}
	return id[:j-2], c, n, true
}

// position draws a galaxy's RA/Dec uniformly over the field's box (uniform
// in sin(dec), so per unit of solid angle).
func (s *Survey) position(field string, c Class, i int, r *Region) (float64, float64) {
	rng := NewRand(s.spec.Seed, "pos", field, c.String(), itoa(i))
	ra := r.RA.Min + rng.Float64()*r.RA.WidthRA()
	if ra >= 360 {
		ra -= 360
	}
	s0, s1 := math.Sin(r.Dec.Min*math.Pi/180), math.Sin(r.Dec.Max*math.Pi/180)
	dec := math.Asin(s0+rng.Float64()*(s1-s0)) * 180 / math.Pi
	dec = min(max(dec, r.Dec.Min), math.Nextafter(r.Dec.Max, r.Dec.Min))
	return ra, dec
}

// Name returns the survey's name.
func (s *Survey) Name() string { return s.spec.Name }

// Galaxies lists every galaxy: by field (sorted by name), then class, then index.
func (s *Survey) Galaxies() []Galaxy { return s.gals }

// Regions returns one region per field, its box.
func (s *Survey) Regions() map[string]*Region { return s.regions }

// Digest identifies the survey's specification and renderer version.
func (s *Survey) Digest() string { return s.digest }

// SkipBad is false: a synthetic image cannot be bad.
func (s *Survey) SkipBad() bool { return false }

// Spec returns the survey's specification, defaults filled in.
func (s *Survey) Spec() SurveySpec { return s.spec }

// Image renders a galaxy of the survey at its native size, compresses it as
// the field's JPEG quality says, and resamples it to size.
func (s *Survey) Image(g *Galaxy, size int) (*Image, error) {
	field, c, i, ok := parseSynthID(g.ID)
	if !ok {
		return nil, fmt.Errorf("galaxy %s is not from synthetic survey %s", g.ID, s.spec.Name)
	}
	f, ok := s.spec.Fields[field]
	if !ok || i >= f.PerClass {
		return nil, fmt.Errorf("galaxy %s is not in synthetic survey %s", g.ID, s.spec.Name)
	}
	img, err := s.Render(field, c, i)
	if err != nil {
		return nil, err
	}
	return img.Resample(size), nil
}

// Render draws galaxy i of a class in a field at the survey's native size.
func (s *Survey) Render(field string, c Class, i int) (*Image, error) {
	data, err := s.RenderJPEG(field, c, i)
	if err != nil {
		return nil, err
	}
	img, err := decodeImageBytes(synthID(field, c, i), data)
	if err != nil {
		return nil, fmt.Errorf("synthetic survey %s: %w", s.spec.Name, err)
	}
	return FromImage(img, s.spec.Size, 1), nil
}

// RenderJPEG draws galaxy i of a class in a field and returns the JPEG
// file's bytes, compressed at the field's quality: the cutout as a survey
// would serve it.
func (s *Survey) RenderJPEG(field string, c Class, i int) ([]byte, error) {
	f, ok := s.spec.Fields[field]
	if !ok {
		return nil, fmt.Errorf("survey %s has no field %q", s.spec.Name, field)
	}
	if i < 0 || i >= f.PerClass {
		return nil, fmt.Errorf("survey %s field %s holds %d %ss; there is no number %d", s.spec.Name, field, f.PerClass, c, i)
	}
	rng := NewRand(s.spec.Seed, "galaxy", field, c.String(), itoa(i))
	params := drawGalaxy(rng, c, s.spec.Population)
	return render(rng, params, s.spec.Vary.apply(rng, f.Sky), s.spec.Size)
}

// FieldSize is how many galaxies of each class a field holds (0 for no
// such field).
func (s *Survey) FieldSize(field string) int { return s.spec.Fields[field].PerClass }

// FieldNames lists the survey's fields, sorted.
func (s *Survey) FieldNames() []string {
	names := make([]string, 0, len(s.spec.Fields))
	for n := range s.spec.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// boxesOverlap reports whether two RA/Dec boxes share an area (an RA range
// with Lo > Hi wraps through 0); boxes that only touch do not.
func boxesOverlap(a, b *Region) bool {
	if !(math.Max(a.Dec.Min, b.Dec.Min) < math.Min(a.Dec.Max, b.Dec.Max)) {
		return false
	}
	spans := func(r *Range) [][2]float64 {
		if r.Min <= r.Max {
			return [][2]float64{{r.Min, r.Max}}
		}
		return [][2]float64{{r.Min, 360}, {0, r.Max}}
	}
	for _, x := range spans(a.RA) {
		for _, y := range spans(b.RA) {
			if math.Max(x[0], y[0]) < math.Min(x[1], y[1]) {
				return true
			}
		}
	}
	return false
}

// applyContrast moves every field's conditions towards (contrast < 1) or
// away from (> 1) the fields' mean, in place, each condition by its entry
// in Contrasts or else by Contrast. Factors of 1 change nothing and are
// dropped, so the digest of a survey as written does not change, and so
// are per-condition entries equal to the overall contrast.
func applyContrast(spec *SurveySpec) error {
	c := 1.0
	if spec.Contrast != nil {
		c = *spec.Contrast
	}
	if math.IsNaN(c) || c < 0 || c > 10 {
		return fmt.Errorf("%g is outside 0..10", c)
	}
	factor := map[string]float64{}
	for _, k := range ConditionNames {
		factor[k] = c
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Contrasts)) {
		v := spec.Contrasts[k]
		if _, ok := factor[k]; !ok {
			return fmt.Errorf("contrasts: unknown condition %.40q (want one of %s)", k, strings.Join(ConditionNames, ", "))
		}
		if math.IsNaN(v) || v < 0 || v > 10 {
			return fmt.Errorf("contrasts: %s %g is outside 0..10", k, v)
		}
		factor[k] = v
	}
	// The resolved form: the overall contrast, and only the conditions
	// that differ from it.
	spec.Contrast, spec.Contrasts = nil, nil
	if c != 1 {
		spec.Contrast = &c
	}
	identity := true
	for _, k := range ConditionNames {
		if factor[k] != c {
			if spec.Contrasts == nil {
				spec.Contrasts = map[string]float64{}
			}
			spec.Contrasts[k] = factor[k]
		}
		if factor[k] != 1 {
			identity = false
		}
	}
	if identity {
		spec.Contrast, spec.Contrasts = nil, nil
		return nil
	}
	names := make([]string, 0, len(spec.Fields))
	for n := range spec.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	fields := make([]FieldSpec, len(names))
	for i, n := range names {
		fields[i] = spec.Fields[n]
	}
	// Each condition's values move towards or away from their mean over
	// the fields, by the condition's factor.
	n := float64(len(fields))
	for _, k := range conditions {
		var mean []float64
		for i := range fields {
			v := k.values(&fields[i].Sky)
			if mean == nil {
				mean = make([]float64, len(v))
			}
			for j := range v {
				mean[j] += v[j] / n
			}
		}
		for i := range fields {
			v := k.values(&fields[i].Sky)
			for j := range v {
				v[j] = mean[j] + factor[k.name]*(v[j]-mean[j])
			}
			k.set(&fields[i].Sky, v)
		}
	}
	for i := range fields {
		if err := fields[i].Sky.check(); err != nil {
			return fmt.Errorf("at contrast %s, field %s: %w", describeFactors(c, spec.Contrasts), names[i], err)
		}
		spec.Fields[names[i]] = fields[i]
	}
	return nil
}

// describeFactors names a resolved contrast in errors: "0.5" or
// "0 (stars 2)".
func describeFactors(c float64, per map[string]float64) string {
	s := strconv.FormatFloat(c, 'g', -1, 64)
	var parts []string
	for _, k := range ConditionNames {
		if v, ok := per[k]; ok {
			parts = append(parts, k+" "+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}
