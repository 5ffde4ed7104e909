package sky

import (
	"context"
	"testing"
)

// BenchmarkRender20k renders 20,000 cutouts of the ps1-like survey on all
// cores, as a training run would; the goal is under a minute on 2 cores.
// Run: go test ./sky -run NONE -bench Render20k -benchtime 1x
func BenchmarkRender20k(b *testing.B) {
	s := openSurvey(b, "ps1-like.yaml")
	gals := make([]Galaxy, 0, 20000)
	for i := 0; i < 20000; i++ { // alternate fields and classes
		gals = append(gals, s.Galaxies()[(i*7919)%len(s.Galaxies())])
	}
	for i := 0; i < b.N; i++ {
		if _, err := LoadImages(context.Background(), s, gals, 120, false); err != nil {
			b.Fatal(err)
		}
	}
}
