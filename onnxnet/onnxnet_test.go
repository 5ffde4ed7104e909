package onnxnet

import (
	"context"
	"encoding/binary"
	"github.com/skybias/skybias/internal/testenv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// pytorch exports the test networks with Debian's python3-torch into a
// temporary folder, or skips (fails under CI, which installs it).
func pytorch(t *testing.T) string {
	t.Helper()
	py := testenv.Python(t, "torch", "numpy")
	dir := t.TempDir()
	out, err := exec.Command(py, "testdata/export.py", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("export.py: %v\n%s", err, out)
	}
	return dir
}

func readFloats(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// TestMatchesPyTorch runs networks exported by torch.onnx.export on the
// same images as PyTorch and holds p(spiral) to PyTorch's within 1e-4:
// the paper's network at 120 px, and one with batch normalisation,
// residual Adds, depthwise dilated convolutions, average and global
// pooling, a view() and a softmax.
func TestMatchesPyTorch(t *testing.T) {
	dir := pytorch(t)
	for _, name := range []string{"paper", "residual"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".onnx")
			spec, err := SpecFor(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Load(path, spec)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(dir, name+".in"))
			if err != nil {
				t.Fatal(err)
			}
			side := spec.Input
			n := len(raw) / (side * side * 3)
			imgs := make([][]uint8, n)
			for i := range imgs {
				imgs[i] = raw[i*side*side*3 : (i+1)*side*side*3]
			}
			got, err := m.PSpiral(context.Background(), imgs)
			if err != nil {
				t.Fatal(err)
			}
			want := readFloats(t, filepath.Join(dir, name+".out"))
			if len(want) != n {
				t.Fatalf("%d images, %d PyTorch answers", n, len(want))
			}
			lo, hi, worst := 1.0, 0.0, 0.0
			for i := range want {
				d := math.Abs(got[i] - float64(want[i]))
				worst = max(worst, d)
				lo, hi = min(lo, got[i]), max(hi, got[i])
				if d > 1e-4 {
					t.Errorf("image %d: p(spiral) %.6f, PyTorch %.6f", i, got[i], want[i])
				}
			}
			if hi-lo < 0.05 {
				t.Errorf("the answers span only %.3f-%.3f: the comparison would not see an error", lo, hi)
			}
			t.Logf("%s: %d nodes, %.2g operations per image, largest difference %.2g over %d images (p %.3f-%.3f)",
				name, m.Nodes(), float64(m.FLOPsPerImage), worst, n, lo, hi)
		})
	}
}

