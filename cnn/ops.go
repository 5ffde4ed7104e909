package cnn

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"runtime"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The network's layers as Gorgonia operators. Each forward operator has a
// backward operator that computes the gradients of all its inputs in one
// pass over the batch; the gradient of a weight or bias is then read from
// the backward pass by a small "grad" operator, so the work is done once.
// Every layer owns its buffers and reuses them from batch to batch.

// opBase holds what every operator says about itself to Gorgonia.
type opBase struct {
	name  string // unique per layer, so Gorgonia never merges two layers' nodes
	arity int
	typ   hm.Type
	shape tensor.Shape
}

func (o *opBase) Arity() int    { return o.arity }
func (o *opBase) Type() hm.Type { return o.typ }
func (o *opBase) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return o.shape.Clone(), nil
}
func (o *opBase) ReturnsPtr() bool      { return false }
func (o *opBase) CallsExtern() bool     { return false }
func (o *opBase) OverwritesInput() int  { return -1 }
func (o *opBase) WriteHash(h hash.Hash) { h.Write([]byte(o.name)) }
func (o *opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o *opBase) String() string { return o.name }

var tvA = hm.TypeVariable('a')

func tt(dims int) G.TensorType { return G.TensorType{Dims: dims, Of: tvA} }

func fnType(dims ...int) hm.Type {
	ts := make([]hm.Type, len(dims))
	for i, d := range dims {
		if d == 0 {
			ts[i] = tvA
		} else {
			ts[i] = tt(d)
		}
	}
	return hm.NewFnType(ts...)
}

func data[T Float](v G.Value) []T { return v.Data().([]T) }

func wrap[T Float](buf []T, shape tensor.Shape) G.Value {
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(buf))
}

// gradOp returns a gradient the backward operator of its input computed.
type gradOp struct {
	opBase
	get func() G.Value
}

func (o *gradOp) Do(...G.Value) (G.Value, error) { return o.get(), nil }

func newGrad(name string, inDims, outDims int, shape tensor.Shape, get func() G.Value) *gradOp {
	return &gradOp{opBase{name, 1, fnType(inDims, outDims), shape}, get}
}

// ---- convolution 3x3, same padding, bias, ReLU ----

type convLayer[T Float] struct {
	name             string
	n, c, o, h, w    int
	first            bool // input is the image: its gradient is not needed
	y, dx, dw, db    []T
	dwPart, dbPart   [][]T
	col, gm, dcol    [][]T         // per worker
	flip             []T           // float32: the transposed, flipped filters
	packW            packedA       // float32: the filters, packed for the multiply
	packFlip         packedA       // float32: the flipped filters of the input gradient, packed
	xpImg, gpImg     [][]float32   // float32, small maps (dwChunk > 0): each image's padded input and masked output gradient
	dwChunk          int           // float32, small maps: columns of dW per task of the weight gradient; 0 elsewhere
	packU, packUT    [16]packedA   // float32 Winograd: each U[ξ], and its transpose, packed
	grid             padGrid       // float32: the padded layout
	scratch          []convScratch // float32: per worker
	wg               winoGrid      // float32 Winograd: the tiles
	u, du            []float32     // float32 Winograd: the transformed filters, and their gradient
	duPart           [][]float32   // float32 Winograd: each image's du
	wino             []winoScratch // float32 Winograd: per worker; nil on the direct path
	nb               int           // float32 Winograd: tile rows per block
	bufs             []gemmBuf
	xShape, outShape tensor.Shape
}

// layerUse says which passes a layer's buffers are for.
type layerUse int

const (
	// forTraining: the forward and the backward pass.
	forTraining layerUse = iota
	// forTrainingPooled: a float32 convolution and the max-pool after it
	// in one training operator (convPoolOp): the convolution keeps its
	// output for its ReLU's gradient, the pool its argmax, and the
	// pool's full-size input gradient is made per image in the
	// convolution's backward pass instead of held for the batch.
	forTrainingPooled
	// forInference: the forward pass only; no gradient buffers.
	forInference
	// forInferencePooled: the forward pass of a float32 convolution
	// whose output is max-pooled as each image's is made, so the
	// full-size output is never held.
	forInferencePooled
)

// training reports whether the use includes the backward pass.
func (u layerUse) training() bool { return u == forTraining || u == forTrainingPooled }

