package cnn

import "math"

// adamState is the optimiser's memory: first and second moments of every
// parameter and the number of steps taken. It is saved in checkpoints so
// that training resumes exactly.
type adamState struct {
	Step int64
	M, V [][]float32
}

func newAdamState(ps []Param) *adamState {
	s := &adamState{M: make([][]float32, len(ps)), V: make([][]float32, len(ps))}
	for i, p := range ps {
		s.M[i] = make([]float32, len(p.Data))
		s.V[i] = make([]float32, len(p.Data))
	}
	return s
}

// step applies one Adam update as Keras (TensorFlow) does: the bias
// corrections fold into the step size and epsilon is added to sqrt(v).
func (s *adamState) step(a Adam, ps []Param, grads [][]float32) {
	s.Step++
	t := float64(s.Step)
	lrT := float32(a.LR * math.Sqrt(1-math.Pow(a.Beta2, t)) / (1 - math.Pow(a.Beta1, t)))
	b1, b2, eps := float32(a.Beta1), float32(a.Beta2), float32(a.Epsilon)
	for i := range ps {
		w, g, m, v := ps[i].Data, grads[i], s.M[i], s.V[i]
		parallelChunks(len(w), func(lo, hi int) {
			for j := lo; j < hi; j++ {
				gj := g[j]
				m[j] = b1*m[j] + (1-b1)*gj
				v[j] = b2*v[j] + (1-b2)*gj*gj
				w[j] -= lrT * m[j] / (float32(math.Sqrt(float64(v[j]))) + eps)
			}
		})
	}
}

// parallelChunks splits [0, n) into fixed chunks handled in parallel;
// each element is computed independently, so the split never shows.
func parallelChunks(n int, fn func(lo, hi int)) {
	const chunk = 1 << 14
	parallelFor((n+chunk-1)/chunk, func(_, c int) {
		fn(c*chunk, min((c+1)*chunk, n))
	})
}
