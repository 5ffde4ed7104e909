package sky

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/internal/input"
	"github.com/skybias/skybias/internal/yamlnode"
)

// openOverridden reads a survey file, lays overrides (a YAML mapping)
// over its survey: block and opens the result.
func openOverridden(path, overrides string) (Source, error) {
	data, err := input.ReadFile(path, input.SmallFile)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a source definition (a YAML mapping)", path)
	}
	survey := yamlnode.Get(doc.Content[0], "survey")
	if survey == nil || survey.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: source overrides (%s) apply to a synthetic survey (survey:), not a catalog", path, strings.TrimSpace(overrides))
	}
	var over yaml.Node
	if err := yaml.Unmarshal([]byte(overrides), &over); err != nil || len(over.Content) == 0 || over.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: source overrides %q are not a YAML mapping", path, strings.TrimSpace(overrides))
	}
	yamlnode.Set(doc.Content[0], "survey", yamlnode.Merge(survey, over.Content[0], nil))
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseSource(path, b.Bytes())
}
