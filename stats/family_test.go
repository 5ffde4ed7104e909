package stats

import (
	"math"
	"testing"
)

// Reference values from statsmodels 0.13.5 (multipletests, method "holm";
// proportion_confint, method "beta") and SciPy 1.10.1 (t.ppf).

func TestHolm(t *testing.T) {
	got := Holm([]float64{0.01, 0.04, 0.03, 0.005, 0.2})
	want := []float64{0.04, 0.09, 0.09, 0.025, 0.2}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("Holm[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	if got := Holm([]float64{0.9, 0.8}); got[0] != 1 || got[1] != 1 {
		t.Errorf("Holm caps at 1: %v", got)
	}
}

func TestClopperPearson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 100, 0, 0.03621669264517642},
		{3, 100, 0.006229971538306395, 0.08517605297428003},
		{5, 30, 0.056421696468071485, 0.3472116988341438},
		{100, 100, 0.9637833073548235, 1},
		{7, 20, 0.15390920478454118, 0.5921885345328282},
	} {
		lo, hi := ClopperPearson(c.k, c.n, 0.05)
		if math.Abs(lo-c.lo) > 1e-9 || math.Abs(hi-c.hi) > 1e-9 {
			t.Errorf("ClopperPearson(%d, %d) = [%.12g, %.12g], want [%.12g, %.12g]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
}

func TestStudentTQuantile(t *testing.T) {
	for _, c := range []struct{ q, df, want float64 }{
		{0.975, 3.2, 3.0728289297133666},
		{0.975, 10, 2.2281388519649385},
		{0.995, 4, 4.604094871415897},
		{0.9, 1, 3.0776835372078066},
		{0.975, math.Inf(1), 1.959963984540054},
		{0.025, 10, -2.2281388519649385},
	} {
		if got := StudentTQuantile(c.q, c.df); math.Abs(got-c.want) > 1e-8*math.Abs(c.want) {
			t.Errorf("StudentTQuantile(%g, %g) = %.12g, want %.12g", c.q, c.df, got, c.want)
		}
	}
}

func TestBootstrapCI(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	est, lo, hi, err := BootstrapCI(xs, Mean, 4000, 0.05, 7)
	if err != nil {
		t.Fatal(err)
	}
	// The mean's sampling sd is 2.87/sqrt(10) = 0.908; the percentile
	// interval is about mean -+ 1.96 * 0.908 * sqrt(9/10) (SciPy's
	// bootstrap, method "percentile", gives [3.7, 7.3] on this sample).
	if est != 5.5 || math.Abs(lo-3.7) > 0.2 || math.Abs(hi-7.3) > 0.2 {
		t.Errorf("BootstrapCI = %g [%g, %g], want 5.5 [3.7, 7.3] within 0.2", est, lo, hi)
	}
	_, lo2, hi2, _ := BootstrapCI(xs, Mean, 4000, 0.05, 7)
	if lo2 != lo || hi2 != hi {
		t.Error("same seed, different interval")
	}
	if _, _, _, err := BootstrapCI(nil, Mean, 10, 0.05, 1); err == nil {
		t.Error("empty sample accepted")
	}
}
