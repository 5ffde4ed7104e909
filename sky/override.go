package sky

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// openOverridden reads a survey file, lays overrides (a YAML mapping)
// over its survey: block and opens the result.
func openOverridden(path, overrides string) (Source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a source definition (a YAML mapping)", path)
	}
	survey := mapGet(doc.Content[0], "survey")
	if survey == nil || survey.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: source overrides (%s) apply to a synthetic survey (survey:), not a catalog", path, strings.TrimSpace(overrides))
	}
	var over yaml.Node
	if err := yaml.Unmarshal([]byte(overrides), &over); err != nil || len(over.Content) == 0 || over.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: source overrides %q are not a YAML mapping", path, strings.TrimSpace(overrides))
	}
	mergeInto(survey, over.Content[0])
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseSource(path, b.Bytes())
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mergeInto lays over onto m key by key: mappings merge, anything else is
// replaced.
func mergeInto(m, over *yaml.Node) {
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		if cur := mapGet(m, k.Value); cur != nil {
			if cur.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode {
				mergeInto(cur, v)
				continue
			}
			for j := 0; j+1 < len(m.Content); j += 2 {
				if m.Content[j].Value == k.Value {
					m.Content[j+1] = v
				}
			}
			continue
		}
		m.Content = append(m.Content, k, v)
	}
}
