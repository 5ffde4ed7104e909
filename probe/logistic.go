package probe

import (
	"errors"
	"fmt"
	"math"
)

// Logistic is a fitted logistic regression on standardised features: the
// transparent probe.
type Logistic struct {
	Mean, Scale []float64 // each feature's training mean and spread
	Weights     []float64 // per standardised feature
	Bias        float64
}

// FitLogistic fits p(label 1 | x) by Newton's method (iteratively
// reweighted least squares) with a small ridge penalty lambda on the
// weights, which keeps the fit finite when the classes separate. It is
// deterministic: the same data give the same weights.
func FitLogistic(x [][]float64, y []int, lambda float64) (*Logistic, error) {
	if len(x) == 0 || len(x) != len(y) {
		return nil, fmt.Errorf("logistic: %d rows and %d labels", len(x), len(y))
	}
	d := len(x[0])
	m := &Logistic{Mean: make([]float64, d), Scale: make([]float64, d), Weights: make([]float64, d)}
	for _, row := range x {
		if len(row) != d {
			return nil, errors.New("logistic: rows of different lengths")
		}
		for j, v := range row {
			m.Mean[j] += v / float64(len(x))
		}
	}
	for _, row := range x {
		for j, v := range row {
			m.Scale[j] += (v - m.Mean[j]) * (v - m.Mean[j]) / float64(len(x))
		}
	}
	for j := range m.Scale {
		m.Scale[j] = math.Sqrt(m.Scale[j])
		if m.Scale[j] < 1e-12 {
			m.Scale[j] = 1 // a constant feature: its weight stays 0
		}
	}
	z := make([][]float64, len(x))
	for i, row := range x {
		z[i] = make([]float64, d+1)
		for j, v := range row {
			z[i][j] = (v - m.Mean[j]) / m.Scale[j]
		}
		z[i][d] = 1
	}
	w := make([]float64, d+1)
	for iter := 0; iter < 50; iter++ {
		g := make([]float64, d+1)
		h := make([][]float64, d+1)
		for j := range h {
			h[j] = make([]float64, d+1)
		}
		for i, zi := range z {
			p := sigmoid(dot(w, zi))
			r := p - float64(y[i])
			s := p * (1 - p)
			for j := range zi {
				g[j] += r * zi[j]
				for k := range zi {
					h[j][k] += s * zi[j] * zi[k]
				}
			}
		}
		for j := 0; j < d; j++ {
			g[j] += lambda * w[j]
			h[j][j] += lambda
		}
		h[d][d] += 1e-9
		step, err := solve(h, g)
		if err != nil {
			return nil, fmt.Errorf("logistic: %w", err)
		}
		var size float64
		for j := range w {
			w[j] -= step[j]
			size = math.Max(size, math.Abs(step[j]))
		}
		if size < 1e-10 {
			break
		}
	}
	copy(m.Weights, w[:d])
	m.Bias = w[d]
	return m, nil
}

// Predict is p(label 1) for one feature vector.
func (m *Logistic) Predict(x []float64) float64 {
	s := m.Bias
	for j, v := range x {
		s += m.Weights[j] * (v - m.Mean[j]) / m.Scale[j]
	}
	return sigmoid(s)
}

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-300 {
			return nil, errors.New("singular system")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}
