package stats

import (
	"math"
	"testing"
)

// Reference values from SciPy 1.10.1 (Debian python3-scipy):
// scipy.stats.binom.cdf / binom.sf, scipy.stats.binomtest,
// scipy.stats.chi2_contingency(correction=False), numpy.percentile.

func close(a, b, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

func TestBinomialTails(t *testing.T) {
	cases := []struct {
		name    string
		k, n    int
		p, want float64
		upper   bool
	}{
		// The paper's own statements (Tables 3 vs 6, 7 vs 4, 13 vs 12, 15 vs 14).
		{"paper: 7394 of 16000 at 0.4902", 7394, 16000, 0.4902, 6.223633187972527e-13, false},
		{"paper: 209 of 8000 at 301/8000", 209, 8000, 301.0 / 8000, 7.1954059363035505e-09, false},
		{"paper: 109 of 3000 at 0.0987", 109, 3000, 0.0987, 1.1862006851738098e-38, false},
		{"paper: 154 of 3000 at 0.165", 154, 3000, 0.165, 1.0049437739245273e-81, false},
		{"small", 3, 10, 0.5, 0.171875, false},
		{"zero successes", 0, 20, 0.1, 0.12157665459056925, false},
		{"upper tail P(X>=60)", 60, 100, 0.5, 0.02844396682049044, true},
	}
	for _, c := range cases {
		var got float64
		if c.upper {
			got = BinomSF(c.k, c.n, c.p)
		} else {
			got = BinomCDF(c.k, c.n, c.p)
		}
		if !close(got, c.want, 1e-9) {
			t.Errorf("%s: got %.16g, want %.16g (SciPy)", c.name, got, c.want)
		}
	}
	if v := Binomial(7394, 16000, 0.4902); v.Direction != "fewer" || v.P > 1e-5 {
		t.Errorf("Binomial: %+v", v)
	}
	if BinomCDF(-1, 5, 0.3) != 0 || BinomCDF(5, 5, 0.3) != 1 || BinomSF(0, 5, 0.3) != 1 || BinomSF(6, 5, 0.3) != 0 {
		t.Error("edge cases")
	}
}

func TestMcNemar(t *testing.T) {
	cases := []struct {
		b, c int
		want float64
	}{{5, 15, 0.04138946533203125}, {0, 30, 1.862645149230957e-09}, {10, 10, 1}, {0, 0, 1}}
	for _, c := range cases {
		if got := McNemar(c.b, c.c).P; !close(got, c.want, 1e-9) {
			t.Errorf("McNemar(%d, %d) = %.16g, want %.16g (SciPy binomtest)", c.b, c.c, got, c.want)
		}
	}
	m, err := McNemarPairs([]bool{false, false, true, true, false}, []bool{true, true, true, false, false})
	if err != nil || m.B != 2 || m.C != 1 {
		t.Errorf("pairs: %+v %v", m, err)
	}
	if _, err := McNemarPairs([]bool{true}, nil); err == nil {
		t.Error("different lengths accepted")
	}
}

func TestWilson(t *testing.T) {
	cases := []struct {
		k, n   int
		lo, hi float64
	}{{7394, 16000, 0.4544098348424291, 0.46985834769870743}, {0, 10, 0, 0.2775327998628892}, {10, 10, 0.7224672001371107, 1}}
	for _, c := range cases {
		lo, hi := Wilson(c.k, c.n, Z95)
		if !close(lo, c.lo, 1e-9) && math.Abs(lo-c.lo) > 1e-12 || !close(hi, c.hi, 1e-9) {
			t.Errorf("Wilson(%d, %d) = [%.16g, %.16g], want [%.16g, %.16g]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
}

func TestHomogeneity(t *testing.T) {
	cases := []struct {
		table [][]int
		stat  float64
		p     float64
	}{
		{[][]int{{7850, 150}, {7699, 301}, {7749, 251}}, 52.09647135992744, 4.868497831220802e-12},
		{[][]int{{30, 70}, {50, 50}, {45, 55}}, 8.914285714285716, 0.011595445849444688},
	}
	for _, c := range cases {
		got, err := Homogeneity(c.table)
		if err != nil {
			t.Fatal(err)
		}
		if !close(got.Stat, c.stat, 1e-12) || !close(got.P, c.p, 1e-8) || got.DF != 2 {
			t.Errorf("%v: %+v, want stat %.16g p %.16g", c.table, got, c.stat, c.p)
		}
	}
	if _, err := Homogeneity([][]int{{1, 2}}); err == nil {
		t.Error("one row accepted")
	}
	if _, err := Homogeneity([][]int{{0, 0}, {1, 2}}); err == nil {
		t.Error("empty row accepted")
	}
}

func TestSummarise(t *testing.T) {
	s := Summarise([]float64{247, 251, 244, 249, 246})
	// numpy: mean 247.4, std(ddof=1) 2.701851217221259, percentile [244.2, 247, 250.8]
	if !close(s.Mean, 247.4, 1e-12) || !close(s.SD, 2.701851217221259, 1e-12) ||
		!close(s.P025, 244.2, 1e-12) || s.Median != 247 || !close(s.P975, 250.8, 1e-12) {
		t.Errorf("%+v", s)
	}
	if s := Summarise(nil); s.N != 0 {
		t.Error("empty")
	}
}

// TestKSUniform checks the KS statistic on small samples worked by hand,
// and its p-value at the critical values of Massey's table (J. Amer.
// Statist. Assoc. 46, 1951, Table 1): at the tabulated distance for a
// level, the p-value is that level.
func TestKSUniform(t *testing.T) {
	cases := []struct {
		xs []float64
		d  float64
	}{
		{[]float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}, 0.1},
		{[]float64{0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2, 0.3, 0.4, 0.5}, 0.5},
		{[]float64{0.5, 0.5}, 0.5},
	}
	for _, c := range cases {
		k, err := KSUniform(c.xs)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(k.D-c.d) > 1e-12 || k.P != ksP(len(c.xs), k.D) {
			t.Errorf("KSUniform(%v) = D %g P %g; want D %g", c.xs, k.D, k.P, c.d)
		}
	}
	table := []struct {
		n        int
		d, alpha float64
	}{
		{10, 0.410, 0.05}, {10, 0.490, 0.01}, {20, 0.294, 0.05}, {20, 0.356, 0.01}, {30, 0.242, 0.05}, {5, 0.565, 0.05},
	}
	for _, c := range table {
		if p := ksP(c.n, c.d); math.Abs(p-c.alpha) > 0.15*c.alpha {
			t.Errorf("n %d, D %g: P %g; Massey's table gives %g", c.n, c.d, p, c.alpha)
		}
	}
	if _, err := KSUniform([]float64{0.5, 1.5}); err == nil {
		t.Error("a value above 1 was accepted")
	}
}