// newConvLayer allocates a layer's buffers for a use. With winograd set,
// a float32 layer takes the Winograd path; float64 layers are always
// direct.
func newConvLayer[T Float](name string, n, c, o, h, w int, first, winograd bool, use layerUse) *convLayer[T] {
	l := &convLayer[T]{name: name, n: n, c: c, o: o, h: h, w: w, first: first,
		xShape: tensor.Shape{n, c, h, w}, outShape: tensor.Shape{n, o, h, w}}
	_, fast := any(l).(*convLayer[float32])
	training := use.training()
	if use != forInferencePooled || !fast {
		l.y = make([]T, n*o*h*w)
	}
	k := workers(n)
	l.col, l.gm, l.dcol, l.bufs = make([][]T, k), make([][]T, k), make([][]T, k), make([]gemmBuf, k)
	if training {
		l.dx = make([]T, n*c*h*w)
		l.dw = make([]T, o*c*9)
		l.db = make([]T, o)
		l.dbPart = make([][]T, n)
		for i := range l.dbPart {
			l.dbPart[i] = make([]T, o)
		}
	}
	if fast && winograd {
		l.wg = newWinoGrid(h, w)
		l.nb = winoBlock(c, o, l.wg)
		l.u = make([]float32, 16*o*c)
		if training {
			l.du = make([]float32, 16*o*c)
			l.duPart = make([][]float32, n) // in place of dwPart: 16 x O x C per image
			for i := range l.duPart {
				l.duPart[i] = make([]float32, 16*o*c)
			}
		}
		l.wino = make([]winoScratch, k)
		for i := range l.wino {
			if training {
				l.gm[i] = make([]T, o*h*w)
			}
			l.wino[i] = newWinoScratch(c, o, l.nb, l.wg, first || !training)
		}
		return l
	}
	if fast {
		l.grid = newPadGrid(h, w, max(c, o))
		l.scratch = make([]convScratch, k)
		if training {
			l.flip = make([]T, c*o*9)
			if l.grid.cols() <= gemmKC {
				smallMapBuffers(any(l).(*convLayer[float32]))
			}
		}
	}
	if training && l.dwChunk == 0 {
		l.dwPart = make([][]T, n)
		for i := range l.dwPart {
			l.dwPart[i] = make([]T, o*c*9)
		}
	}
	for i := 0; i < k; i++ {
		if training {
			l.gm[i] = make([]T, o*h*w)
		}
		if fast {
			l.scratch[i] = newConvScratch(c, o, l.grid, training && l.dwChunk == 0)
			continue
		}
		l.col[i] = make([]T, c*9*h*w)
		if training && !first {
			l.dcol[i] = make([]T, c*9*h*w)
		}
	}
	return l
}

