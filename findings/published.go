package findings

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
)

// The paper's published numbers (Dhar & Shamir, Tables 3-16), as CSV.
var (
	//go:embed published/confusion.csv
	confusionCSV []byte
	//go:embed published/table16.csv
	table16CSV []byte
)

// Published is what the paper printed for one table.
type Published struct {
	Table       int
	Survey      string
	TrainSpiral string
	TrainEll    string
	Test        string
	// Confusion has rows true E, S and columns predicted E, S.
	Confusion [2][2]int
	// PSpiral is Table 16's printed p(spiral) for this row (two decimals).
	PSpiral float64
}

// PublishedTables returns the paper's Tables 3-15 by number, with Table
// 16's p(spiral) filled in.
func PublishedTables() (map[int]*Published, error) {
	rows, err := csv.NewReader(bytes.NewReader(confusionCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("published confusion.csv: %w", err)
	}
	out := map[int]*Published{}
	for _, r := range rows[1:] {
		t, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("published confusion.csv: table %q: %w", r[0], err)
		}
		p := &Published{Table: t, Survey: r[1], TrainSpiral: r[2], TrainEll: r[3], Test: r[4]}
		for k := 0; k < 4; k++ {
			v, err := strconv.Atoi(r[5+k])
			if err != nil {
				return nil, fmt.Errorf("published confusion.csv: table %d: %w", t, err)
			}
			p.Confusion[k/2][k%2] = v
		}
		out[t] = p
	}
	rows, err = csv.NewReader(bytes.NewReader(table16CSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("published table16.csv: %w", err)
	}
	for _, r := range rows[1:] {
		t, err := strconv.Atoi(r[6])
		if err != nil {
			return nil, fmt.Errorf("published table16.csv: table %q: %w", r[6], err)
		}
		v, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			return nil, fmt.Errorf("published table16.csv: p_spiral %q: %w", r[4], err)
		}
		if p, ok := out[t]; ok {
			p.PSpiral = v
		}
	}
	return out, nil
}
