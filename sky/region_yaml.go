package sky

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/internal/yamlnode"
)

// RegionKeys are the keys a region mapping may hold.
var RegionKeys = []string{"ra", "dec", "where", "certainty"}

// posErr is an error at a node's line and column (a *yamlnode.Error).
func posErr(n *yaml.Node, format string, args ...any) error {
	return yamlnode.Errorf(n, format, args...)
}

// ParseRegionNode reads a region from a YAML mapping:
//
//	{ra: [350, 10], dec: [-5, 5], where: {run: [752, 756], camcol: {min: 2, max: 4}}, certainty: 0.9}
//
// ra and dec are [min, max] degrees (RA may wrap through 0); where maps
// column names to a value, a list of values, or {min, max}. Errors carry
// the line and column of the offending node (as *yamlnode.Error).
func ParseRegionNode(name string, n *yaml.Node) (*Region, error) {
	if n.Kind != yaml.MappingNode {
		return nil, posErr(n, "region %s: want a mapping with %s", name, strings.Join(RegionKeys, ", "))
	}
	r := &Region{Name: name}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "ra":
			r.RA, err = parseRange(name, "ra", v)
		case "dec":
			r.Dec, err = parseRange(name, "dec", v)
		case "certainty":
			r.MinCertainty, err = ParseFloatNode(v, "region "+name+" certainty")
		case "where":
			r.Where, err = parseWhere(name, v)
		default:
			return nil, posErr(k, "region %s: unknown key %q (want %s)", name, k.Value, strings.Join(RegionKeys, ", "))
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.Validate(); err != nil {
		return nil, posErr(n, "%v", err)
	}
	return r, nil
}

// ParseFloatNode reads a YAML scalar as a number; what names it in errors.
func ParseFloatNode(n *yaml.Node, what string) (float64, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, posErr(n, "%s: want a number", what)
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		return 0, posErr(n, "%s: %q is not a number", what, n.Value)
	}
	return v, nil
}

func parseRange(region, key string, n *yaml.Node) (*Range, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		return nil, posErr(n, "region %s: %s wants [min, max] in degrees", region, key)
	}
	lo, err := ParseFloatNode(n.Content[0], "region "+region+" "+key+" min")
	if err != nil {
		return nil, err
	}
	hi, err := ParseFloatNode(n.Content[1], "region "+region+" "+key+" max")
	if err != nil {
		return nil, err
	}
	if key == "dec" && lo >= hi {
		return nil, posErr(n, "region %s: dec [%g, %g]: min must be below max", region, lo, hi)
	}
	return &Range{Min: lo, Max: hi}, nil
}

func parseWhere(region string, n *yaml.Node) ([]Predicate, error) {
	if n.Kind != yaml.MappingNode {
		return nil, posErr(n, "region %s: where wants a mapping of column: values", region)
	}
	var out []Predicate
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := Predicate{Column: k.Value}
		switch v.Kind {
		case yaml.ScalarNode:
			p.In = []string{v.Value}
		case yaml.SequenceNode:
			if len(v.Content) == 0 {
				return nil, posErr(v, "region %s: where %s: empty list of values", region, k.Value)
			}
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode {
					return nil, posErr(e, "region %s: where %s: want plain values", region, k.Value)
				}
				p.In = append(p.In, e.Value)
			}
		case yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				bk, bv := v.Content[j], v.Content[j+1]
				f, err := ParseFloatNode(bv, "region "+region+" where "+k.Value+" "+bk.Value)
				if err != nil {
					return nil, err
				}
				switch bk.Value {
				case "min":
					p.Min = &f
				case "max":
					p.Max = &f
				default:
					return nil, posErr(bk, "region %s: where %s: unknown bound %q (want min, max)", region, k.Value, bk.Value)
				}
			}
			if p.Min == nil && p.Max == nil {
				return nil, posErr(v, "region %s: where %s: give min, max or both", region, k.Value)
			}
		default:
			return nil, posErr(v, "region %s: where %s: want a value, a list or {min, max}", region, k.Value)
		}
		out = append(out, p)
	}
	return out, nil
}