func (l *convLayer[T]) forward(x, wt, b []T) {
	if l32, ok := any(l).(*convLayer[float32]); ok {
		forward32(l32, any(x).([]float32), any(wt).([]float32), any(b).([]float32), nil)
		return
	}
	hw, c9 := l.h*l.w, l.c*9
	parallelFor(l.n, func(k, i int) {
		col := l.col[k]
		im2col(x[i*l.c*hw:(i+1)*l.c*hw], col, l.c, l.h, l.w)
		y := l.y[i*l.o*hw : (i+1)*l.o*hw]
		matmul(false, false, l.o, hw, c9, wt, c9, col, hw, 0, y, hw, &l.bufs[k])
		for o := 0; o < l.o; o++ {
			row := y[o*hw : (o+1)*hw]
			bo := b[o]
			for j, v := range row {
				v += bo
				if v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	})
}

// forward32 is the forward pass of a float32 layer on its path (Winograd
// or direct). With pool set (the fused operator, convPoolOp) each image's
// output is also pooled straight from the convolution's own padded layout
// by the worker that made it, while it is in cache, and the full-size
// output is written only where the layer keeps it (training, for its
// ReLU's gradient). The values are the same, bit for bit (a maximum does
// not round).
func forward32(l *convLayer[float32], x, wt, b []float32, pool *poolLayer[float32]) {
	if l.wino != nil {
		convForwardWino(l, x, wt, b, pool)
		return
	}
	convForward32(l, x, wt, b, pool)
}

// backward32 is the backward pass of a float32 layer on its path. With
// pool set, g is the gradient at the pooled output, routed back through
// the pool's argmax per image into the worker's own buffer (outputGrad)
// instead of through a full-size gradient for the batch.
func backward32(l *convLayer[float32], x, wt, g []float32, pool *poolLayer[float32]) {
	if l.wino != nil {
		convBackwardWino(l, x, wt, g, pool)
		return
	}
	convBackward32(l, x, wt, g, pool)
}

// outputGrad writes image i's gradient at a float32 convolution's output,
// masked by its ReLU, into gm (the worker's buffer), and its part of the
// bias gradient: from gr, the full-size gradient of the batch, or with
// pool set, from gr the gradient at the pooled output, routed back
// through the pool's argmax first (into gm, then masked in place).
func outputGrad(l *convLayer[float32], gm []float32, i int, gr []float32, pool *poolLayer[float32]) {
	hw := l.h * l.w
	y := l.y[i*l.o*hw : (i+1)*l.o*hw]
	if pool == nil {
		reluGrad32(gm, y, gr[i*l.o*hw:(i+1)*l.o*hw], l.dbPart[i], hw)
		return
	}
	hw2 := (l.h / 2) * (l.w / 2)
	maxPool2Back(gr[i*l.o*hw2:(i+1)*l.o*hw2], gm, pool.arg[i*l.o*hw2:(i+1)*l.o*hw2], l.o, l.h, l.w)
	reluGrad32(gm, y, gm, l.dbPart[i], hw)
}

func (l *convLayer[T]) backward(x, wt, g []T) {
	if l32, ok := any(l).(*convLayer[float32]); ok {
		backward32(l32, any(x).([]float32), any(wt).([]float32), any(g).([]float32), nil)
		return
	}
	hw, c9 := l.h*l.w, l.c*9
	parallelFor(l.n, func(k, i int) {
		gm := l.gm[k]
		reluGrad(gm, l.y[i*l.o*hw:(i+1)*l.o*hw], g[i*l.o*hw:(i+1)*l.o*hw], l.dbPart[i], hw)
		col := l.col[k]
		im2col(x[i*l.c*hw:(i+1)*l.c*hw], col, l.c, l.h, l.w)
		matmul(false, true, l.o, c9, hw, gm, hw, col, hw, 0, l.dwPart[i], c9, &l.bufs[k])
		if l.first {
			return
		}
		dcol := l.dcol[k]
		matmul(true, false, c9, hw, l.o, wt, c9, gm, hw, 0, dcol, hw, &l.bufs[k])
		dx := l.dx[i*l.c*hw : (i+1)*l.c*hw]
		clear(dx)
		col2im(dcol, dx, l.c, l.h, l.w)
	})
	sumInOrder(l.dw, l.dwPart)
	sumInOrder(l.db, l.dbPart)
}

type convFwdOp[T Float] struct {
	opBase
	l *convLayer[T]
}

func (o *convFwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	o.l.forward(data[T](in[0]), data[T](in[1]), data[T](in[2]))
	return wrap(o.l.y, o.l.outShape), nil
}
func (o *convFwdOp[T]) DiffWRT(int) []bool { return []bool{true, true, true} }
func (o *convFwdOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	l := o.l
	return convGrads(l, &convBwdOp[T]{opBase{l.name + ".backward", 4, fnType(4, 2, 4, 4, 4), l.xShape}, l}, in, out, grad)
}

// convGrads applies a convolution's backward operator bwd (to its input,
// weights, output and output gradient) and the operators that read the
// weight and bias gradients it computed.
func convGrads[T Float](l *convLayer[T], bwd G.Op, in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(bwd, in[0], in[1], out, grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(newGrad(l.name+".dw", 4, 2, tensor.Shape{l.o, l.c * 9}, func() G.Value { return wrap(l.dw, tensor.Shape{l.o, l.c * 9}) }), dx)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(newGrad(l.name+".db", 4, 1, tensor.Shape{l.o}, func() G.Value { return wrap(l.db, tensor.Shape{l.o}) }), dx)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

type convBwdOp[T Float] struct {
	opBase
	l *convLayer[T]
}

func (o *convBwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	o.l.backward(data[T](in[0]), data[T](in[1]), data[T](in[3]))
	return wrap(o.l.dx, o.l.xShape), nil
}

// conv2d applies a 3x3 same-padded convolution with bias and ReLU, on
// the Winograd path when winograd is set (float32 only; see
// Config.WinogradLayers).
func conv2d[T Float](name string, x, w, b *G.Node, first, winograd bool, use layerUse) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 4 {
		return nil, fmt.Errorf("%s: input shape %v is not N x C x H x W", name, s)
	}
	o := w.Shape()[0]
	l := newConvLayer[T](name, s[0], s[1], o, s[2], s[3], first, winograd, use)
	op := &convFwdOp[T]{opBase{name, 3, fnType(4, 2, 1, 4), l.outShape}, l}
	return G.ApplyOp(op, x, w, b)
}

// ---- 2x2 max-pool, stride 2 ----

type poolLayer[T Float] struct {
	name             string
	n, c, h, w       int
	y, dx            []T
	arg              []int32 // training: each image's argmax; inference: one scratch map per worker
	inShape, outShap tensor.Shape
}

// image pools image i, on worker k, from c maps whose planes are plane
// values apart and rows stride apart in src (see maxPool2).
func (l *poolLayer[T]) image(k, i int, src []T, plane, stride int) {
	hw2 := (l.h / 2) * (l.w / 2)
	a := i
	if len(l.arg) < l.n*l.c*hw2 {
		a = k // inference: the argmax is not kept
	}
	maxPool2(src, l.y[i*l.c*hw2:(i+1)*l.c*hw2], l.arg[a*l.c*hw2:(a+1)*l.c*hw2], l.c, l.h, l.w, plane, stride)
}

// forward pools every image of a batch of contiguous maps.
func (l *poolLayer[T]) forward(x []T) {
	hw := l.h * l.w
	parallelFor(l.n, func(k, i int) { l.image(k, i, x[i*l.c*hw:(i+1)*l.c*hw], hw, l.w) })
}

type poolFwdOp[T Float] struct {
	opBase
	l *poolLayer[T]
}

func (o *poolFwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	o.l.forward(data[T](in[0]))
	return wrap(o.l.y, o.l.outShap), nil
}
func (o *poolFwdOp[T]) DiffWRT(int) []bool { return []bool{true} }
func (o *poolFwdOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	bwd := &poolBwdOp[T]{opBase{o.l.name + ".backward", 2, fnType(4, 4, 4), o.l.inShape}, o.l}
	dx, err := G.ApplyOp(bwd, in[0], grad)
	return G.Nodes{dx}, err
}

type poolBwdOp[T Float] struct {
	opBase
	l *poolLayer[T]
}

func (o *poolBwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	l := o.l
	g := data[T](in[1])
	hw, hw2 := l.h*l.w, (l.h/2)*(l.w/2)
	parallelFor(l.n, func(_, i int) {
		maxPool2Back(g[i*l.c*hw2:(i+1)*l.c*hw2], l.dx[i*l.c*hw:(i+1)*l.c*hw], l.arg[i*l.c*hw2:(i+1)*l.c*hw2], l.c, l.h, l.w)
	})
	return wrap(l.dx, l.inShape), nil
}

// newPoolLayer allocates a max-pool's buffers for a use: for training,
// the argmax of every image and (unless fused with its convolution) the
// input gradient; for inference, a scratch argmax per worker.
func newPoolLayer[T Float](name string, s tensor.Shape, use layerUse) (*poolLayer[T], error) {
	n, c, h, w := s[0], s[1], s[2], s[3]
	if h < 2 || w < 2 {
		return nil, fmt.Errorf("%s: cannot pool a %dx%d map", name, h, w)
	}
	l := &poolLayer[T]{name: name, n: n, c: c, h: h, w: w, inShape: s.Clone(), outShap: tensor.Shape{n, c, h / 2, w / 2}}
	l.y = make([]T, n*c*(h/2)*(w/2))
	switch use {
	case forTraining:
		l.arg = make([]int32, len(l.y))
		l.dx = make([]T, n*c*h*w)
	case forTrainingPooled:
		l.arg = make([]int32, len(l.y))
	default:
		l.arg = make([]int32, workers(n)*c*(h/2)*(w/2))
	}
	return l, nil
}

// maxPool applies a 2x2 max-pool with stride 2 (odd sizes round down).
func maxPool[T Float](name string, x *G.Node, use layerUse) (*G.Node, error) {
	l, err := newPoolLayer[T](name, x.Shape(), use)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&poolFwdOp[T]{opBase{name, 1, fnType(4, 4), l.outShap}, l}, x)
}

// convPoolOp is a float32 convolution and the max-pool after it in one
// operator: each image's convolution output is pooled by the worker that
// made it while it is in cache (forward32), and in training the pooled
// gradient is routed back and masked per image (backward32), so neither
// pass moves a full-size map of the batch through memory more than it
// must. The values are those of the two operators apart, bit for bit.
type convPoolOp struct {
	opBase
	l *convLayer[float32]
	p *poolLayer[float32]
}

func (o *convPoolOp) Do(in ...G.Value) (G.Value, error) {
	forward32(o.l, data[float32](in[0]), data[float32](in[1]), data[float32](in[2]), o.p)
	return wrap(o.p.y, o.p.outShap), nil
}
func (o *convPoolOp) DiffWRT(int) []bool { return []bool{true, true, true} }
func (o *convPoolOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	l := o.l
	return convGrads(l, &convPoolBwdOp{opBase{l.name + "+" + o.p.name + ".backward", 4, fnType(4, 2, 4, 4, 4), l.xShape}, l, o.p}, in, out, grad)
}

type convPoolBwdOp struct {
	opBase
	l *convLayer[float32]
	p *poolLayer[float32]
}

func (o *convPoolBwdOp) Do(in ...G.Value) (G.Value, error) {
	backward32(o.l, data[float32](in[0]), data[float32](in[1]), data[float32](in[3]), o.p)
	return wrap(o.l.dx, o.l.xShape), nil
}

// conv2dPool is conv2d (float32) followed by maxPool in one operator:
// the same values, bit for bit, with less memory traffic, and for
// inference without the full-size convolution output.
func conv2dPool(convName, poolName string, x, w, b *G.Node, first, winograd, training bool) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 4 {
		return nil, fmt.Errorf("%s: input shape %v is not N x C x H x W", convName, s)
	}
	cu, pu := forInferencePooled, forInference
	if training {
		cu, pu = forTrainingPooled, forTrainingPooled
	}
	l := newConvLayer[float32](convName, s[0], s[1], w.Shape()[0], s[2], s[3], first, winograd, cu)
	p, err := newPoolLayer[float32](poolName, l.outShape, pu)
	if err != nil {
		return nil, err
	}
	op := &convPoolOp{opBase{convName + "+" + poolName, 3, fnType(4, 2, 1, 4), p.outShap}, l, p}
	return G.ApplyOp(op, x, w, b)
}

// ---- dense layer, optional ReLU; flattens its input ----

type denseLayer[T Float] struct {
	name          string
	n, f, o       int
	relu          bool
	y, dx, dw, db []T
	gm            []T
	bufs          []gemmBuf // one per worker
	inShape       tensor.Shape
	inDims        int
}

func (l *denseLayer[T]) forward(x, w, b []T) {
	matmulPar(false, false, l.n, l.o, l.f, x, l.f, w, l.o, l.y, l.o, l.bufs)
	for i := 0; i < l.n; i++ {
		row := l.y[i*l.o : (i+1)*l.o]
		for j := range row {
			v := row[j] + b[j]
			if l.relu && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

func (l *denseLayer[T]) backward(x, w, g []T) {
	copy(l.gm, g)
	if l.relu {
		for j, y := range l.y {
			if y <= 0 {
				l.gm[j] = 0
			}
		}
	}
	clear(l.db)
	for i := 0; i < l.n; i++ {
		for j, v := range l.gm[i*l.o : (i+1)*l.o] {
			l.db[j] += v
		}
	}
	matmulPar(true, false, l.f, l.o, l.n, x, l.f, l.gm, l.o, l.dw, l.o, l.bufs)
	matmulPar(false, true, l.n, l.f, l.o, l.gm, l.o, w, l.o, l.dx, l.f, l.bufs)
}

type denseFwdOp[T Float] struct {
	opBase
	l *denseLayer[T]
}

func (o *denseFwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	o.l.forward(data[T](in[0]), data[T](in[1]), data[T](in[2]))
	return wrap(o.l.y, tensor.Shape{o.l.n, o.l.o}), nil
}
func (o *denseFwdOp[T]) DiffWRT(int) []bool { return []bool{true, true, true} }
func (o *denseFwdOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	l := o.l
	bwd := &denseBwdOp[T]{opBase{l.name + ".backward", 4, fnType(l.inDims, 2, 2, 2, l.inDims), l.inShape}, l}
	dx, err := G.ApplyOp(bwd, in[0], in[1], out, grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(newGrad(l.name+".dw", l.inDims, 2, tensor.Shape{l.f, l.o}, func() G.Value { return wrap(l.dw, tensor.Shape{l.f, l.o}) }), dx)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(newGrad(l.name+".db", l.inDims, 1, tensor.Shape{l.o}, func() G.Value { return wrap(l.db, tensor.Shape{l.o}) }), dx)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

type denseBwdOp[T Float] struct {
	opBase
	l *denseLayer[T]
}

func (o *denseBwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	o.l.backward(data[T](in[0]), data[T](in[1]), data[T](in[3]))
	return wrap(o.l.dx, o.l.inShape), nil
}

// dense applies y = flatten(x) w + b, with ReLU when relu is set.
func dense[T Float](name string, x, w, b *G.Node, relu bool) (*G.Node, error) {
	s := x.Shape()
	f := s.TotalSize() / s[0]
	if w.Shape()[0] != f {
		return nil, fmt.Errorf("%s: input has %d features per image, weights expect %d", name, f, w.Shape()[0])
	}
	o := w.Shape()[1]
	l := &denseLayer[T]{name: name, n: s[0], f: f, o: o, relu: relu, inShape: s.Clone(), inDims: len(s)}
	l.y, l.gm = make([]T, s[0]*o), make([]T, s[0]*o)
	l.dx, l.dw, l.db = make([]T, s[0]*f), make([]T, f*o), make([]T, o)
	l.bufs = make([]gemmBuf, runtime.GOMAXPROCS(0))
	return G.ApplyOp(&denseFwdOp[T]{opBase{name, 3, fnType(len(s), 2, 1, 2), tensor.Shape{s[0], o}}, l}, x, w, b)
}

// ---- binary cross-entropy from logits, mean over the batch ----

type bceLayer[T Float] struct {
	name string
	n    int
	dz   []T
}

// bceTerm is max(z,0) - z*t + log(1+exp(-|z|)): the cross-entropy of the
// label t under p = sigmoid(z), computed without overflow for any z.
func bceTerm(z, t float64) float64 {
	return math.Max(z, 0) - z*t + math.Log1p(math.Exp(-math.Abs(z)))
}

// Sigmoid is the logistic function, computed stably for any z.
func Sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

type bceFwdOp[T Float] struct {
	opBase
	l *bceLayer[T]
}

func scalar[T Float](v float64) G.Value {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

func (o *bceFwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	z, t := data[T](in[0]), data[T](in[1])
	var s float64
	for i := range z {
		s += bceTerm(float64(z[i]), float64(t[i]))
	}
	return scalar[T](s / float64(len(z))), nil
}
func (o *bceFwdOp[T]) DiffWRT(int) []bool { return []bool{true, false} }
func (o *bceFwdOp[T]) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	bwd := &bceBwdOp[T]{opBase{o.l.name + ".backward", 3, fnType(2, 2, 0, 2), tensor.Shape{o.l.n, 1}}, o.l}
	dz, err := G.ApplyOp(bwd, in[0], in[1], grad)
	return G.Nodes{dz, nil}, err
}

type bceBwdOp[T Float] struct {
	opBase
	l *bceLayer[T]
}

func (o *bceBwdOp[T]) Do(in ...G.Value) (G.Value, error) {
	z, t := data[T](in[0]), data[T](in[1])
	var g float64
	switch v := in[2].Data().(type) {
	case float32:
		g = float64(v)
	case float64:
		g = v
	default:
		return nil, fmt.Errorf("%s: gradient of type %T", o.name, v)
	}
	scale := g / float64(len(z))
	for i := range z {
		o.l.dz[i] = T((Sigmoid(float64(z[i])) - float64(t[i])) * scale)
	}
	return wrap(o.l.dz, tensor.Shape{o.l.n, 1}), nil
}

// bceLoss is the mean binary cross-entropy of labels t (0 or 1) under
// logits z, both n x 1.
func bceLoss[T Float](name string, z, t *G.Node) (*G.Node, error) {
	n := z.Shape()[0]
	l := &bceLayer[T]{name: name, n: n, dz: make([]T, n)}
	return G.ApplyOp(&bceFwdOp[T]{opBase{name, 2, fnType(2, 2, 0), tensor.ScalarShape()}, l}, z, t)
}
