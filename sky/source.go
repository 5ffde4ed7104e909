package sky

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/skybias/skybias/internal/input"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is where galaxies and their images come from: a real catalog with
// image files, or the synthetic survey.
type Source interface {
	// Name is the source's short name (gz1-sdss, ps1-like).
	Name() string
	// Galaxies lists every galaxy of the source, in a fixed order.
	Galaxies() []Galaxy
	// Regions are the regions the source file names (fields of a synthetic
	// survey, predicates on a real catalog).
	Regions() map[string]*Region
	// Image returns a galaxy's image at size x size.
	Image(g *Galaxy, size int) (*Image, error)
	// Digest identifies the source's content: the same digest means the
	// same galaxies and images.
	Digest() string
	// SkipBad tells whether unreadable images are to be skipped and
	// counted rather than stop the run.
	SkipBad() bool
}

// sourceFile is the YAML form of a source definition file.
type sourceFile struct {
	Catalog *catalogSpec         `yaml:"catalog"`
	Survey  *SurveySpec          `yaml:"survey"`
	Regions map[string]yaml.Node `yaml:"regions"`
}

type catalogSpec struct {
	Name    string  `yaml:"name" json:"name"`
	File    string  `yaml:"file" json:"-"`
	Images  string  `yaml:"images" json:"-"`
	Columns Columns `yaml:"columns" json:"columns"`
	Crop    float64 `yaml:"crop" json:"crop"`
	SkipBad bool    `yaml:"skip_bad" json:"skip_bad"`
	// AllowOutside lets image paths leave the image folder (absolute
	// paths, or ../): off by default, so a catalog cannot make skybias
	// read files elsewhere.
	AllowOutside bool `yaml:"allow_outside" json:"allow_outside,omitempty"`
	// Inject adds a known cue to one region's images: a positive control
	// (absent: the images as they are, and the digest as before).
	Inject *Inject `yaml:"inject" json:"inject,omitempty"`
}

// OpenSource reads a source definition file: either a "catalog:" block (a
// real catalog: CSV file, column mapping, image folder) or a "survey:"
// block (a synthetic survey), with optional named regions. Paths inside are
// relative to the file and may use $VAR and ${VAR:-default}.
func OpenSource(path string) (Source, error) {
	data, err := input.ReadFile(path, input.SmallFile)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	return ParseSource(path, data)
}

// ParseSource is OpenSource on bytes already read; path names the file in
// errors and anchors relative paths.
func ParseSource(path string, data []byte) (Source, error) {
	s, err := parseSource(path, data)
	if err != nil {
		return nil, placeError(path, data, err)
	}
	return s, nil
}

func parseSource(path string, data []byte) (Source, error) {
	if explicitZero(data, "survey", "size") {
		return nil, fmt.Errorf("%s: survey.size 0 is outside 16..1024 (leave it out for the paper's 120)", path)
	}
	var f sourceFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, cleanYAMLError(err))
	}
	if (f.Catalog == nil) == (f.Survey == nil) {
		return nil, fmt.Errorf("%s: a source file has exactly one of catalog: or survey:", path)
	}
	if f.Survey != nil {
		for name := range f.Survey.Fields {
			if explicitZero(data, "survey", "fields", name, "sky", "star_flux") {
				return nil, fmt.Errorf("%s: survey.fields.%s.sky.star_flux 0 draws stars without light; give a positive brightness (1: field 1's), or stars: 0 for no stars", path, name)
			}
		}
	}
	base := filepath.Dir(path)
	if f.Survey != nil {
		if len(f.Regions) > 0 {
			return nil, fmt.Errorf("%s: a survey declares its fields under survey.fields, not regions:", path)
		}
		return NewSurvey(path, *f.Survey)
	}
	spec := f.Catalog
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if spec.File == "" {
		return nil, fmt.Errorf("%s: catalog.file is missing (the catalog CSV)", path)
	}
	csvPath, err := ExpandPath(spec.File, base)
	if err != nil {
		return nil, fmt.Errorf("%s: catalog.file: %w", path, err)
	}
	imgDir := ""
	if spec.Images != "" {
		if imgDir, err = ExpandPath(spec.Images, base); err != nil {
			return nil, fmt.Errorf("%s: catalog.images: %w", path, err)
		}
	}
	if !(spec.Crop >= 0 && spec.Crop <= 1) { // NaN fails too
		return nil, fmt.Errorf("%s: catalog.crop %g is outside 0..1", path, spec.Crop)
	}
	cat, err := ReadCatalogCSV(csvPath, spec.Columns, imgDir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !spec.AllowOutside {
		root := imgDir
		if root == "" {
			root = filepath.Dir(csvPath)
		}
		// Containment by resolved path: a symbolic link inside the folder
		// that points outside it leaves it too.
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			realRoot = root
		}
		inside := func(p string) bool {
			rel, err := filepath.Rel(realRoot, p)
			return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
		}
		for _, g := range cat.Galaxies {
			if g.Image == "" {
				continue
			}
			resolved, err := filepath.EvalSymlinks(g.Image)
			if err != nil {
				resolved = g.Image // a missing image is reported when it is read
				if rel, err := filepath.Rel(root, g.Image); err == nil && !strings.HasPrefix(rel, "..") {
					resolved = filepath.Join(realRoot, rel)
				}
			}
			if !inside(resolved) {
				return nil, fmt.Errorf("%s: galaxy %s: image path %s leaves the image folder %s (resolved: %s; set catalog.allow_outside: true to read images elsewhere)", path, g.ID, g.Image, root, resolved)
			}
		}
	}
	if spec.Columns.Image == "" {
		return nil, fmt.Errorf("%s: catalog.columns.image is missing (the column with each galaxy's image path)", path)
	}
	regions, err := parseRegions(path, f.Regions)
	if err != nil {
		return nil, err
	}
	for _, r := range regions {
		if (r.RA != nil || r.Dec != nil) && !cat.HasRADec {
			return nil, fmt.Errorf("%s: region %s selects by RA/Dec but the catalog maps no ra/dec columns", path, r.Name)
		}
	}
	if spec.Inject != nil {
		if err := spec.Inject.check(regions); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	csvData, err := input.ReadFile(csvPath, input.Table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	h := sha256.New()
	meta, _ := json.Marshal(spec)
	h.Write(meta)
	h.Write(csvData)
	h.Write([]byte(describeRegions(regions)))
	return &catalogSource{spec: *spec, cat: cat, regions: regions, digest: hex.EncodeToString(h.Sum(nil))}, nil
}

func describeRegions(rs map[string]*Region) string {
	names := make([]string, 0, len(rs))
	for n := range rs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s: %s\n", n, rs[n].Describe())
	}
	return b.String()
}

