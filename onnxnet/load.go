package onnxnet

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/skybias/skybias/internal/input"
	"google.golang.org/protobuf/proto"
)

// The limits on a model, checked when it is loaded, before any image is
// run: a file that is not a model, or a model that would take hours or
// all the memory per image, stops with an error that says which limit.
const (
	// MaxFileBytes is the largest model file read.
	MaxFileBytes = 1 << 30
	// MaxNodes is the most nodes a graph may have.
	MaxNodes = 100_000
	// MaxFLOPsPerImage bounds the multiply-adds (counted as two
	// operations) one image may take: ResNet-50 at 224 px takes about
	// 8e9, the paper's network at 120 px 0.4e9.
	MaxFLOPsPerImage = 200e9
	// MaxBytesPerImage bounds the memory of one image's activations.
	MaxBytesPerImage = 4 << 30
	// MinOpset is the oldest default-domain opset read.
	MinOpset = 13
)

// ErrUnsupported marks a model that uses something this package does not
// run (an operator, an attribute value, a data type, external data).
var ErrUnsupported = errors.New("not supported")

// node is one operator of the graph, with its inputs and outputs as
// indices into the model's values.
type node struct {
	name, op string
	in, out  []int // -1: an optional input left out
	attrs    map[string]*onnx.AttributeProto
	run      opFunc
	skip     bool // every output is a constant folded at load, or a Relu fused into its Conv
	relu     bool // a Conv that applies the Relu following it as it stores
}

// label names the node in messages: its name and operator.
func (n *node) label() string {
	if n.name == "" {
		return fmt.Sprintf("%s node", n.op)
	}
	return fmt.Sprintf("node %q (%s)", n.name, n.op)
}

// Model is a loaded, checked ONNX classifier, ready to run on images of
// its Spec's input size.
type Model struct {
	// Path is the file the model came from.
	Path string
	// Digest is the SHA-256 of the file's bytes, in hex: the model's
	// identity in a job's hash.
	Digest string
	// Opset is the default domain's opset version the file declares.
	Opset int
	// Producer names the program that wrote the file (e.g. "pytorch 1.13").
	Producer string
	// Spec says how images become inputs and which output is p(spiral).
	Spec Spec
	// Input is the graph input images go to; Output the graph output read.
	Input, Output string
	// OutputWidth is the number of values the output holds per image.
	OutputWidth int
	// FLOPsPerImage is the arithmetic of one image (a multiply-add counts
	// two), from the shapes inferred at load.
	FLOPsPerImage int64
	// BytesPerImage is the memory one image's activations take.
	BytesPerImage int64

	names  []string       // value names by index
	index  map[string]int // value index by name
	consts []*Tensor      // initializers and values folded at load; nil where computed per image
	shapes [][]int        // every value's shape for one image
	nodes  []*node
	input  int
	output int
}

// Nodes is the number of operators in the graph.
func (m *Model) Nodes() int { return len(m.nodes) }

