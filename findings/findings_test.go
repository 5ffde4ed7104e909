package findings

import (
	"testing"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/stats"
)

func TestPublishedTables(t *testing.T) {
	pub, err := PublishedTables()
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != 13 || pub[6].Confusion != [2][2]int{{7749, 251}, {408, 7592}} || pub[6].PSpiral != 0.49 || pub[12].Survey != "sdss" {
		t.Fatalf("published: %+v", pub[6])
	}
}

func TestVerdictFromEffects(t *testing.T) {
	eff := func(est, p float64) analysis.Effect { return analysis.Effect{Estimate: est, P: p} }
	cases := []struct {
		name    string
		effects []analysis.Effect // per repeat
		verdict string
		rate    int // repeats called a shift, each alone
	}{
		{"clear shift", []analysis.Effect{eff(0.2, 1e-9)}, "**shift**", 1},
		{"against the design", []analysis.Effect{eff(-0.2, 1e-9)}, "**reverse shift**", 1},
		{"within noise", []analysis.Effect{eff(0.05, 0.3)}, "no shift", 0},
		{"repeats, some called", []analysis.Effect{eff(0.1, 0.01), eff(0.02, 0.6), eff(0.12, 0.04)}, "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmp := &Comparison{Test: "f1", McNemar: make([]stats.McNemarTest, len(c.effects)), Effects: c.effects}
			var err error
			if cmp.Effect, err = analysis.OverRepeats(c.effects); err != nil {
				t.Fatal(err)
			}
			cmp.Decision = analysis.Decide([]analysis.Effect{cmp.Effect}, analysis.FamilyAlpha)[0]
			if c.verdict != "" {
				if got := cmp.Verdict(); got != c.verdict {
					t.Errorf("Verdict = %q, want %q", got, c.verdict)
				}
			}
			if got := cmp.Rate(); got.Calls != c.rate || got.Repeats != len(c.effects) {
				t.Errorf("Rate = %v, want %d of %d", got, c.rate, len(c.effects))
			}
		})
	}
}

func TestAgreementRates(t *testing.T) {
	tests := []struct {
		name     string
		c        [2][2]int
		pS, acc  float64
		row      AgreementRow
		sameSign bool
	}{
		{"table 6 as printed", [2][2]int{{7749, 251}, {408, 7592}}, 7843.0 / 16000, 15341.0 / 16000, AgreementRow{Baseline: 3, Shift: 0.1, PublishedShift: 0.028}, true},
		{"opposite shifts", [2][2]int{{1, 1}, {1, 1}}, 0.5, 0.5, AgreementRow{Baseline: 3, Shift: -0.16, PublishedShift: 0.029}, false},
		{"no baseline", [2][2]int{{3, 1}, {0, 4}}, 5.0 / 8, 7.0 / 8, AgreementRow{Shift: 0.1, PublishedShift: 0.1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, a := rate(tc.c)
			if p != tc.pS || a != tc.acc {
				t.Errorf("rate = %g, %g; want %g, %g", p, a, tc.pS, tc.acc)
			}
			if got := tc.row.SameSign(); got != tc.sameSign {
				t.Errorf("SameSign = %v, want %v", got, tc.sameSign)
			}
		})
	}
}