func parseRegions(path string, nodes map[string]yaml.Node) (map[string]*Region, error) {
	out := map[string]*Region{}
	for name, n := range nodes {
		r, err := ParseRegionNode(name, &n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[name] = r
	}
	return out, nil
}

type catalogSource struct {
	spec    catalogSpec
	cat     *Catalog
	regions map[string]*Region
	digest  string
}

func (s *catalogSource) Name() string                { return s.spec.Name }
func (s *catalogSource) Galaxies() []Galaxy          { return s.cat.Galaxies }
func (s *catalogSource) Regions() map[string]*Region { return s.regions }
func (s *catalogSource) Digest() string              { return s.digest }
func (s *catalogSource) SkipBad() bool               { return s.spec.SkipBad }

// Catalog returns the catalog behind a real-catalog source, or nil for a
// synthetic survey.
func CatalogOf(s Source) *Catalog {
	if w, ok := s.(interface{ Unwrap() Source }); ok {
		s = w.Unwrap()
	}
	if c, ok := s.(*catalogSource); ok {
		return c.cat
	}
	return nil
}

func (s *catalogSource) Image(g *Galaxy, size int) (*Image, error) {
	if g.Image == "" {
		return nil, fmt.Errorf("%w: galaxy %s has no image path", ErrBadImage, g.ID)
	}
	img, err := DecodeImageFile(g.Image)
	if err != nil {
		return nil, err
	}
	out := FromImage(img, size, s.spec.Crop)
	if in := s.spec.Inject; in != nil {
		if err := in.apply(out, g, s.regions); err != nil {
			return nil, fmt.Errorf("galaxy %s: %w", g.ID, err)
		}
	}
	return out, nil
}

// ExpandPath expands $VAR and ${VAR:-default} in p and makes it relative
// to base when it is not absolute. An unset variable without a default is
// an error naming it.
func ExpandPath(p, base string) (string, error) {
	var missing []string
	out := os.Expand(p, func(v string) string {
		name, def, hasDef := strings.Cut(v, ":-")
		if val, ok := os.LookupEnv(name); ok && val != "" {
			return val
		}
		if hasDef {
			return def
		}
		missing = append(missing, name)
		return ""
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("path %q uses $%s, which is not set", p, missing[0])
	}
	if out == "" {
		return "", fmt.Errorf("path %q is empty", p)
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(base, out)
	}
	return filepath.Clean(out), nil
}

// cleanYAMLError trims yaml.v3's "yaml: " prefix.
func cleanYAMLError(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("the file is empty (want a catalog: or survey: block)")
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	// yaml.v3 names Go types ("field train not found in type
	// sky.sourceFile"); say it in the file's terms.
	msg = unknownField.ReplaceAllString(msg, "unknown key $1")
	msg = strings.ReplaceAll(msg, " in type sky.sourceFile", " (a source file has catalog:, survey: and regions:; is this an experiment file?)")
	msg = goType.ReplaceAllString(msg, "")
	return errors.New(msg)
}

var (
	unknownField = regexp.MustCompile(`field (\S+) not found`)
	goType       = regexp.MustCompile(` in type [\w.*\[\]]+`)
)