// Load reads the ONNX file at path, checks it against spec and infers the
// shape of every tensor for one image of spec.Input pixels. Every error
// names the file and, where one is at fault, the node.
func Load(path string, spec Spec) (*Model, error) {
	data, err := input.ReadFile(path, MaxFileBytes)
	if err != nil {
		return nil, err
	}
	m, err := Parse(data, spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Path = path
	return m, nil
}

// Parse is Load on a model's bytes.
func Parse(data []byte, spec Spec) (*Model, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%d bytes, more than the %d a model may have", len(data), MaxFileBytes)
	}
	var mp onnx.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		return nil, fmt.Errorf("not an ONNX model (protobuf: %w)", err)
	}
	g := mp.GetGraph()
	if g == nil || len(g.GetNode()) == 0 {
		return nil, errors.New("not an ONNX model: no graph, or a graph without nodes")
	}
	sum := sha256.Sum256(data)
	m := &Model{Digest: hex.EncodeToString(sum[:]), Spec: spec, index: map[string]int{},
		Producer: strings.TrimSpace(mp.GetProducerName() + " " + mp.GetProducerVersion())}
	for _, o := range mp.GetOpsetImport() {
		if d := o.GetDomain(); d == "" || d == "ai.onnx" {
			m.Opset = int(o.GetVersion())
		}
	}
	if m.Opset < MinOpset {
		return nil, fmt.Errorf("opset %d: %w; skybias reads opset %d and later (export again with opset_version=%d or later)",
			m.Opset, ErrUnsupported, MinOpset, MinOpset)
	}
	if len(g.GetNode()) > MaxNodes {
		return nil, fmt.Errorf("%d nodes, more than the %d a graph may have", len(g.GetNode()), MaxNodes)
	}
	val := func(name string) int {
		if i, ok := m.index[name]; ok {
			return i
		}
		m.index[name] = len(m.names)
		m.names = append(m.names, name)
		m.consts = append(m.consts, nil)
		return len(m.names) - 1
	}
	for _, t := range g.GetInitializer() {
		v, err := tensorFromProto(t)
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", t.GetName(), err)
		}
		m.consts[val(t.GetName())] = v
	}
	// The image input: the first graph input that is not an initializer.
	m.input = -1
	for _, in := range g.GetInput() {
		if i, ok := m.index[in.GetName()]; ok && m.consts[i] != nil {
			continue
		}
		if err := m.checkInput(in); err != nil {
			return nil, err
		}
		m.input = val(in.GetName())
		m.Input = in.GetName()
		break
	}
	if m.input < 0 {
		return nil, errors.New("the graph has no input for images")
	}
	defined := map[int]bool{m.input: true}
	for i, c := range m.consts {
		if c != nil {
			defined[i] = true
		}
	}
	for k, np := range g.GetNode() {
		n := &node{name: np.GetName(), op: np.GetOpType(), attrs: map[string]*onnx.AttributeProto{}}
		if d := np.GetDomain(); d != "" && d != "ai.onnx" {
			return nil, fmt.Errorf("%s, node %d: operator domain %q %w (only the default ONNX domain)", n.label(), k, d, ErrUnsupported)
		}
		run, ok := ops[n.op]
		if !ok {
			return nil, fmt.Errorf("%s, node %d: operator %s %w; skybias runs %s", n.label(), k, n.op, ErrUnsupported, strings.Join(Ops(), ", "))
		}
		n.run = run
		for _, a := range np.GetAttribute() {
			n.attrs[a.GetName()] = a
		}
		for _, name := range np.GetInput() {
			if name == "" {
				n.in = append(n.in, -1)
				continue
			}
			i, ok := m.index[name]
			if !ok || !defined[i] {
				return nil, fmt.Errorf("%s: input %q is not computed before it (the graph is not in order, or names a missing tensor)", n.label(), name)
			}
			n.in = append(n.in, i)
		}
		for _, name := range np.GetOutput() {
			if name == "" {
				n.out = append(n.out, -1)
				continue
			}
			if i, ok := m.index[name]; ok && defined[i] {
				return nil, fmt.Errorf("%s: output %q is computed twice", n.label(), name)
			}
			i := val(name)
			defined[i] = true
			n.out = append(n.out, i)
		}
		m.nodes = append(m.nodes, n)
	}
	if spec.Output.Name != "" {
		m.Output = spec.Output.Name
	} else if len(g.GetOutput()) > 0 {
		m.Output = g.GetOutput()[0].GetName()
	}
	o, ok := m.index[m.Output]
	if !ok || !defined[o] {
		return nil, fmt.Errorf("output %q is not computed by the graph (outputs: %s)", m.Output, strings.Join(outputNames(g), ", "))
	}
	m.output = o
	if err := m.infer(); err != nil {
		return nil, err
	}
	m.fuse()
	return m, nil
}

// fuse lets a convolution whose only reader is a Relu apply it as it
// stores (the multiply's bias-and-ReLU pass), so the convolution's own
// output is never written out: the same values, one pass fewer.
func (m *Model) fuse() {
	readers := make([]int, len(m.names))
	readers[m.output]++
	for _, n := range m.nodes {
		for _, i := range n.in {
			if i >= 0 {
				readers[i]++
			}
		}
	}
	producer := map[int]*node{}
	for _, n := range m.nodes {
		if n.skip {
			continue
		}
		for _, i := range n.out {
			if i >= 0 {
				producer[i] = n
			}
		}
		if n.op != "Relu" || len(n.in) != 1 || len(n.out) != 1 || n.in[0] < 0 {
			continue
		}
		v := n.in[0]
		conv := producer[v]
		if conv == nil || conv.op != "Conv" || readers[v] != 1 || conv.relu {
			continue
		}
		conv.relu, conv.out[0] = true, n.out[0]
		n.skip = true
		m.shapes[v] = nil // never computed now
	}
}

