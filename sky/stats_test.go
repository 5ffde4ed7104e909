package sky

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestImageStats: on a cutout whose border is sky of a set level and
// noise, with a bright galaxy in the middle, the statistics give the
// sky's level and noise, not the galaxy's.
func TestImageStats(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ level, noise float64 }{{0.1, 0}, {0.1, 0.02}, {0.3, 0.05}} {
		m := NewImage(60)
		for y := range 60 {
			for x := range 60 {
				v := c.level + c.noise*r.NormFloat64()
				if (x-30)*(x-30)+(y-30)*(y-30) < 20*20 {
					v = 0.9 // the galaxy
				}
				g := uint8(math.Max(0, math.Min(255, math.Round(255*v))))
				copy(m.Pix[3*(y*60+x):], []uint8{g, g, g})
			}
		}
		s := m.ImageStats()
		if len(s) != len(ImageStatNames) || math.Abs(s[0]-c.level) > 0.01 || math.Abs(s[1]-c.noise) > 0.15*c.noise+0.004 {
			t.Errorf("sky %.2f ± %.2f: %v = %v", c.level, c.noise, ImageStatNames, s)
		}
	}
}
