package stats

import "testing"

// Reference values from SciPy 1.10.1: scipy.stats.ttest_ind(equal_var=False),
// scipy.stats.t.sf, scipy.special.betainc.
func TestWelch(t *testing.T) {
	cases := []struct {
		a, b  []float64
		tstat float64
		p     float64
	}{
		{[]float64{0.51, 0.53, 0.49, 0.55, 0.50}, []float64{0.62, 0.66, 0.60, 0.70, 0.64}, -6.306107380251475, 0.0004745214314629555},
		{[]float64{0.4428, 0.5528, 0.5028, 0.4528, 0.5128}, []float64{0.5294, 0.4794, 0.5194, 0.5094, 0.5094}, -0.7576828712154751, 0.48079721487220783},
	}
	for _, c := range cases {
		w, err := Welch(c.a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if !close(w.T, c.tstat, 1e-9) || !close(w.P, c.p, 1e-7) {
			t.Errorf("Welch: t %.16g P %.16g, want %.16g %.16g", w.T, w.P, c.tstat, c.p)
		}
	}
	if _, err := Welch([]float64{1}, []float64{1, 2}); err == nil {
		t.Error("one value accepted")
	}
	for _, c := range []struct{ t, df, want float64 }{{2.5, 7.3, 0.019825117332800207}, {0.3, 3, 0.3918816460199595}, {10, 30, 2.2876257041148048e-11}} {
		if got := StudentTSF(c.t, c.df); !close(got, c.want, 1e-8) {
			t.Errorf("StudentTSF(%g, %g) = %.16g, want %.16g", c.t, c.df, got, c.want)
		}
	}
	if got := RegIncBeta(2.5, 3.5, 0.4); !close(got, 0.4869041915261175, 1e-10) {
		t.Errorf("RegIncBeta = %.16g", got)
	}
}