func outputNames(g *onnx.GraphProto) []string {
	var s []string
	for _, o := range g.GetOutput() {
		s = append(s, o.GetName())
	}
	return s
}

// checkInput holds the graph's image input to NCHW with three channels and
// the spec's size where the file fixes them.
func (m *Model) checkInput(in *onnx.ValueInfoProto) error {
	tt := in.GetType().GetTensorType()
	if tt == nil {
		return fmt.Errorf("input %q is not a tensor", in.GetName())
	}
	if et := tt.GetElemType(); et != int32(onnx.TensorProto_FLOAT) {
		return fmt.Errorf("input %q holds %s, not float32: %w", in.GetName(), onnx.TensorProto_DataType(et), ErrUnsupported)
	}
	dims := tt.GetShape().GetDim()
	if len(dims) != 4 {
		return fmt.Errorf("input %q has rank %d; an image input is N x 3 x H x W", in.GetName(), len(dims))
	}
	if m.Spec.Input == 0 {
		h, w := dims[2].GetDimValue(), dims[3].GetDimValue()
		if h == 0 || h != w {
			return fmt.Errorf("input %q does not fix a square image size; say it in the model's spec (input: N)", in.GetName())
		}
		m.Spec.Input = int(h)
	}
	want := []int64{1, 3, int64(m.Spec.Input), int64(m.Spec.Input)}
	what := []string{"batch", "channels", "height", "width"}
	for i, d := range dims {
		v := d.GetDimValue()
		if v == 0 {
			continue // symbolic
		}
		if v != want[i] {
			if i == 0 {
				return fmt.Errorf("input %q fixes its batch at %d; export with a batch of 1 or a dynamic batch axis", in.GetName(), v)
			}
			return fmt.Errorf("input %q has %s %d, but the model's spec says %d (input: %d, three colours)", in.GetName(), what[i], v, want[i], m.Spec.Input)
		}
	}
	return nil
}

// infer runs the graph on shapes alone for one image: every value's shape,
// the integer tensors of the shape arithmetic folded to constants, and
// the work and memory an image takes, checked against the limits.
func (m *Model) infer() error {
	w := &worker{vals: make([]*Tensor, len(m.names))}
	copy(w.vals, m.consts)
	w.vals[m.input] = &Tensor{Shape: []int{1, 3, m.Spec.Input, m.Spec.Input}}
	m.BytesPerImage = 4 * int64(m.Spec.Input*m.Spec.Input*3)
	for _, n := range m.nodes {
		in := make([]*Tensor, len(n.in))
		constIn := true
		for k, i := range n.in {
			if i >= 0 {
				in[k] = w.vals[i]
				if m.consts[i] == nil {
					constIn = false
				}
			}
		}
		out := make([]*Tensor, len(n.out))
		for k := range out {
			out[k] = &Tensor{}
		}
		c := &call{n: n, in: in, out: out, dry: true, w: w}
		if err := n.run(c); err != nil {
			return fmt.Errorf("%s: %w", n.label(), err)
		}
		folded := true
		for k, i := range n.out {
			if i < 0 {
				continue
			}
			t := out[k]
			if t.Shape == nil {
				t.Shape = []int{}
			}
			for _, d := range t.Shape {
				if d < 0 {
					return fmt.Errorf("%s: output %q would have shape %v", n.label(), m.names[i], t.Shape)
				}
			}
			w.vals[i] = t
			if t.I == nil && t.F == nil {
				folded = false
				m.BytesPerImage += 4 * int64(t.Len())
			}
		}
		if folded {
			// Values known now (constants, shape arithmetic): computed
			// here once, never per image.
			if !constIn && n.op != "Shape" && n.op != "Constant" {
				return fmt.Errorf("%s computes integers from the image's values: %w", n.label(), ErrUnsupported)
			}
			n.skip = true
			for k, i := range n.out {
				if i >= 0 {
					m.consts[i] = out[k]
				}
			}
		}
		if w.flops > MaxFLOPsPerImage {
			return fmt.Errorf("%s: one image would take more than %.0e operations (the limit)", n.label(), float64(MaxFLOPsPerImage))
		}
		if m.BytesPerImage > MaxBytesPerImage {
			return fmt.Errorf("%s: one image's activations would need more than %d bytes (the limit)", n.label(), int64(MaxBytesPerImage))
		}
	}
	m.FLOPsPerImage = int64(w.flops)
	m.shapes = make([][]int, len(m.names))
	for i, v := range w.vals {
		if v != nil {
			m.shapes[i] = v.Shape
		}
	}
	out := w.vals[m.output]
	if out.isInt() {
		return fmt.Errorf("output %q holds integers, not scores", m.Output)
	}
	if len(out.Shape) == 0 || out.Shape[0] != 1 {
		return fmt.Errorf("output %q has shape %v for one image; want the image on the first axis", m.Output, out.Shape)
	}
	m.OutputWidth = out.Len()
	return m.Spec.Output.check(m.OutputWidth)
}

