package results

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/sky"
)

// A result written to the store reads back the same: test-set
// predictions with every member's answer, and a probe's answers.
func TestStoreRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		res  *Result
	}{
		{"test sets", &Result{Hash: "aaaaaaaaaaaaaaaa", TrainCounts: map[string]int{"spiral": 2}, Tests: []TestResult{{
			Name: "f1", Confusion: [2][2]int{{1, 0}, {0, 1}},
			Predictions: []Prediction{
				{ID: "g1", RA: 10.5, Dec: -2, Class: sky.Elliptical, PSpiral: 0.25, Members: []float64{0.2, 0.3}},
				{ID: "g2", RA: 11, Dec: 3, Class: sky.Spiral, PSpiral: 0.75, Members: []float64{0.7, 0.8}},
			}}}}},
		{"probe", &Result{Hash: "bbbbbbbbbbbbbbbb", TrainCounts: map[string]int{"f1": 2, "f2": 2}, Probe: &ProbeResult{
			Regions: []string{"f1", "f2"},
			Predictions: []ProbePrediction{
				{ID: "a", RA: math.NaN(), Dec: math.NaN(), Class: sky.Spiral, Region: 0, P: 0.125, Simple: 0.5},
				{ID: "b", RA: 190, Dec: 5, Class: sky.Elliptical, Region: 1, P: 0.875, Simple: 0.625},
			}}}},
		{"probe with members", &Result{Hash: "cccccccccccccccc", Probe: &ProbeResult{
			Regions:     []string{"x", "y"},
			Predictions: []ProbePrediction{{ID: "a", RA: 1, Dec: 1, Class: sky.Spiral, Region: 1, P: 0.5, Simple: 0.5, Members: []float64{0.25, 0.75}}},
		}}},
	}
	store := &Store{Dir: t.TempDir()}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Encode(tc.res, &dsl.Job{Experiment: "x"}, &Manifest{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Write(tc.res.Hash, files); err != nil {
				t.Fatal(err)
			}
			got, err := store.Load(tc.res.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if tc.res.Probe != nil {
				for i, p := range got.Probe.Predictions {
					w := tc.res.Probe.Predictions[i]
					if math.IsNaN(w.RA) != math.IsNaN(p.RA) {
						t.Errorf("prediction %d: RA %g, want %g", i, p.RA, w.RA)
					}
					p.RA, p.Dec, w.RA, w.Dec = 0, 0, 0, 0
					if !reflect.DeepEqual(p, w) {
						t.Errorf("prediction %d: %+v, want %+v", i, p, w)
					}
				}
				return
			}
			if !reflect.DeepEqual(got.Tests, tc.res.Tests) {
				t.Errorf("tests read back as %+v, want %+v", got.Tests, tc.res.Tests)
			}
		})
	}
	if _, err := store.Load("dddddddddddddddd"); err == nil {
		t.Error("a missing result: want an error")
	}
	if _, err := filepath.Abs(store.Path("x")); err != nil {
		t.Fatal(err)
	}
}

// The stored prediction files are parsed with errors, never a panic,
// whatever they hold.
func FuzzReadPredictionFiles(f *testing.F) {
	f.Add("id,ra,dec,class,p_spiral\ng1,1,2,spiral,0.5\n")
	f.Add("id,ra,dec,class,region,p_region1,p_simple,p_region1_1,p_region1_2\na,,,spiral,x,0.5,0.25,0.1,0.9\n")
	f.Add("id,ra,dec,class\n")
	f.Add("\"unterminated\n")
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if ps, err := readPredictions(p); err == nil {
			for _, q := range ps {
				if q.Class != sky.Elliptical && q.Class != sky.Spiral {
					t.Fatalf("class %v read without an error", q.Class)
				}
			}
		}
		if ps, err := readProbe(p, []string{"x", "y"}); err == nil {
			for _, q := range ps {
				if q.Region != 0 && q.Region != 1 {
					t.Fatalf("region %d read without an error", q.Region)
				}
			}
		}
	})
}
