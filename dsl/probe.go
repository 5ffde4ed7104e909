package dsl

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/sky"
)

// Probe is a region-leakage probe: the network is trained to tell images
// of two regions apart (the region is the label, not the galaxy's class)
// and judged on held-out images of each. A probe that names the region
// better than chance shows that the images carry where they came from.
type Probe struct {
	// Regions are the regions told apart: the first is label 0, the
	// second label 1.
	Regions []string `json:"regions"`
	// Class is the galaxies drawn: spiral, elliptical, or both (then N
	// and Test count per class, so each region has the same mix).
	Class string `json:"class"`
	// N is the training images per region (per class with both); Test
	// the held-out images, drawn first.
	N    int `json:"n"`
	Test int `json:"test"`
}

// Classes are the classes a probe draws.
func (p *Probe) Classes() []sky.Class {
	if p.Class == "both" {
		return sky.Classes
	}
	c, _ := sky.ParseClass(p.Class)
	return []sky.Class{c}
}

var probeKeys = []string{"regions", "class", "n", "test"}

// probeSpec is a probe as written, with the nodes errors point at.
type probeSpec struct {
	Probe
	node, regionsNode, nNode, testNode *yaml.Node
}

// decodeProbe reads probe: {regions, class, n, test} once the regions are
// known.
func decodeProbe(e *errs, x *experiment, v *yaml.Node) *probeSpec {
	p := &probeSpec{node: v, Probe: Probe{Class: "spiral"}}
	pairs := e.keys(v, "probe", probeKeys)
	if v.Kind != yaml.MappingNode {
		return nil
	}
	for _, kv := range pairs {
		switch kv[0].Value {
		case "regions":
			p.regionsNode = kv[1]
			names, _ := e.names(kv[1], "probe.regions")
			seen := map[string]bool{}
			for _, nn := range names {
				if _, known := x.regions[nn.Value]; !known && x.source != nil {
					e.at(nn, "probe.regions: unknown region %q%s; known regions: %s", nn.Value, suggest(nn.Value, x.regionNames()), oneOf(x.regionNames()))
				}
				if seen[nn.Value] {
					e.at(nn, "probe.regions: %s is listed twice", nn.Value)
				}
				seen[nn.Value] = true
				p.Regions = append(p.Regions, nn.Value)
			}
			switch {
			case len(names) == 1:
				e.at(kv[1], "probe.regions: a probe tells regions apart; name two, not one")
			case len(names) > 2:
				e.at(kv[1], "probe.regions: %d regions; a probe compares two (the network has one output), so split it into pairs", len(names))
			}
		case "class":
			s, ok := e.str(kv[1], "probe.class")
			if ok && s != "spiral" && s != "elliptical" && s != "both" {
				e.at(kv[1], "probe.class: %q; want spiral, elliptical or both", s)
			}
			p.Class = s
		case "n":
			n, _ := e.integer(kv[1], "probe.n", 1, 10_000_000)
			p.N, p.nNode = int(n), kv[1]
		case "test":
			n, _ := e.integer(kv[1], "probe.test", 1, 10_000_000)
			p.Test, p.testNode = int(n), kv[1]
		}
	}
	for _, k := range []string{"regions", "n", "test"} {
		if get(v, k) == nil {
			e.at(v, "probe: %s is missing (probe: {regions: [A, B], class: spiral, n: 250, test: 120})", k)
		}
	}
	return p
}

// checkProbe counts each probe region's galaxies and draws the first
// repeat's split, reporting a shortfall at the count that asks and an
// overlap at the regions; it returns the split (nil on a problem).
func checkProbe(e *errs, x *experiment) *sky.ProbeSplit {
	p := x.probe
	if x.source == nil || p == nil || len(p.Regions) < 2 || p.N <= 0 || p.Test <= 0 {
		return nil
	}
	if x.training.Redraw {
		e.at(x.redrawNode, "training.redraw: a probe trains on one draw of its regions; redraw applies to experiments with train: and test:")
	}
	gals := x.source.Galaxies()
	var regions []*sky.Region
	for _, n := range p.Regions {
		r, ok := x.regions[n]
		if !ok {
			return nil
		}
		regions = append(regions, r)
	}
	ok := true
	for _, r := range regions {
		for _, c := range p.Classes() {
			idx, err := sky.Select(gals, []*sky.Region{r}, c)
			if err != nil {
				e.at(p.regionsNode, "probe.regions: %s: %v", r.Name, err)
				ok = false
			} else if len(idx) < p.N+p.Test {
				at := p.nNode
				if len(idx) < p.Test {
					at = p.testNode
				}
				e.at(at, "probe: region %s holds %d %ss, the probe asks for %d (n %d + test %d)", r.Name, len(idx), c, p.N+p.Test, p.N, p.Test)
				ok = false
			}
		}
	}
	if !ok {
		return nil
	}
	split, err := sky.DrawProbe(gals, regions, p.Classes(), p.N, p.Test, x.seed)
	if err != nil {
		e.at(p.regionsNode, "probe.regions: %v", err)
		return nil
	}
	return split
}

// describeProbe writes a probe job in one line: "probe f1 vs f2 (spiral x250, held out x120)".
func describeProbe(p *Probe) string {
	return fmt.Sprintf("probe %s (%s x%d, held out x%d)", strings.Join(p.Regions, " vs "), p.Class, p.N, p.Test)
}