// tensorFromProto reads an initializer or a Constant's value.
func tensorFromProto(t *onnx.TensorProto) (*Tensor, error) {
	if t.GetDataLocation() == onnx.TensorProto_EXTERNAL || len(t.GetExternalData()) > 0 {
		return nil, fmt.Errorf("data stored outside the file: %w (export the model as one file)", ErrUnsupported)
	}
	shape := make([]int, len(t.GetDims()))
	n := int64(1)
	for i, d := range t.GetDims() {
		if d < 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("dimension %d is %d", i, d)
		}
		shape[i] = int(d)
		n *= d
		if n > MaxFileBytes {
			return nil, fmt.Errorf("shape %v holds more values than the file could", t.GetDims())
		}
	}
	raw := t.GetRawData()
	switch onnx.TensorProto_DataType(t.GetDataType()) {
	case onnx.TensorProto_FLOAT:
		if raw != nil && int64(len(raw)) != 4*n || raw == nil && int64(len(t.GetFloatData())) != n {
			return nil, fmt.Errorf("shape %v wants %d float32 values, the file holds another count", shape, n)
		}
		out := &Tensor{Shape: shape, F: make([]float32, n)}
		switch {
		case raw != nil:
			for i := range out.F {
				out.F[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		case int64(len(t.GetFloatData())) == n:
			copy(out.F, t.GetFloatData())
		default:
			return nil, fmt.Errorf("shape %v wants %d values, the file holds %d", shape, n, len(t.GetFloatData()))
		}
		return out, nil
	case onnx.TensorProto_INT64, onnx.TensorProto_INT32:
		size := int64(8)
		if t.GetDataType() == int32(onnx.TensorProto_INT32) {
			size = 4
		}
		if raw != nil && int64(len(raw)) != size*n || raw == nil && int64(len(t.GetInt64Data())+len(t.GetInt32Data())) != n {
			return nil, fmt.Errorf("shape %v wants %d integers, the file holds another count", shape, n)
		}
		out := &Tensor{Shape: shape, I: make([]int64, n)}
		switch {
		case raw != nil:
			if int64(len(raw)) != size*n {
				return nil, fmt.Errorf("shape %v wants %d bytes of integers, the file holds %d", shape, size*n, len(raw))
			}
			for i := range out.I {
				if size == 8 {
					out.I[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
				} else {
					out.I[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
				}
			}
		case size == 8 && int64(len(t.GetInt64Data())) == n:
			copy(out.I, t.GetInt64Data())
		case size == 4 && int64(len(t.GetInt32Data())) == n:
			for i, v := range t.GetInt32Data() {
				out.I[i] = int64(v)
			}
		default:
			return nil, fmt.Errorf("shape %v wants %d integers, the file holds another count", shape, n)
		}
		return out, nil
	}
	return nil, fmt.Errorf("data type %s %w (float32, int32 and int64 are)", onnx.TensorProto_DataType(t.GetDataType()), ErrUnsupported)
}

// Ops lists the operators this package runs, sorted.
func Ops() []string {
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	return slices.Clip(names)
}