// TestLoadRefuses holds every refusal to an error that says what is wrong
// and where, before any image runs.
func TestLoadRefuses(t *testing.T) {
	unsupported := smallNet(8)
	unsupported.node("Erf", "my_erf", []string{"p"}, []string{"q"})
	old := smallNet(8)
	old.opset = 11
	huge := newGraph(512)
	huge.weights("w", 1, 4096, 3, 11, 11)
	huge.node("Conv", "big", []string{"image", "w"}, []string{"y"}, "pads", []int64{5, 5, 5, 5})
	missing := newGraph(8)
	missing.node("Relu", "r", []string{"nowhere"}, []string{"y"})
	logits := smallNet(8)
	logits.nodes = logits.nodes[:len(logits.nodes)-1]
	logits.out = "z"
	wrongSize := smallNet(8)
	wrongSize.side = 16
	for _, c := range []struct {
		name string
		data []byte
		spec Spec
		want []string
	}{
		{"unsupported op", unsupported.bytes(t), Spec{}, []string{`node "my_erf" (Erf)`, "operator Erf not supported", "Conv"}},
		{"old opset", old.bytes(t), Spec{}, []string{"opset 11", "opset_version=13"}},
		{"too much work", huge.bytes(t), Spec{}, []string{`node "big" (Conv)`, "operations (the limit)"}},
		{"missing input", missing.bytes(t), Spec{}, []string{`node "r" (Relu)`, `input "nowhere"`}},
		{"not a model", []byte("this is not protobuf at all \xff\xff\xff"), Spec{}, []string{"not an ONNX model"}},
		{"empty", nil, Spec{}, []string{"not an ONNX model"}},
		{"size differs", wrongSize.bytes(t), Spec{Input: 8}, []string{"height 16", "says 8"}},
		{"spiral index", smallNet(8).bytes(t), Spec{Output: Output{Spiral: ptr(3)}}, []string{"output.spiral: index 3", "1 values"}},
		{"softmax of one", smallNet(8).bytes(t), Spec{Output: Output{Activation: "softmax"}}, []string{"softmax over an output of one value"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.data, c.spec)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	// A model that ends in logits loads; reading a logit as a probability
	// is refused with the way out.
	if _, err := Parse(logits.bytes(t), Spec{}); err != nil {
		t.Fatal(err)
	}
	if _, err := (Output{}).Probability([]float32{2.5}); err == nil || !strings.Contains(err.Error(), "activation: sigmoid") {
		t.Errorf("a logit of 2.5 read as a probability: %v", err)
	}
	for _, c := range []struct {
		out  Output
		v    []float32
		want float64
	}{
		{Output{Activation: "sigmoid"}, []float32{2.5}, 1 / (1 + math.Exp(-2.5))},
		{Output{Activation: "softmax"}, []float32{1, 3}, math.Exp(3) / (math.Exp(1) + math.Exp(3))},
		{Output{Activation: "softmax", Spiral: ptr(0)}, []float32{1, 3}, math.Exp(1) / (math.Exp(1) + math.Exp(3))},
		{Output{}, []float32{0.3, 0.7}, 0.7},
	} {
		if p, err := c.out.Probability(c.v); err != nil || math.Abs(p-c.want) > 1e-7 {
			t.Errorf("%+v of %v: %v %v, want %v", c.out, c.v, p, err, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestSameAnswersOnAnyCores holds a model's answers to the same bits on
// one core and on several.
func TestSameAnswersOnAnyCores(t *testing.T) {
	m, err := Parse(smallNet(16).bytes(t), Spec{})
	if err != nil {
		t.Fatal(err)
	}
	imgs := make([][]uint8, 9)
	for i := range imgs {
		imgs[i] = make([]uint8, 16*16*3)
		for k := range imgs[i] {
			imgs[i][k] = uint8((k*31 + i*17) % 251)
		}
	}
	var runs [][]float64
	for _, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		p, err := m.PSpiral(context.Background(), imgs)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, p)
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Errorf("1 core %v, 4 cores %v", runs[0], runs[1])
	}
	if slices.Min(runs[0]) == slices.Max(runs[0]) {
		t.Error("every image got the same answer: the test would not see a difference")
	}
}

// TestParseSpec reads the spec file's keys and refuses wrong ones with
// the line.
func TestParseSpec(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
	}{
		{"", ""},
		{"input: 120\nmean: [0.5, 0.5, 0.5]\nstd: [0.25, 0.25, 0.25]\noutput: {spiral: 1, activation: softmax}\n", ""},
		{"input: 120\nmeans: [1, 2, 3]\n", "line 2: field means not found"},
		{"mean: [1, 2]\n", "mean: 2 values"},
		{"std: [1, 0, 1]\n", "std"},
		{"output: {activation: relu}\n", `output.activation: "relu"`},
		{"input: -3\n", "input: -3"},
		{"input: [1\n", "model spec"},
	} {
		s, err := ParseSpec([]byte(c.yaml))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.yaml, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
		if c.want == "" && strings.Contains(c.yaml, "softmax") && (s.Input != 120 || *s.Output.Spiral != 1 || s.Std[0] != 0.25) {
			t.Errorf("read %+v", s)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the model reader: it may refuse
// them, never panic or run away.
func FuzzParse(f *testing.F) {
	f.Add(smallNet(8).bytes(f))
	f.Add([]byte{})
	f.Add([]byte("\x08\x07\x12\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data, Spec{})
		if err != nil || m.FLOPsPerImage > 1e7 || m.BytesPerImage > 1e8 {
			return // refused, or too slow to run at fuzzing speed
		}
		img := make([]uint8, m.Spec.Input*m.Spec.Input*3)
		m.PSpiral(context.Background(), [][]uint8{img})
	})
}

// FuzzParseSpec feeds arbitrary YAML to the spec reader.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte("input: 120\nmean: [0.5, 0.5, 0.5]\noutput: {spiral: 1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data)
		if err == nil {
			if err := s.check(); err != nil {
				t.Errorf("accepted a spec its own check refuses: %v", err)
			}
		}
	})
}

// TestPyTorchGraphsUseTheOperators holds the exported test networks to
// the operators the comparison is meant to cover, so that an exporter
// that folds them away cannot make the comparison vacuous.
func TestPyTorchGraphsUseTheOperators(t *testing.T) {
	dir := pytorch(t)
	m, err := Load(filepath.Join(dir, "residual.onnx"), Spec{Input: 64})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, n := range m.nodes {
		seen[n.op] = true
	}
	for _, op := range []string{"BatchNormalization", "Add", "Conv", "AveragePool", "GlobalAveragePool", "Reshape", "Softmax", "Gemm", "LeakyRelu", "Pad"} {
		if !seen[op] {
			t.Errorf("the residual network has no %s node", op)
		}
	}
}
