package dsl

import (
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/aniso"
	"github.com/skybias/skybias/sky"
)

// Annotate says that an experiment's trained networks go on to label a
// catalog: every galaxy of a source (or of some of its regions), as a
// survey team would use a classifier, and that catalog's anisotropy is
// then tested. It is not part of a job's hash: annotating does not
// change what was trained.
type Annotate struct {
	// Source is the source annotated: the experiment's own unless the
	// file names another.
	Source SourceRef `json:"source"`
	// Regions are the regions annotated, by name and definition (none:
	// the whole source).
	Regions []*sky.Region `json:"regions,omitempty"`
	// N draws a seeded subset of that many galaxies (0: all of them);
	// Seed seeds it.
	N    int    `json:"n,omitempty"`
	Seed uint64 `json:"seed,omitempty"`
	// Anisotropy, when set, tests the catalog for a dipole.
	Anisotropy *Anisotropy `json:"anisotropy,omitempty"`
}

// Anisotropy holds the settings of the dipole test of a catalog.
type Anisotropy struct {
	// Column is p_spiral (mean p) or label (fraction labelled spiral).
	Column string `json:"column"`
	// Permutations of the labels among the fixed positions.
	Permutations int `json:"permutations"`
	// Bands and Cells lay out the map's equal-area cells.
	Bands int `json:"bands"`
	Cells int `json:"cells"`
	// LMax, when not 0, also fits multipoles up to that order, each
	// order judged by permutations of galaxies and, with BlockNside, of
	// the HEALPix pixels of that NSIDE (values correlated within a pixel
	// do not pass for a signal), with Bayes factors.
	LMax       int `json:"lmax,omitempty"`
	BlockNside int `json:"block_nside,omitempty"`

	// Covariates are systematics fitted jointly with the multipoles,
	// which are shown before and after: aniso.CovariateNames from the
	// positions, sky.ImageStatNames from the catalog's columns.
	Covariates []string `json:"covariates,omitempty"`
	// Scan, when not 0, runs Shamir's axis scan over that many axes: the
	// best axis's own P beside the P corrected for the scan.
	Scan int `json:"scan,omitempty"`
}

var (
	annotateKeys   = []string{"source", "regions", "n", "seed"}
	anisotropyKeys = []string{"column", "permutations", "map", "lmax", "block_nside", "covariates", "scan"}
)

// decodeAnnotate reads annotate: {source, regions, n, seed} and
// anisotropy: (true, or {column, permutations, map: [bands, cells]}).
func decodeAnnotate(doc *Document, e *errs, x *experiment, v, aniso *yaml.Node) *Annotate {
	if v == nil {
		if aniso != nil {
			e.at(aniso, "anisotropy: tests a catalog the experiment annotates; add annotate: {regions: [...]} (or drop anisotropy:)")
		}
		return nil
	}
	a := &Annotate{}
	var src sky.Source = x.source
	if x.source != nil {
		a.Source = x.sourceRef()
	}
	pairs := e.keys(v, "annotate", annotateKeys)
	if v.Kind != yaml.MappingNode {
		return nil
	}
	var regionsNode *yaml.Node
	for _, kv := range pairs {
		switch kv[0].Value {
		case "source":
			p, ok := e.str(kv[1], "annotate.source")
			if !ok {
				continue
			}
			path, _ := sky.ExpandPath(p, filepath.Dir(doc.fileOf(kv[1])))
			s, err := sky.Open(path)
			if err != nil {
				e.at(kv[1], "annotate.source: %v", err)
				src = nil
				continue
			}
			src = s
			a.Source = SourceRef{Name: s.Name(), Path: path, Digest: s.Digest()}
		case "regions":
			regionsNode = kv[1]
		case "n":
			n, _ := e.integer(kv[1], "annotate.n", 1, 50_000_000)
			a.N = int(n)
		case "seed":
			a.Seed, _ = e.uint(kv[1], "annotate.seed")
		}
	}
	if regionsNode != nil && src != nil {
		names, _ := e.names(regionsNode, "annotate.regions")
		known := map[string]*sky.Region{}
		for n, r := range x.regions {
			known[n] = r
		}
		for n, r := range src.Regions() {
			known[n] = r
		}
		var all []string
		for n := range known {
			all = append(all, n)
		}
		for _, nn := range names {
			r, ok := known[nn.Value]
			if !ok {
				e.at(nn, "annotate.regions: unknown region %q%s; known regions: %s", nn.Value, suggest(nn.Value, all), oneOf(all))
				continue
			}
			a.Regions = append(a.Regions, r)
		}
	}
	if aniso != nil {
		a.Anisotropy = decodeAnisotropy(e, aniso)
	}
	return a
}

func decodeAnisotropy(e *errs, v *yaml.Node) *Anisotropy {
	an := &Anisotropy{Column: "p_spiral", Permutations: 1000, Bands: 8, Cells: 16}
	if v.Kind == yaml.ScalarNode {
		on, ok := e.boolean(v, "anisotropy")
		if ok && !on {
			return nil
		}
		return an
	}
	var lmaxNode *yaml.Node
	var needL []*yaml.Node // keys that need lmax
	for _, kv := range e.keys(v, "anisotropy", anisotropyKeys) {
		switch kv[0].Value {
		case "column":
			s, ok := e.str(kv[1], "anisotropy.column")
			if ok && s != "p_spiral" && s != "label" {
				e.at(kv[1], "anisotropy.column: %q; want p_spiral (mean p) or label (fraction labelled spiral)", s)
			}
			an.Column = s
		case "permutations":
			n, _ := e.integer(kv[1], "anisotropy.permutations", 100, 1_000_000)
			an.Permutations = int(n)
		case "map":
			m := resolve(kv[1])
			if m.Kind != yaml.SequenceNode || len(m.Content) != 2 {
				e.at(kv[1], "anisotropy.map: want [bands, cells] (equal-area bands in sin Dec, cells in RA per band)")
				continue
			}
			b, _ := e.integer(m.Content[0], "anisotropy.map bands", 1, 90)
			c, _ := e.integer(m.Content[1], "anisotropy.map cells", 1, 360)
			an.Bands, an.Cells = int(b), int(c)
		case "lmax":
			n, _ := e.integer(kv[1], "anisotropy.lmax", 1, aniso.MaxL)
			an.LMax = int(n)
			lmaxNode = kv[0]
		case "block_nside":
			n, ok := e.integer(kv[1], "anisotropy.block_nside", 1, 1024)
			if ok && n&(n-1) != 0 {
				e.at(kv[1], "anisotropy.block_nside: %d is not a power of two (HEALPix NSIDE: 1, 2, 4, ... 1024)", n)
			}
			an.BlockNside = int(n)
			needL = append(needL, kv[0])
		case "covariates":
			names, _ := e.names(kv[1], "anisotropy.covariates")
			known := append(slices.Clone(aniso.CovariateNames), sky.ImageStatNames...)
			for _, nn := range names {
				if !slices.Contains(known, nn.Value) {
					e.at(nn, "anisotropy.covariates: unknown covariate %q%s; known: %s", nn.Value, suggest(nn.Value, known), oneOf(known))
					continue
				}
				an.Covariates = append(an.Covariates, nn.Value)
			}
			needL = append(needL, kv[0])
		case "scan":
			n, _ := e.integer(kv[1], "anisotropy.scan", 10, 100_000)
			an.Scan = int(n)
		}
	}
	if lmaxNode == nil {
		for _, k := range needL {
			e.at(k, "anisotropy.%s works on the multipoles; add lmax: (2 for dipole and quadrupole)", k.Value)
		}
	}
	return an
}
