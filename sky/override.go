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
	block := "survey"
	survey := yamlnode.Get(doc.Content[0], "survey")
	if survey == nil {
		// A catalog takes overrides of its own keys (inject: a positive control).
		block, survey = "catalog", yamlnode.Get(doc.Content[0], "catalog")
	}
	if survey == nil || survey.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: source overrides (%s) apply to a survey: or catalog: block", path, strings.TrimSpace(overrides))
	}
	var over yaml.Node
	if err := yaml.Unmarshal([]byte(overrides), &over); err != nil || len(over.Content) == 0 || over.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: source overrides %q are not a YAML mapping", path, strings.TrimSpace(overrides))
	}
	if block == "catalog" {
		for i := 0; i < len(over.Content[0].Content); i += 2 {
			if k := over.Content[0].Content[i].Value; k != "inject" {
				return nil, fmt.Errorf("%s: source overrides (%s): a catalog takes inject: (a positive control) only; %s is not a catalog override", path, strings.TrimSpace(overrides), k)
			}
		}
	}
	yamlnode.Set(doc.Content[0], block, yamlnode.Merge(survey, over.Content[0], nil))
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseSource(path, b.Bytes())
}
