package onnxnet

import (
	"fmt"
	"math"
	"slices"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/skybias/skybias/cnn"
)

// worker holds one goroutine's tensors and scratch memory: every image
// runs the whole graph on one worker.
type worker struct {
	vals  []*Tensor
	buf   cnn.GemmBuffer
	col   []float32
	flops float64 // during shape inference: the operations counted so far
}

// call is one node's execution. In a dry call (shape inference) the
// operator sets its outputs' shapes, computes integer outputs and counts
// its operations; otherwise its outputs come with their shapes and
// storage, and it fills them.
type call struct {
	n       *node
	in, out []*Tensor
	dry     bool
	w       *worker
}

// opFunc runs one operator.
type opFunc func(c *call) error

// ops are the operators this package runs, by ONNX name.
var ops map[string]opFunc

func init() {
	ops = map[string]opFunc{
		"Conv": opConv, "MaxPool": opPool(false), "AveragePool": opPool(true),
		"GlobalAveragePool": opGlobalPool(false), "GlobalMaxPool": opGlobalPool(true),
		"BatchNormalization": opBatchNorm, "Gemm": opGemm, "MatMul": opMatMul,
		"Relu":        opRelu,
		"LeakyRelu":   unary(func(v, a float32) float32 { return cond(v < 0, a*v, v) }, 0.01, "alpha"),
		"Elu":         unary(func(v, a float32) float32 { return cond(v < 0, a*(exp32(v)-1), v) }, 1, "alpha"),
		"Sigmoid":     unary(func(v, _ float32) float32 { return sigmoid(v) }, 0, ""),
		"HardSigmoid": opHardSigmoid, "HardSwish": unary(func(v, _ float32) float32 { return v * max(0, min(1, v/6+0.5)) }, 0, ""),
		"Tanh":     unary(func(v, _ float32) float32 { return float32(math.Tanh(float64(v))) }, 0, ""),
		"Exp":      unary(func(v, _ float32) float32 { return exp32(v) }, 0, ""),
		"Sqrt":     unary(func(v, _ float32) float32 { return float32(math.Sqrt(float64(v))) }, 0, ""),
		"Neg":      unary(func(v, _ float32) float32 { return -v }, 0, ""),
		"Clip":     opClip,
		"Identity": opIdentity, "Dropout": opIdentity,
		"Add": elementwise(func(a, b float32) float32 { return a + b }, func(a, b int64) int64 { return a + b }),
		"Sub": elementwise(func(a, b float32) float32 { return a - b }, func(a, b int64) int64 { return a - b }),
		"Mul": elementwise(func(a, b float32) float32 { return a * b }, func(a, b int64) int64 { return a * b }),
		"Div": elementwise(func(a, b float32) float32 { return a / b }, func(a, b int64) int64 {
			if b == 0 {
				return 0
			}
			return a / b
		}),
		"Softmax": opSoftmax(false), "LogSoftmax": opSoftmax(true), "ReduceMean": opReduceMean,
		"Flatten": opFlatten, "Reshape": opReshape, "Squeeze": opSqueeze, "Unsqueeze": opUnsqueeze,
		"Concat": opConcat, "Transpose": opTranspose, "Shape": opShape, "Gather": opGather,
		"Constant": opConstant, "Cast": opCast, "Pad": opPad,
	}
}

func cond(c bool, a, b float32) float32 {
	if c {
		return a
	}
	return b
}

func exp32(v float32) float32 { return float32(math.Exp(float64(v))) }

