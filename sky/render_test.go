package sky

import (
	"math"
	"testing"
)

// TestStretchExact checks the table-driven asinh stretch against math.Asinh.
func TestStretchExact(t *testing.T) {
	for _, beta := range []float64{0.01, 0.06, 0.5} {
		s := stretchLevels(beta)
		norm := 1 / math.Asinh(1/beta)
		for i := -100; i < 30000; i++ {
			v := float64(i) * 4e-5
			want := uint8(math.Round(255 * math.Min(1, math.Max(0, math.Asinh(v/beta)*norm))))
			if got := s.byte(v); got != want {
				t.Fatalf("beta %g v %g: %d want %d", beta, v, got, want)
			}
		}
	}
}
