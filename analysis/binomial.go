package analysis

import (
	"fmt"

	"github.com/skybias/skybias/stats"
)

// Confusion counts galaxies by true class (rows elliptical, spiral) and
// predicted class (columns elliptical, spiral).
type Confusion [2][2]int

// PaperBinomial is the significance test of Dhar & Shamir: the count of
// one kind of error on a test set against the rate of the same error in
// the baseline's matrix, one-sided in the direction the design predicts,
// chosen before seeing the data. On the field that gave the training
// spirals the design predicts fewer spirals called elliptical; on the
// field that gave the ellipticals, fewer ellipticals called spiral.
type PaperBinomial struct {
	// Error is "spirals called elliptical" or "ellipticals called spiral".
	Error string
	// K of N in the compared matrix; Rate is the baseline's rate.
	K, N int
	Rate float64
	// P is P(X <= K) for X ~ Binomial(N, Rate).
	P float64
}

// PaperTest is the paper's binomial test of matrix x against baseline b on
// a test set from the field that gave the training spirals (spiralField)
// or the ellipticals.
func PaperTest(x, b Confusion, spiralField bool) (PaperBinomial, error) {
	row, col, what := 0, 1, "ellipticals called spiral"
	if spiralField {
		row, col, what = 1, 0, "spirals called elliptical"
	}
	n, nb := x[row][0]+x[row][1], b[row][0]+b[row][1]
	if n == 0 || nb == 0 {
		return PaperBinomial{}, fmt.Errorf("paper binomial: no true %s in a matrix", [2]string{"ellipticals", "spirals"}[row])
	}
	t := PaperBinomial{Error: what, K: x[row][col], N: n, Rate: float64(b[row][col]) / float64(nb)}
	t.P = stats.BinomCDF(t.K, t.N, t.Rate)
	return t, nil
}

// PaperStatement is one significance statement of the paper, recomputed
// from its published confusion matrices.
type PaperStatement struct {
	// Tables: the matrix tested and the one whose rate is the reference.
	Table, Against int
	// What is counted.
	What string
	K, N int
	// Rate is the reference rate computed from the published matrix, P
	// the tail at it; PrintedRate is the rate as the paper printed it
	// (rounded in two of the four statements), PPrinted the tail at that.
	Rate, P               float64
	PrintedRate, PPrinted float64
}

// PaperStatements recomputes the four binomial P values the paper prints
// (section 4) from its published matrices, keyed by table number: Table
// 3's predicted spirals against Table 6's proportion, Table 7's
// misclassified ellipticals against Table 4's rate, Table 13's against
// Table 12's, and Table 15's misclassified spirals against Table 14's.
func PaperStatements(pub map[int]Confusion) ([]PaperStatement, error) {
	need := []int{3, 4, 6, 7, 12, 13, 14, 15}
	for _, t := range need {
		if _, ok := pub[t]; !ok {
			return nil, fmt.Errorf("paper statements: published Table %d is missing", t)
		}
	}
	spirals := func(c Confusion) int { return c[0][1] + c[1][1] }
	total := func(c Confusion) int { return c[0][0] + c[0][1] + c[1][0] + c[1][1] }
	// Table 3 against Table 6: predicted spirals; the paper printed the
	// rate as 0.4902.
	k, n := spirals(pub[3]), total(pub[3])
	r := float64(spirals(pub[6])) / float64(total(pub[6]))
	out := []PaperStatement{{Table: 3, Against: 6, What: "predicted spirals", K: k, N: n, Rate: r, P: stats.BinomCDF(k, n, r), PrintedRate: 0.4902}}
	for _, s := range []struct {
		table, against int
		spiralField    bool
		printed        float64 // as section 4 prints it
	}{{7, 4, false, 301.0 / 8000}, {13, 12, false, 0.0987}, {15, 14, true, 0.165}} {
		t, err := PaperTest(pub[s.table], pub[s.against], s.spiralField)
		if err != nil {
			return nil, err
		}
		out = append(out, PaperStatement{Table: s.table, Against: s.against, What: t.Error, K: t.K, N: t.N, Rate: t.Rate, P: t.P, PrintedRate: s.printed})
	}
	for i := range out {
		out[i].PPrinted = stats.BinomCDF(out[i].K, out[i].N, out[i].PrintedRate)
	}
	return out, nil
}
