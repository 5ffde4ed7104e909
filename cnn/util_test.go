package cnn

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// jitteredParams resolves c, initialises its parameters from seed and adds
// noise of sd 0.05 from r to every value (biases too, so that their
// gradients are exercised).
func jitteredParams(t *testing.T, c Config, seed uint64, r *rand.Rand) (Config, []Param, [][]float64) {
	t.Helper()
	cfg, err := c.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	shapes := paramShapes(cfg)
	initParams(shapes, seed)
	params := make([][]float64, len(shapes))
	for i, p := range shapes {
		params[i] = make([]float64, len(p.Data))
		for j, v := range p.Data {
			params[i][j] = float64(v) + 0.05*r.NormFloat64()
		}
	}
	return cfg, shapes, params
}

// fmtSscan reads the trailing number of a synthetic galaxy ID.
func fmtSscan(id string, n *int) (int, error) {
	v, err := strconv.Atoi(id[strings.LastIndexByte(id, '-')+1:])
	*n = v
	return 1, err
}
