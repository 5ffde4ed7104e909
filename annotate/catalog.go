package annotate

import (
	"encoding/json"
	"fmt"
	"os"
)

// Catalog is a written catalog: its file and what made it.
type Catalog struct {
	Path string
	Meta Meta
}

// Open reads the Meta written beside a complete catalog.
func Open(path string) (*Catalog, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	b, err := os.ReadFile(path + ".meta.json")
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	c := &Catalog{Path: path}
	if err := json.Unmarshal(b, &c.Meta); err != nil {
		return nil, fmt.Errorf("catalog %s.meta.json: %w", path, err)
	}
	return c, nil
}