func sigmoid(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// ---- attributes and inputs

func (c *call) attr(name string) *onnx.AttributeProto { return c.n.attrs[name] }

func (c *call) attrInt(name string, def int) int {
	if a := c.attr(name); a != nil {
		return int(a.GetI())
	}
	return def
}

func (c *call) attrFloat(name string, def float32) float32 {
	if a := c.attr(name); a != nil {
		return a.GetF()
	}
	return def
}

func (c *call) attrInts(name string, def []int) []int {
	a := c.attr(name)
	if a == nil {
		return def
	}
	out := make([]int, len(a.GetInts()))
	for i, v := range a.GetInts() {
		out[i] = int(v)
	}
	return out
}

// input returns input k, or an error when it is missing.
func (c *call) input(k int) (*Tensor, error) {
	if k >= len(c.in) || c.in[k] == nil {
		return nil, fmt.Errorf("input %d is missing", k+1)
	}
	return c.in[k], nil
}

// floatIn returns input k, which must hold floats.
func (c *call) floatIn(k int) (*Tensor, error) {
	t, err := c.input(k)
	if err == nil && t.isInt() {
		err = fmt.Errorf("input %d holds integers where floats are needed", k+1)
	}
	return t, err
}

// intsIn returns input k as integer values known at load (a constant).
func (c *call) intsIn(k int) ([]int64, error) {
	t, err := c.input(k)
	if err != nil {
		return nil, err
	}
	if !t.isInt() {
		return nil, fmt.Errorf("input %d should hold integers known when the model loads", k+1)
	}
	return t.I, nil
}

// optional reports whether input k is present.
func (c *call) optional(k int) bool { return k < len(c.in) && c.in[k] != nil }

// set gives output k its shape in a dry call and returns its storage
// otherwise.
func (c *call) set(k int, shape []int) []float32 {
	if k >= len(c.out) {
		return nil
	}
	if c.dry {
		c.out[k].Shape = shape
		return nil
	}
	return c.out[k].F
}

// setInts gives output k integer values (always computed, dry or not).
func (c *call) setInts(k int, shape []int, v []int64) {
	if k < len(c.out) {
		c.out[k].Shape, c.out[k].I = shape, v
	}
}

// count adds operations in a dry call.
func (c *call) count(n ...int) {
	if c.dry {
		f := 1.0
		for _, v := range n {
			f *= float64(v)
		}
		c.w.flops += f
	}
}

// ---- element-wise

func unary(f func(v, a float32) float32, def float32, param string) opFunc {
	return func(c *call) error {
		x, err := c.floatIn(0)
		if err != nil {
			return err
		}
		a := def
		if param != "" {
			a = c.attrFloat(param, def)
		}
		y := c.set(0, x.Shape)
		c.count(x.Len())
		for i, v := range x.F[:len(y)] {
			y[i] = f(v, a)
		}
		return nil
	}
}

func opHardSigmoid(c *call) error {
	a, b := c.attrFloat("alpha", 0.2), c.attrFloat("beta", 0.5)
	return unary(func(v, _ float32) float32 { return max(0, min(1, a*v+b)) }, 0, "")(c)
}

func opClip(c *call) error {
	x, err := c.floatIn(0)
	if err != nil {
		return err
	}
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	for k, p := range []*float32{&lo, &hi} {
		if c.optional(k + 1) {
			t, err := c.floatIn(k + 1)
			if err != nil {
				return err
			}
			if t.F == nil || t.Len() != 1 {
				return fmt.Errorf("Clip's bounds must be scalars known at load")
			}
			*p = t.F[0]
		}
	}
	y := c.set(0, x.Shape)
	for i, v := range x.F[:len(y)] {
		y[i] = max(lo, min(hi, v))
	}
	return nil
}

func opIdentity(c *call) error {
	if len(c.out) > 1 && c.n.out[1] >= 0 {
		return fmt.Errorf("a Dropout mask output is %w (inference has none)", ErrUnsupported)
	}
	x, err := c.input(0)
	if err != nil {
		return err
	}
	if x.isInt() {
		c.setInts(0, x.Shape, x.I)
		return nil
	}
	copy(c.set(0, x.Shape), x.F)
	return nil
}

func elementwise(f func(a, b float32) float32, fi func(a, b int64) int64) opFunc {
	return func(c *call) error {
		a, err := c.input(0)
		if err != nil {
			return err
		}
		b, err := c.input(1)
		if err != nil {
			return err
		}
		shape, err := broadcastShape(a.Shape, b.Shape)
		if err != nil {
			return err
		}
		if a.isInt() != b.isInt() {
			return fmt.Errorf("mixes integers and floats")
		}
		if a.isInt() {
			ia, ib := broadcastIndex(a.Shape, shape), broadcastIndex(b.Shape, shape)
			v := make([]int64, numel(shape))
			for i := range v {
				v[i] = fi(a.I[ia[i]], b.I[ib[i]])
			}
			c.setInts(0, shape, v)
			return nil
		}
		y := c.set(0, shape)
		c.count(numel(shape))
		if c.dry {
			return nil
		}
		switch {
		case slices.Equal(a.Shape, b.Shape):
			for i := range y {
				y[i] = f(a.F[i], b.F[i])
			}
		case b.Len() == 1:
			for i := range y {
				y[i] = f(a.F[i], b.F[0])
			}
		default:
			ia, ib := broadcastIndex(a.Shape, shape), broadcastIndex(b.Shape, shape)
			for i := range y {
				y[i] = f(a.F[ia[i]], b.F[ib[i]])
			}
		}
		return nil
	}
}

// ---- convolution and pooling

// window is the geometry of a 2-D sliding window (convolution or pool).
type window struct {
	kh, kw, sh, sw, dh, dw, pt, pl, pb, pr int
	oh, ow                                 int
}

// geometry reads kernel_shape, strides, dilations, pads, auto_pad and
// ceil_mode for an input of h x w.
func (c *call) geometry(h, w int, kernel []int, ceil bool) (window, error) {
	g := window{}
	if len(kernel) != 2 {
		return g, fmt.Errorf("a %d-D window %w (2-D images only)", len(kernel), ErrUnsupported)
	}
	g.kh, g.kw = kernel[0], kernel[1]
	st := c.attrInts("strides", []int{1, 1})
	dl := c.attrInts("dilations", []int{1, 1})
	pads := c.attrInts("pads", []int{0, 0, 0, 0})
	if len(st) != 2 || len(dl) != 2 || len(pads) != 4 {
		return g, fmt.Errorf("strides, dilations or pads do not describe a 2-D window")
	}
	g.sh, g.sw, g.dh, g.dw = st[0], st[1], dl[0], dl[1]
	g.pt, g.pl, g.pb, g.pr = pads[0], pads[1], pads[2], pads[3]
	if g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1 || min(g.pt, g.pl, g.pb, g.pr) < 0 ||
		max(g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.pb, g.pr) > 1<<16 {
		return g, fmt.Errorf("window %dx%d, strides %v, dilations %v, pads %v out of range", g.kh, g.kw, st, dl, pads)
	}
	ekh, ekw := (g.kh-1)*g.dh+1, (g.kw-1)*g.dw+1
	switch ap := string(c.attr("auto_pad").GetS()); ap {
	case "", "NOTSET":
	case "VALID":
		g.pt, g.pl, g.pb, g.pr = 0, 0, 0, 0
	case "SAME_UPPER", "SAME_LOWER":
		oh, ow := (h+g.sh-1)/g.sh, (w+g.sw-1)/g.sw
		ph, pw := max(0, (oh-1)*g.sh+ekh-h), max(0, (ow-1)*g.sw+ekw-w)
		g.pt, g.pl = ph/2, pw/2
		if ap == "SAME_LOWER" {
			g.pt, g.pl = ph-ph/2, pw-pw/2
		}
		g.pb, g.pr = ph-g.pt, pw-g.pl
	default:
		return g, fmt.Errorf("auto_pad %q %w", ap, ErrUnsupported)
	}
	size := func(n, pa, pb, ek, s int) int {
		span := n + pa + pb - ek
		if span < 0 {
			return 0
		}
		if !ceil {
			return span/s + 1
		}
		o := (span+s-1)/s + 1
		if (o-1)*s >= n+pa { // the last window would start in the padding
			o--
		}
		return o
	}
	g.oh, g.ow = size(h, g.pt, g.pb, ekh, g.sh), size(w, g.pl, g.pr, ekw, g.sw)
	if g.oh < 1 || g.ow < 1 {
		return g, fmt.Errorf("a %dx%d window does not fit a %dx%d input", ekh, ekw, h, w)
	}
	return g, nil
}

func opConv(c *call) error {
	x, err := c.floatIn(0)
	if err != nil {
		return err
	}
	wt, err := c.floatIn(1)
	if err != nil {
		return err
	}
	if len(x.Shape) != 4 || len(wt.Shape) != 4 {
		return fmt.Errorf("a convolution of shapes %v and %v %w (2-D only)", x.Shape, wt.Shape, ErrUnsupported)
	}
	if wt.F == nil {
		return fmt.Errorf("weights computed from the image %w", ErrUnsupported)
	}
	ch, h, w := x.Shape[1], x.Shape[2], x.Shape[3]
	m, cg := wt.Shape[0], wt.Shape[1]
	groups := c.attrInt("group", 1)
	if groups < 1 || ch != cg*groups || m%groups != 0 {
		return fmt.Errorf("%d input channels, weights %v and %d groups do not fit", ch, wt.Shape, groups)
	}
	g, err := c.geometry(h, w, c.attrInts("kernel_shape", wt.Shape[2:]), false)
	if err != nil {
		return err
	}
	if g.kh != wt.Shape[2] || g.kw != wt.Shape[3] {
		return fmt.Errorf("kernel_shape %dx%d differs from the weights' %v", g.kh, g.kw, wt.Shape)
	}
	var bias []float32
	if c.optional(2) {
		b, err := c.floatIn(2)
		if err != nil {
			return err
		}
		if b.Len() != m || b.F == nil {
			return fmt.Errorf("bias of shape %v for %d filters", b.Shape, m)
		}
		bias = b.F
	}
	y := c.set(0, []int{1, m, g.oh, g.ow})
	k := cg * g.kh * g.kw
	p := g.oh * g.ow
	c.count(2, m, p, k)
	if c.dry {
		return nil
	}
	mg := m / groups
	direct := g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt+g.pl+g.pb+g.pr == 0
	if c.n.relu && bias == nil {
		bias = make([]float32, m)
	}
	for gi := range groups {
		xs := x.F[gi*cg*h*w : (gi+1)*cg*h*w]
		col := xs
		if !direct {
			col = grow(&c.w.col, k*p)
			im2col(xs, col, cg, h, w, g)
		}
		if c.n.relu {
			cnn.SgemmBiasReLU(mg, p, k, wt.F[gi*mg*k:], k, col, p, bias[gi*mg:], y[gi*mg*p:], p, &c.w.buf)
			continue
		}
		cnn.Sgemm(false, false, mg, p, k, 1, wt.F[gi*mg*k:], k, col, p, 0, y[gi*mg*p:], p, &c.w.buf)
	}
	if bias != nil && !c.n.relu {
		for o := range m {
			row := y[o*p : (o+1)*p]
			for i := range row {
				row[i] += bias[o]
			}
		}
	}
	return nil
}

func grow(s *[]float32, n int) []float32 {
	if cap(*s) < n {
		*s = make([]float32, n)
	}
	return (*s)[:n]
}

// im2col lays out the windows of x (c x h x w) as columns: row
// (ci*kh + i)*kw + j, column oy*ow + ox, zero where the window reads
// padding.
func im2col(x, col []float32, c, h, w int, g window) {
	p := g.oh * g.ow
	for ci := range c {
		plane := x[ci*h*w : (ci+1)*h*w]
		for i := range g.kh {
			for j := range g.kw {
				dst := col[((ci*g.kh+i)*g.kw+j)*p:]
				for oy := range g.oh {
					iy := oy*g.sh - g.pt + i*g.dh
					row := dst[oy*g.ow : (oy+1)*g.ow]
					if iy < 0 || iy >= h {
						clear(row)
						continue
					}
					src := plane[iy*w : (iy+1)*w]
					if g.sw == 1 {
						// ix = ox + off: copy the part inside the row, zero the rest.
						off := j*g.dw - g.pl
						lo, hi := max(0, -off), min(g.ow, w-off)
						if hi <= lo {
							clear(row)
							continue
						}
						clear(row[:lo])
						copy(row[lo:hi], src[lo+off:hi+off])
						clear(row[hi:])
						continue
					}
					for ox := range row {
						ix := ox*g.sw - g.pl + j*g.dw
						if ix < 0 || ix >= w {
							row[ox] = 0
						} else {
							row[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

func opPool(average bool) opFunc {
	return func(c *call) error {
		if len(c.out) > 1 && c.n.out[1] >= 0 {
			return fmt.Errorf("pooling indices %w", ErrUnsupported)
		}
		x, err := c.floatIn(0)
		if err != nil {
			return err
		}
		if len(x.Shape) != 4 {
			return fmt.Errorf("pooling of shape %v %w (2-D only)", x.Shape, ErrUnsupported)
		}
		if c.attr("kernel_shape") == nil {
			return fmt.Errorf("kernel_shape is missing")
		}
		ch, h, w := x.Shape[1], x.Shape[2], x.Shape[3]
		g, err := c.geometry(h, w, c.attrInts("kernel_shape", nil), c.attrInt("ceil_mode", 0) != 0)
		if err != nil {
			return err
		}
		includePad := c.attrInt("count_include_pad", 0) != 0
		y := c.set(0, []int{1, ch, g.oh, g.ow})
		c.count(ch, g.oh, g.ow, g.kh, g.kw)
		if c.dry {
			return nil
		}
		if !average && g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.dh == 1 && g.dw == 1 &&
			g.pt+g.pl == 0 && 2*g.oh <= h && 2*g.ow <= w {
			maxPool2(x.F, y, ch, h, w, g.oh, g.ow)
			return nil
		}
		for ci := range ch {
			plane := x.F[ci*h*w : (ci+1)*h*w]
			out := y[ci*g.oh*g.ow:]
			for oy := range g.oh {
				for ox := range g.ow {
					best, sum, n, span := float32(math.Inf(-1)), float32(0), 0, 0
					for i := range g.kh {
						iy := oy*g.sh - g.pt + i*g.dh
						for j := range g.kw {
							ix := ox*g.sw - g.pl + j*g.dw
							if iy < h+g.pb && ix < w+g.pr {
								span++ // inside the padded input
							}
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							v := plane[iy*w+ix]
							best = max(best, v)
							sum += v
							n++
						}
					}
					switch {
					case !average:
						out[oy*g.ow+ox] = best
					case includePad:
						out[oy*g.ow+ox] = sum / float32(span)
					case n > 0:
						out[oy*g.ow+ox] = sum / float32(n)
					}
				}
			}
		}
		return nil
	}
}

func opGlobalPool(maximum bool) opFunc {
	return func(c *call) error {
		x, err := c.floatIn(0)
		if err != nil {
			return err
		}
		if len(x.Shape) < 3 {
			return fmt.Errorf("global pooling of shape %v", x.Shape)
		}
		shape := slices.Clone(x.Shape)
		hw := 1
		for i := 2; i < len(shape); i++ {
			hw *= shape[i]
			shape[i] = 1
		}
		y := c.set(0, shape)
		c.count(x.Len())
		for ci := range y {
			plane := x.F[ci*hw : (ci+1)*hw]
			if maximum {
				y[ci] = slices.Max(plane)
				continue
			}
			var s float32
			for _, v := range plane {
				s += v
			}
			y[ci] = s / float32(hw)
		}
		return nil
	}
}

func opBatchNorm(c *call) error {
	if len(c.out) > 1 && slices.ContainsFunc(c.n.out[1:], func(i int) bool { return i >= 0 }) {
		return fmt.Errorf("training-mode outputs %w (export the model in eval mode)", ErrUnsupported)
	}
	x, err := c.floatIn(0)
	if err != nil {
		return err
	}
	if len(x.Shape) < 2 {
		return fmt.Errorf("input of shape %v has no channel axis", x.Shape)
	}
	ch := x.Shape[1]
	var p [4][]float32 // scale, bias, mean, variance
	for k := range p {
		t, err := c.floatIn(k + 1)
		if err != nil {
			return err
		}
		if t.Len() != ch || t.F == nil {
			return fmt.Errorf("parameter %d has shape %v for %d channels", k+2, t.Shape, ch)
		}
		p[k] = t.F
	}
	eps := c.attrFloat("epsilon", 1e-5)
	y := c.set(0, x.Shape)
	c.count(2, x.Len())
	if c.dry {
		return nil
	}
	inner := x.Len() / x.Shape[0] / ch
	for ci := range ch {
		a := p[0][ci] / float32(math.Sqrt(float64(p[3][ci]+eps)))
		b := p[1][ci] - p[2][ci]*a
		for n := range x.Shape[0] {
			o := (n*ch + ci) * inner
			for i, v := range x.F[o : o+inner] {
				y[o+i] = v*a + b
			}
		}
	}
	return nil
}

// ---- dense

func opGemm(c *call) error {
	a, err := c.floatIn(0)
	if err != nil {
		return err
	}
	b, err := c.floatIn(1)
	if err != nil {
		return err
	}
	if len(a.Shape) != 2 || len(b.Shape) != 2 {
		return fmt.Errorf("Gemm of shapes %v and %v (want two matrices)", a.Shape, b.Shape)
	}
	ta, tb := c.attrInt("transA", 0) != 0, c.attrInt("transB", 0) != 0
	m, k := a.Shape[0], a.Shape[1]
	if ta {
		m, k = k, m
	}
	kb, n := b.Shape[0], b.Shape[1]
	if tb {
		kb, n = n, kb
	}
	if k != kb {
		return fmt.Errorf("Gemm of shapes %v and %v (transA %v, transB %v) do not fit", a.Shape, b.Shape, ta, tb)
	}
	alpha, beta := c.attrFloat("alpha", 1), c.attrFloat("beta", 1)
	var cv []float32
	var ci []int32
	if c.optional(2) {
		t, err := c.floatIn(2)
		if err != nil {
			return err
		}
		if s, err := broadcastShape(t.Shape, []int{m, n}); err != nil || !slices.Equal(s, []int{m, n}) {
			return fmt.Errorf("C of shape %v does not broadcast to %dx%d", t.Shape, m, n)
		}
		cv, ci = t.F, broadcastIndex(t.Shape, []int{m, n})
	}
	y := c.set(0, []int{m, n})
	c.count(2, m, n, k)
	if c.dry {
		return nil
	}
	cnn.Sgemm(ta, tb, m, n, k, alpha, a.F, a.Shape[1], b.F, b.Shape[1], 0, y, n, &c.w.buf)
	if cv != nil {
		for i := range y {
			y[i] += beta * cv[ci[i]]
		}
	}
	return nil
}

func opMatMul(c *call) error {
	a, err := c.floatIn(0)
	if err != nil {
		return err
	}
	b, err := c.floatIn(1)
	if err != nil {
		return err
	}
	if len(a.Shape) < 2 || len(b.Shape) < 2 {
		return fmt.Errorf("MatMul of shapes %v and %v %w (matrices and stacks of them)", a.Shape, b.Shape, ErrUnsupported)
	}
	m, k := a.Shape[len(a.Shape)-2], a.Shape[len(a.Shape)-1]
	kb, n := b.Shape[len(b.Shape)-2], b.Shape[len(b.Shape)-1]
	if k != kb {
		return fmt.Errorf("MatMul of shapes %v and %v do not fit", a.Shape, b.Shape)
	}
	var stacks, bStride int
	shape := slices.Clone(a.Shape)
	shape[len(shape)-1] = n
	switch {
	case len(b.Shape) == 2: // one matrix for every row of every stack
		m *= numel(a.Shape[:len(a.Shape)-2])
		stacks = 1
	case slices.Equal(a.Shape[:len(a.Shape)-2], b.Shape[:len(b.Shape)-2]):
		stacks, bStride = numel(a.Shape[:len(a.Shape)-2]), k*n
	default:
		return fmt.Errorf("MatMul of shapes %v and %v %w (broadcast stacks)", a.Shape, b.Shape, ErrUnsupported)
	}
	y := c.set(0, shape)
	c.count(2, stacks, m, n, k)
	if c.dry {
		return nil
	}
	for s := range stacks {
		cnn.Sgemm(false, false, m, n, k, 1, a.F[s*m*k:], k, b.F[s*bStride:], n, 0, y[s*m*n:], n, &c.w.buf)
	}
	return nil
}

func opSoftmax(logOf bool) opFunc {
	return func(c *call) error {
		x, err := c.floatIn(0)
		if err != nil {
			return err
		}
		ax, err := axis(c.attrInt("axis", -1), len(x.Shape))
		if err != nil {
			return err
		}
		y := c.set(0, x.Shape)
		c.count(3, x.Len())
		if c.dry {
			return nil
		}
		n, inner := x.Shape[ax], numel(x.Shape[ax+1:])
		outer := numel(x.Shape[:ax])
		for o := range outer {
			for in := range inner {
				base := o*n*inner + in
				top := float32(math.Inf(-1))
				for i := range n {
					top = max(top, x.F[base+i*inner])
				}
				var sum float64
				for i := range n {
					sum += math.Exp(float64(x.F[base+i*inner] - top))
				}
				for i := range n {
					d := float64(x.F[base+i*inner] - top)
					if logOf {
						y[base+i*inner] = float32(d - math.Log(sum))
					} else {
						y[base+i*inner] = float32(math.Exp(d) / sum)
					}
				}
			}
		}
		return nil
	}
}

func opReduceMean(c *call) error {
	x, err := c.floatIn(0)
	if err != nil {
		return err
	}
	axes := c.attrInts("axes", nil)
	if c.optional(1) { // opset 18 moved axes to an input
		v, err := c.intsIn(1)
		if err != nil {
			return err
		}
		axes = axes[:0]
		for _, a := range v {
			axes = append(axes, int(a))
		}
	}
	reduce := make([]bool, len(x.Shape))
	for _, a := range axes {
		ax, err := axis(a, len(x.Shape))
		if err != nil {
			return err
		}
		reduce[ax] = true
	}
	if len(axes) == 0 && c.attrInt("noop_with_empty_axes", 0) == 0 {
		for i := range reduce {
			reduce[i] = true
		}
	}
	keep := c.attrInt("keepdims", 1) != 0
	full, shape := make([]int, len(x.Shape)), []int{}
	for i, d := range x.Shape {
		full[i] = d
		if reduce[i] {
			full[i] = 1
			if !keep {
				continue
			}
		}
		shape = append(shape, full[i])
	}
	y := c.set(0, shape)
	c.count(x.Len())
	if c.dry {
		return nil
	}
	clear(y)
	// Each input element adds to the output element its kept axes name.
	src := strides(x.Shape)
	dst := strides(full)
	for e, v := range x.F {
		r, o := e, 0
		for d := range x.Shape {
			q := r / src[d]
			r -= q * src[d]
			if !reduce[d] {
				o += q * dst[d]
			}
		}
		y[o] += v
	}
	scale := float32(numel(full)) / float32(x.Len())
	for i := range y {
		y[i] *= scale
	}
	return nil
}

// ---- shapes

// moveTo gives output 0 input x's values under another shape.
func (c *call) moveTo(x *Tensor, shape []int) error {
	if numel(shape) != x.Len() {
		return fmt.Errorf("shape %v does not hold the %d values of %v", shape, x.Len(), x.Shape)
	}
	if x.isInt() {
		c.setInts(0, shape, x.I)
		return nil
	}
	copy(c.set(0, shape), x.F)
	return nil
}

func opFlatten(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	ax := c.attrInt("axis", 1)
	if ax < 0 {
		ax += len(x.Shape)
	}
	if ax < 0 || ax > len(x.Shape) {
		return fmt.Errorf("axis %d outside rank %d", c.attrInt("axis", 1), len(x.Shape))
	}
	return c.moveTo(x, []int{numel(x.Shape[:ax]), numel(x.Shape[ax:])})
}

func opReshape(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	want, err := c.intsIn(1)
	if err != nil {
		return err
	}
	allowZero := c.attrInt("allowzero", 0) != 0
	shape := make([]int, len(want))
	infer := -1
	known := 1
	for i, v := range want {
		switch {
		case v == -1 && infer < 0:
			infer = i
			continue
		case v == 0 && !allowZero:
			if i >= len(x.Shape) {
				return fmt.Errorf("shape %v copies dimension %d of %v, which has none", want, i, x.Shape)
			}
			shape[i] = x.Shape[i]
		case v < 0 || v > math.MaxInt32:
			return fmt.Errorf("shape %v", want)
		default:
			shape[i] = int(v)
		}
		known *= shape[i]
	}
	if infer >= 0 {
		if known == 0 || x.Len()%known != 0 {
			return fmt.Errorf("shape %v does not divide the %d values of %v", want, x.Len(), x.Shape)
		}
		shape[infer] = x.Len() / known
	}
	return c.moveTo(x, shape)
}

// axesOf reads a node's axes from its second input (opset 13) or its
// attribute, resolved against rank.
func (c *call) axesOf(rank int) ([]int, error) {
	raw := c.attrInts("axes", nil)
	if c.optional(1) {
		v, err := c.intsIn(1)
		if err != nil {
			return nil, err
		}
		raw = raw[:0]
		for _, a := range v {
			raw = append(raw, int(a))
		}
	}
	out := make([]int, len(raw))
	for i, a := range raw {
		ax, err := axis(a, rank)
		if err != nil {
			return nil, err
		}
		out[i] = ax
	}
	return out, nil
}

func opSqueeze(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	axes, err := c.axesOf(len(x.Shape))
	if err != nil {
		return err
	}
	var shape []int
	for i, d := range x.Shape {
		drop := len(axes) == 0 && d == 1 || slices.Contains(axes, i)
		if drop && d != 1 {
			return fmt.Errorf("cannot squeeze axis %d of %v", i, x.Shape)
		}
		if !drop {
			shape = append(shape, d)
		}
	}
	return c.moveTo(x, shape)
}

func opUnsqueeze(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	axes, err := c.axesOf(len(x.Shape) + len(c.attrInts("axes", nil)) + c.inLen(1))
	if err != nil {
		return err
	}
	rank := len(x.Shape) + len(axes)
	shape := make([]int, 0, rank)
	src := 0
	for i := range rank {
		if slices.Contains(axes, i) {
			shape = append(shape, 1)
		} else if src < len(x.Shape) {
			shape = append(shape, x.Shape[src])
			src++
		}
	}
	if len(shape) != rank || src != len(x.Shape) {
		return fmt.Errorf("axes repeat")
	}
	return c.moveTo(x, shape)
}

// inLen is the number of values input k holds (0 when absent).
func (c *call) inLen(k int) int {
	if !c.optional(k) {
		return 0
	}
	return c.in[k].Len()
}

func opConcat(c *call) error {
	if len(c.in) == 0 {
		return fmt.Errorf("no inputs")
	}
	first, err := c.input(0)
	if err != nil {
		return err
	}
	ax, err := axis(c.attrInt("axis", 0), len(first.Shape))
	if err != nil {
		return err
	}
	shape := slices.Clone(first.Shape)
	shape[ax] = 0
	for k := range c.in {
		t, err := c.input(k)
		if err != nil {
			return err
		}
		if t.isInt() != first.isInt() || len(t.Shape) != len(first.Shape) {
			return fmt.Errorf("input %d of shape %v does not join %v", k+1, t.Shape, first.Shape)
		}
		for d := range t.Shape {
			if d != ax && t.Shape[d] != first.Shape[d] {
				return fmt.Errorf("input %d of shape %v does not join %v on axis %d", k+1, t.Shape, first.Shape, ax)
			}
		}
		shape[ax] += t.Shape[ax]
	}
	outer, inner := numel(shape[:ax]), numel(shape[ax+1:])
	if first.isInt() {
		v := make([]int64, 0, numel(shape))
		for o := range outer {
			for _, t := range c.in {
				n := t.Shape[ax] * inner
				v = append(v, t.I[o*n:(o+1)*n]...)
			}
		}
		c.setInts(0, shape, v)
		return nil
	}
	y := c.set(0, shape)
	if c.dry {
		return nil
	}
	at := 0
	for o := range outer {
		for _, t := range c.in {
			n := t.Shape[ax] * inner
			at += copy(y[at:], t.F[o*n:(o+1)*n])
		}
	}
	return nil
}

func opTranspose(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	r := len(x.Shape)
	perm := c.attrInts("perm", nil)
	if perm == nil {
		for i := range r {
			perm = append(perm, r-1-i)
		}
	}
	if len(perm) != r {
		return fmt.Errorf("perm %v for rank %d", perm, r)
	}
	shape := make([]int, r)
	seen := make([]bool, r)
	for i, p := range perm {
		if p < 0 || p >= r || seen[p] {
			return fmt.Errorf("perm %v is not a permutation", perm)
		}
		seen[p] = true
		shape[i] = x.Shape[p]
	}
	src := strides(x.Shape)
	dst := strides(shape)
	index := func(e int) int {
		rem, k := e, 0
		for d := range shape {
			q := rem / dst[d]
			rem -= q * dst[d]
			k += q * src[perm[d]]
		}
		return k
	}
	if x.isInt() {
		v := make([]int64, x.Len())
		for e := range v {
			v[e] = x.I[index(e)]
		}
		c.setInts(0, shape, v)
		return nil
	}
	y := c.set(0, shape)
	for e := range y {
		y[e] = x.F[index(e)]
	}
	return nil
}

func opShape(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	r := len(x.Shape)
	lo, hi := c.attrInt("start", 0), c.attrInt("end", r)
	if lo < 0 {
		lo += r
	}
	if hi < 0 {
		hi += r
	}
	lo, hi = max(0, min(lo, r)), max(0, min(hi, r))
	v := []int64{}
	for _, d := range x.Shape[lo:max(lo, hi)] {
		v = append(v, int64(d))
	}
	c.setInts(0, []int{len(v)}, v)
	return nil
}

func opGather(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	idx, err := c.input(1)
	if err != nil {
		return err
	}
	if !idx.isInt() {
		return fmt.Errorf("indices must be integers known at load")
	}
	ax, err := axis(c.attrInt("axis", 0), len(x.Shape))
	if err != nil {
		return err
	}
	n := x.Shape[ax]
	shape := append(append(slices.Clone(x.Shape[:ax]), idx.Shape...), x.Shape[ax+1:]...)
	outer, inner := numel(x.Shape[:ax]), numel(x.Shape[ax+1:])
	pick := make([]int, len(idx.I))
	for i, v := range idx.I {
		if v < 0 {
			v += int64(n)
		}
		if v < 0 || v >= int64(n) {
			return fmt.Errorf("index %d outside an axis of %d", idx.I[i], n)
		}
		pick[i] = int(v)
	}
	if x.isInt() {
		v := make([]int64, 0, numel(shape))
		for o := range outer {
			for _, p := range pick {
				v = append(v, x.I[(o*n+p)*inner:(o*n+p+1)*inner]...)
			}
		}
		c.setInts(0, shape, v)
		return nil
	}
	y := c.set(0, shape)
	if c.dry {
		return nil
	}
	at := 0
	for o := range outer {
		for _, p := range pick {
			at += copy(y[at:], x.F[(o*n+p)*inner:(o*n+p+1)*inner])
		}
	}
	return nil
}

func opConstant(c *call) error {
	if !c.dry {
		return nil // folded at load
	}
	if a := c.attr("value"); a != nil {
		t, err := tensorFromProto(a.GetT())
		if err != nil {
			return err
		}
		if t.isInt() {
			c.setInts(0, t.Shape, t.I)
		} else {
			c.out[0].Shape, c.out[0].F = t.Shape, t.F
		}
		return nil
	}
	if a := c.attr("value_float"); a != nil {
		c.out[0].Shape, c.out[0].F = []int{}, []float32{a.GetF()}
		return nil
	}
	if a := c.attr("value_floats"); a != nil {
		c.out[0].Shape, c.out[0].F = []int{len(a.GetFloats())}, slices.Clone(a.GetFloats())
		return nil
	}
	if a := c.attr("value_int"); a != nil {
		c.setInts(0, []int{}, []int64{a.GetI()})
		return nil
	}
	if a := c.attr("value_ints"); a != nil {
		c.setInts(0, []int{len(a.GetInts())}, slices.Clone(a.GetInts()))
		return nil
	}
	return fmt.Errorf("a Constant without a value, value_float(s) or value_int(s) %w", ErrUnsupported)
}

func opCast(c *call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	switch to := onnx.TensorProto_DataType(c.attrInt("to", 0)); to {
	case onnx.TensorProto_FLOAT:
		if !x.isInt() {
			copy(c.set(0, x.Shape), x.F)
			return nil
		}
		if !c.dry {
			return nil
		}
		v := make([]float32, len(x.I))
		for i, e := range x.I {
			v[i] = float32(e)
		}
		c.out[0].Shape, c.out[0].F = x.Shape, v
		return nil
	case onnx.TensorProto_INT64, onnx.TensorProto_INT32:
		if x.isInt() {
			c.setInts(0, x.Shape, x.I)
			return nil
		}
		if x.F == nil {
			return fmt.Errorf("casts the image's values to integers: %w", ErrUnsupported)
		}
		v := make([]int64, len(x.F))
		for i, e := range x.F {
			v[i] = int64(e)
		}
		c.setInts(0, x.Shape, v)
		return nil
	default:
		return fmt.Errorf("a cast to %s %w", to, ErrUnsupported)
	}
}

func opPad(c *call) error {
	x, err := c.floatIn(0)
	if err != nil {
		return err
	}
	pads, err := c.intsIn(1)
	if err != nil {
		return err
	}
	r := len(x.Shape)
	if len(pads) != 2*r {
		return fmt.Errorf("%d pads for a tensor of rank %d", len(pads), r)
	}
	var value float32
	if c.optional(2) {
		v, err := c.floatIn(2)
		if err != nil {
			return err
		}
		if v.F == nil || v.Len() != 1 {
			return fmt.Errorf("the constant value must be a scalar known at load")
		}
		value = v.F[0]
	}
	if c.optional(3) {
		return fmt.Errorf("padding only some axes %w", ErrUnsupported)
	}
	mode := string(c.attr("mode").GetS())
	switch mode {
	case "", "constant", "edge", "reflect":
	default:
		return fmt.Errorf("mode %q %w", mode, ErrUnsupported)
	}
	shape := make([]int, r)
	for d := range r {
		lo, hi := int(pads[d]), int(pads[d+r])
		if lo < 0 || hi < 0 || lo > 1<<16 || hi > 1<<16 {
			return fmt.Errorf("pads %v %w (cropping)", pads, ErrUnsupported)
		}
		if mode == "reflect" && (lo >= x.Shape[d] || hi >= x.Shape[d]) {
			return fmt.Errorf("reflecting %v by more than an axis holds", pads)
		}
		shape[d] = x.Shape[d] + lo + hi
	}
	y := c.set(0, shape)
	if c.dry {
		return nil
	}
	src, dst := strides(x.Shape), strides(shape)
	for e := range y {
		rem, k, inside := e, 0, true
		for d := range r {
			q := rem / dst[d]
			rem -= q * dst[d]
			i, n := q-int(pads[d]), x.Shape[d]
			switch {
			case i >= 0 && i < n:
			case mode == "edge":
				i = max(0, min(n-1, i))
			case mode == "reflect" && i < 0:
				i = -i
			case mode == "reflect":
				i = 2*(n-1) - i
			default:
				inside = false
			}
			k += i * src[d]
		}
		if inside {
			y[e] = x.F[k]
		} else {
			y[e] = value
		}
	}
	return nil
}

// opRelu is Relu without a function call per value: it follows most
// convolutions.
func opRelu(c *call) error {
	x, err := c.floatIn(0)
	if err != nil {
		return err
	}
	y := c.set(0, x.Shape)
	c.count(x.Len())
	for i, v := range x.F[:len(y)] {
		y[i] = max(v, 0)
	}
	return nil
}

// maxPool2 is the common 2x2, stride-2, unpadded max-pool of ch planes of
// h x w into oh x ow.
func maxPool2(x, y []float32, ch, h, w, oh, ow int) {
	for c := range ch {
		plane := x[c*h*w : (c+1)*h*w]
		out := y[c*oh*ow : (c+1)*oh*ow]
		for oy := range oh {
			r0 := plane[2*oy*w : 2*oy*w+w]
			r1 := plane[(2*oy+1)*w : (2*oy+1)*w+w]
			o := out[oy*ow : (oy+1)*ow]
			for ox := range o {
				o[ox] = max(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
			}
		}
	}
}
