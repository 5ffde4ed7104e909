package predictions

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/sky"
)

// result draws a stored result's two test sets, three ensemble members
// each, with a pull of lean towards spiral on field f1.
func result(seed uint64, lean float64) *results.Result {
	r := rand.New(rand.NewPCG(seed, 5))
	res := &results.Result{}
	for _, f := range []string{"f1", "f2"} {
		t := &results.TestResult{Name: f}
		for i := range 300 {
			c := sky.Class(i % 2)
			p := results.Prediction{ID: fmt.Sprintf("%s-%d", f, i), Class: c, Members: make([]float64, 3)}
			for m := range p.Members {
				v := 0.3 + 0.4*float64(c) + r.NormFloat64()*0.2
				if f == "f1" {
					v += lean
				}
				p.Members[m] = min(1, max(0, v))
				p.PSpiral += p.Members[m] / 3
			}
			t.Predictions = append(t.Predictions, p)
		}
		res.Tests = append(res.Tests, *t)
	}
	return res
}

// TestAuditReproducesTheVerdict writes stored results as predictions
// files, reads them back and holds the verdict computed from the files to
// the one computed from the results themselves, bit for bit.
func TestAuditReproducesTheVerdict(t *testing.T) {
	design, base := result(1, 0.05), result(2, 0)
	internal, err := analysis.Interaction(findings.Calls(design.Test("f1")), findings.Calls(design.Test("f2")),
		findings.Calls(base.Test("f1")), findings.Calls(base.Test("f2")))
	if err != nil {
		t.Fatal(err)
	}
	var tables [2]*Table
	for k, r := range []*results.Result{design, base} {
		var b bytes.Buffer
		if err := Write(&b, r.Tests); err != nil {
			t.Fatal(err)
		}
		if tables[k], err = Parse(&b, "side.csv"); err != nil {
			t.Fatal(err)
		}
	}
	calls := func(tb *Table, f string) *analysis.Calls {
		c, err := tb.Calls(f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	fromFiles, err := analysis.Interaction(calls(tables[0], "f1"), calls(tables[0], "f2"), calls(tables[1], "f1"), calls(tables[1], "f2"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(internal, fromFiles) {
		t.Errorf("from the results %+v\nfrom the files  %+v", internal, fromFiles)
	}
	if d := analysis.Decide([]analysis.Effect{fromFiles}, 0.05); d[0].Verdict != analysis.ShiftFound {
		t.Errorf("a lean of 0.05 on f1 not called: %+v (effect %+v)", d[0], fromFiles)
	}
	if !reflect.DeepEqual(tables[0].P[1], slicesOf(design, 1)) {
		t.Error("p(spiral) did not read back exactly")
	}
}

func slicesOf(r *results.Result, m int) []float64 {
	var out []float64
	for _, t := range r.Tests {
		for _, p := range t.Predictions {
			out = append(out, p.Members[m])
		}
	}
	return out
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct {
		name, csv, want string
	}{
		{"empty", "", "empty"},
		{"header", "galaxy,class,field,n1\n", `column 1 is "galaxy", want "id"`},
		{"no network", "id,class,field\n", "no network column"},
		{"duplicate", "id,class,field,n1\na,spiral,f1,0.2\nb,spiral,f1,0.3\na,spiral,f1,0.4\n", "x.csv:4: galaxy a again (first on line 2)"},
		{"class", "id,class,field,n1\na,lenticular,f1,0.2\n", `x.csv:2: class "lenticular" of galaxy a`},
		{"range", "id,class,field,n1\na,spiral,f1,1.5\n", "x.csv:2: network n1 gives 1.5 for galaxy a, not a probability"},
		{"word", "id,class,field,n1\na,spiral,f1,maybe\n", `network n1 gives "maybe"`},
		{"short row", "id,class,field,n1,n2\na,spiral,f1,0.2\n", "wrong number of fields"},
		{"no field", "id,class,field,n1\na,spiral,,0.2\n", "galaxy a has no field"},
		{"same name", "id,class,field,n1,n1\na,spiral,f1,0.2,0.3\n", "named twice"},
		{"no rows", "id,class,field,n1\n", "no galaxies"},
	} {
		_, err := Parse(strings.NewReader(c.csv), "x.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	tb, err := Parse(strings.NewReader("id,class,field,n1,n2\na,Spiral,f1,spiral,0.7\nb,0,f2,elliptical,0.1\n"), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tb.P, [][]float64{{1, 0}, {0.7, 0.1}}) || !reflect.DeepEqual(tb.Fields(), []string{"f1", "f2"}) {
		t.Errorf("read %+v", tb)
	}
	if _, err := tb.Calls("f3"); err == nil || !strings.Contains(err.Error(), "fields: f1, f2") {
		t.Errorf("missing field: %v", err)
	}
}

// FuzzParse feeds arbitrary bytes to the reader: it may refuse them,
// never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte("id,class,field,n1\na,spiral,f1,0.2\nb,elliptical,f2,0.9\n"))
	f.Add([]byte("id,class,field\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Parse(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		for _, fl := range tb.Fields() {
			if _, err := tb.Calls(fl); err != nil {
				t.Errorf("a field the table lists has no calls: %v", err)
			}
		}
	})
}
