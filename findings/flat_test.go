package findings

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/internal/testenv"
)

func flatSummary() Summary {
	p, pw := 0.012, 0.61
	g := 1938
	ra := 12.5
	return Summary{
		Comparisons: []ComparisonRow{
			{Experiment: "table06", Test: "f1", Baseline: "table03", Kind: "interaction", Effect: 0.0367, CILow: 0.017, CIHigh: 0.056, Noise: "training and test sampling, quoted \"here\"",
				P: 0.0033, PHolm: 0.016, Verdict: analysis.ShiftFound, NNetworks: 6, Repeats: 1, McNemarP: 2.5e-6, PaperP: &p, Power: &pw, PowerHolm: &pw, GalaxiesFor80: &g, PSpiral: 0.539, BaselinePSpiral: 0.5075},
			{Experiment: "table12", Test: "A", Baseline: "sdss-baseline", Kind: "repeats", Effect: math.NaN(), Verdict: analysis.NoShift},
		},
		Probes:     []ProbeRow{{Experiment: "probe-ps1", Regions: []string{"f1", "f2"}, Class: "spiral", N: 100, Test: 50, Repeats: 3, Accuracy: 0.8, RepeatsNotLearned: 1, NotLearned: "repeat 2: the same answer, for every image"}},
		Anisotropy: []AnisotropyRow{{Experiment: "aniso-biased", Column: "p_spiral", N: 2000, Amplitude: 0.03, DesignRA: &ra}},
	}
}

// TestFlatTables: every table's columns are its row's JSON names in
// order, and every row reads back with its values (a missing value or NaN
// as an empty cell, a list joined by ";").
func TestFlatTables(t *testing.T) {
	tables, err := flatSummary().Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		row  any
		rows int
		cell [3]string // column, row 1's value
	}{
		{"comparisons.csv", ComparisonRow{}, 2, [3]string{"p_holm", "0.016", "galaxies_per_class_field_for_80"}},
		{"probes.csv", ProbeRow{}, 1, [3]string{"regions", "f1;f2", "train_accuracy"}},
		{"anisotropy.csv", AnisotropyRow{}, 1, [3]string{"design_ra", "12.5", "separation"}},
	} {
		recs, err := csv.NewReader(bytes.NewReader(tables[c.file])).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		var want []string
		rt := reflect.TypeOf(c.row)
		for i := 0; i < rt.NumField(); i++ {
			if tag := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]; tag != "" && tag != "-" {
				want = append(want, tag)
			}
		}
		if !reflect.DeepEqual(recs[0], want) || len(recs) != c.rows+1 {
			t.Errorf("%s: header %v (%d rows), want %v (%d rows)", c.file, recs[0], len(recs)-1, want, c.rows)
			continue
		}
		col := func(name string) int { return indexOf(recs[0], name) }
		if got := recs[1][col(c.cell[0])]; got != c.cell[1] {
			t.Errorf("%s: %s = %q, want %q", c.file, c.cell[0], got, c.cell[1])
		}
		if got := recs[1][col(c.cell[2])]; c.file != "comparisons.csv" && got != "" {
			t.Errorf("%s: %s = %q, want empty (not set)", c.file, c.cell[2], got)
		}
	}
	if _, ok := (Summary{}).Tables(); ok != nil {
		t.Fatal(ok)
	}
	if ts, _ := (Summary{}).Tables(); len(ts) != 1 {
		t.Errorf("an empty summary writes %d tables, want comparisons.csv alone", len(ts))
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// TestFlatTablesReadByPandas: pandas reads each table as it is, with the
// columns and values summary.json holds.
func TestFlatTablesReadByPandas(t *testing.T) {
	py := testenv.Python(t, "pandas")
	dir := t.TempDir()
	tables, err := flatSummary().Tables()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range tables {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import sys, json, pandas as pd
out = {}
for f in ["comparisons.csv", "probes.csv", "anisotropy.csv"]:
    d = pd.read_csv(sys.argv[1] + "/" + f)
    out[f] = {"shape": list(d.shape), "columns": list(d.columns), "first": {k: (None if pd.isna(v) else str(v)) for k, v in d.iloc[0].items()}}
print(json.dumps(out))
`
	b, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pandas: %v\n%s", err, b)
	}
	var got map[string]struct {
		Shape   []int              `json:"shape"`
		Columns []string           `json:"columns"`
		First   map[string]*string `json:"first"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	c := got["comparisons.csv"]
	if c.Shape[0] != 2 || c.Columns[0] != "experiment" || *c.First["verdict"] != "shift" || *c.First["p_holm"] != "0.016" || c.First["variant"] != nil {
		t.Errorf("comparisons.csv as pandas reads it: %+v", c)
	}
	if p := got["probes.csv"]; p.Shape[0] != 1 || *p.First["regions"] != "f1;f2" || *p.First["repeats_not_learned"] != "1" {
		t.Errorf("probes.csv as pandas reads it: %+v", p)
	}
	if a := got["anisotropy.csv"]; a.Shape[0] != 1 || *a.First["design_ra"] != "12.5" || a.First["separation"] != nil {
		t.Errorf("anisotropy.csv as pandas reads it: %+v", a)
	}
}
