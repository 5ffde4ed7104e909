package aniso

import (
	"strings"
	"testing"
)

// TestReadCatalogRefusesRepeatedIDs: a catalog that lists a galaxy twice
// (two annotate runs into one file, a doubled catalog) is refused at the
// repeat's line, instead of counting the galaxy twice (issue 34: P 0.589
// became 0.314 on a doubled catalog).
func TestReadCatalogRefusesRepeatedIDs(t *testing.T) {
	for _, c := range []struct {
		name, cat, want string
	}{
		{"doubled row", "id,ra,dec,p_spiral\na,10,20,0.9\nb,11,21,0.2\na,10,20,0.9\n", `cat.csv:4: id "a" repeats line 2`},
		{"no id column: positions only", "ra,dec,p_spiral\n10,20,0.9\n10,20,0.9\n", ""},
	} {
		_, _, err := ReadCatalog(strings.NewReader(c.cat), "cat.csv", "p_spiral")
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}
