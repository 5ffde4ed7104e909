package onnxnet

import (
	"math/rand/v2"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// graph builds small ONNX models in the tests, without PyTorch.
type graph struct {
	opset int64
	nodes []*onnx.NodeProto
	inits []*onnx.TensorProto
	side  int64
	out   string
}

func newGraph(side int) *graph { return &graph{opset: 13, side: int64(side)} }

// weights adds a float initializer of the given shape with seeded values.
func (g *graph) weights(name string, seed uint64, dims ...int64) {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * 0.3)
	}
	g.inits = append(g.inits, &onnx.TensorProto{Name: name, Dims: dims, DataType: int32(onnx.TensorProto_FLOAT), FloatData: v})
}

// ints adds an int64 initializer.
func (g *graph) ints(name string, v ...int64) {
	g.inits = append(g.inits, &onnx.TensorProto{Name: name, Dims: []int64{int64(len(v))}, DataType: int32(onnx.TensorProto_INT64), Int64Data: v})
}

// node adds a node; attrs alternate names and values (int, []int64, float32, string).
func (g *graph) node(op, name string, in, out []string, attrs ...any) {
	n := &onnx.NodeProto{OpType: op, Name: name, Input: in, Output: out}
	for i := 0; i+1 < len(attrs); i += 2 {
		a := &onnx.AttributeProto{Name: attrs[i].(string)}
		switch v := attrs[i+1].(type) {
		case int:
			a.Type, a.I = onnx.AttributeProto_INT, int64(v)
		case []int64:
			a.Type, a.Ints = onnx.AttributeProto_INTS, v
		case float32:
			a.Type, a.F = onnx.AttributeProto_FLOAT, v
		case string:
			a.Type, a.S = onnx.AttributeProto_STRING, []byte(v)
		}
		n.Attribute = append(n.Attribute, a)
	}
	g.nodes = append(g.nodes, n)
	g.out = out[0]
}

func (g *graph) bytes(t testing.TB) []byte {
	t.Helper()
	dim := func(v int64) *onnx.TensorShapeProto_Dimension {
		if v == 0 {
			return &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimParam{DimParam: "n"}}
		}
		return &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	input := &onnx.ValueInfoProto{Name: "image", Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{TensorType: &onnx.TypeProto_Tensor{
		ElemType: int32(onnx.TensorProto_FLOAT),
		Shape:    &onnx.TensorShapeProto{Dim: []*onnx.TensorShapeProto_Dimension{dim(0), dim(3), dim(g.side), dim(g.side)}},
	}}}}
	m := &onnx.ModelProto{IrVersion: 8, ProducerName: "onnxnet test",
		OpsetImport: []*onnx.OperatorSetIdProto{{Domain: "", Version: g.opset}},
		Graph: &onnx.GraphProto{Name: "test", Node: g.nodes, Initializer: g.inits, Input: []*onnx.ValueInfoProto{input},
			Output: []*onnx.ValueInfoProto{{Name: g.out}}}}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// smallNet is a convolution, a pool, a dense layer and a sigmoid.
func smallNet(side int) *graph {
	g := newGraph(side)
	g.weights("w1", 1, 4, 3, 3, 3)
	g.weights("b1", 2, 4)
	g.weights("w2", 3, 1, int64(4*(side/2)*(side/2)))
	g.weights("b2", 4, 1)
	g.node("Conv", "conv1", []string{"image", "w1", "b1"}, []string{"c1"}, "pads", []int64{1, 1, 1, 1})
	g.node("Relu", "relu1", []string{"c1"}, []string{"r1"})
	g.node("MaxPool", "pool1", []string{"r1"}, []string{"p1"}, "kernel_shape", []int64{2, 2}, "strides", []int64{2, 2})
	g.node("Flatten", "flat", []string{"p1"}, []string{"f"})
	g.node("Gemm", "fc", []string{"f", "w2", "b2"}, []string{"z"}, "transB", 1)
	g.node("Sigmoid", "out", []string{"z"}, []string{"p"})
	return g
}
