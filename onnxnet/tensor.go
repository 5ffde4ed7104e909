package onnxnet

import (
	"fmt"
	"slices"
)

// Tensor is a dense row-major tensor: float32 values in F for the data a
// network computes, or int64 values in I for the shape arithmetic around
// it (Shape, Gather, Concat feeding a Reshape). Exactly one of them is
// used; during shape inference a float tensor has its Shape and no F.
type Tensor struct {
	Shape []int
	F     []float32
	I     []int64
}

// Len is the number of elements the shape holds (1 for a scalar).
func (t *Tensor) Len() int { return numel(t.Shape) }

// isInt reports whether t holds integers.
func (t *Tensor) isInt() bool { return t.I != nil }

// numel is the number of elements of shape, held at maxElems when the
// product would be larger (so that a hostile shape cannot wrap around
// and pass the limits).
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d != 0 && n > maxElems/d {
			return maxElems
		}
		n *= d
	}
	return n
}

// maxElems is larger than any tensor the limits let through.
const maxElems = 1 << 40

// strides returns the row-major element strides of shape.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	k := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = k
		k *= shape[i]
	}
	return s
}

// broadcastShape is the numpy broadcast of two shapes.
func broadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// broadcastIndex maps each element of out (row-major) to the element of a
// tensor of shape in that numpy broadcasting reads for it.
func broadcastIndex(in, out []int) []int32 {
	idx := make([]int32, numel(out))
	if slices.Equal(in, out) {
		for i := range idx {
			idx[i] = int32(i)
		}
		return idx
	}
	pad := make([]int, len(out))
	for i := range pad {
		pad[i] = 1
	}
	copy(pad[len(out)-len(in):], in)
	st := strides(pad)
	for i := range st {
		if pad[i] == 1 {
			st[i] = 0
		}
	}
	ost := strides(out)
	for e := range idx {
		r, k := e, 0
		for d := range out {
			q := r / ost[d]
			r -= q * ost[d]
			k += q * st[d]
		}
		idx[e] = int32(k)
	}
	return idx
}

// axis resolves a possibly negative axis against a rank.
func axis(a, rank int) (int, error) {
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return 0, fmt.Errorf("axis %d is outside a tensor of rank %d", a, rank)
	}
	return a, nil
}
