package onnxnet

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// newWorker allocates one goroutine's tensors: every value computed per
// image gets its storage once, at the shape inferred at load.
func (m *Model) newWorker() *worker {
	w := &worker{vals: make([]*Tensor, len(m.names))}
	for i, s := range m.shapes {
		switch {
		case m.consts[i] != nil:
			w.vals[i] = m.consts[i]
		case s != nil:
			w.vals[i] = &Tensor{Shape: s, F: make([]float32, numel(s))}
		}
	}
	return w
}

// forward runs the graph on the input already in w's input tensor.
func (m *Model) forward(w *worker) error {
	var in, out []*Tensor
	for _, n := range m.nodes {
		if n.skip {
			continue
		}
		in, out = in[:0], out[:0]
		for _, i := range n.in {
			if i < 0 {
				in = append(in, nil)
			} else {
				in = append(in, w.vals[i])
			}
		}
		for _, i := range n.out {
			if i < 0 {
				out = append(out, nil)
			} else {
				out = append(out, w.vals[i])
			}
		}
		if err := n.run(&call{n: n, in: in, out: out, w: w}); err != nil {
			return fmt.Errorf("%s: %w", n.label(), err)
		}
	}
	return nil
}

// Run computes, for n images, the values of the named tensors (""
// names the graph's output; with no names, the output alone), each image's
// values in order, in one pass over the images: a network's features and
// its answers come from one forward run. fill writes image i's input,
// 3 x Input x Input values (NCHW), into dst. Images run in parallel, one
// per goroutine, each through the whole graph, so the values do not depend
// on the number of cores. Run stops between images when ctx is done.
func (m *Model) Run(ctx context.Context, n int, fill func(i int, dst []float32) error, layers ...string) ([][]float32, error) {
	if len(layers) == 0 {
		layers = []string{""}
	}
	targets := make([]int, len(layers))
	widths := make([]int, len(layers))
	out := make([][]float32, len(layers))
	for t, layer := range layers {
		i := m.output
		if layer != "" {
			var ok bool
			if i, ok = m.computed(layer); !ok {
				return nil, fmt.Errorf("%s: no tensor %q is computed from the image", m.name(), layer)
			}
		}
		targets[t], widths[t] = i, numel(m.shapes[i])
		out[t] = make([]float32, n*widths[t])
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := m.newWorker()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || errs[k] != nil {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[k] = err
					return
				}
				if err := fill(i, w.vals[m.input].F); err != nil {
					errs[k] = err
					return
				}
				if err := m.forward(w); err != nil {
					errs[k] = fmt.Errorf("%s: %w", m.name(), err)
					return
				}
				for t, v := range targets {
					copy(out[t][i*widths[t]:(i+1)*widths[t]], w.vals[v].F)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// computed finds a tensor the graph computes from the image, by name.
func (m *Model) computed(layer string) (int, bool) {
	i, ok := m.index[layer]
	return i, ok && m.shapes[i] != nil && m.consts[i] == nil
}

// LayerWidth is the number of values a named tensor holds per image (0
// when the graph computes no such tensor from the image).
func (m *Model) LayerWidth(layer string) int {
	i, ok := m.computed(layer)
	if !ok {
		return 0
	}
	return numel(m.shapes[i])
}

// Layers lists the tensors computed from the image, in graph order, with
// their values per image: the names a feature probe may ask for.
func (m *Model) Layers() []LayerInfo {
	var out []LayerInfo
	for _, n := range m.nodes {
		if n.skip {
			continue
		}
		for _, i := range n.out {
			if i >= 0 {
				op := n.op
				if n.relu {
					op += "+Relu"
				}
				out = append(out, LayerInfo{Name: m.names[i], Op: op, Shape: m.shapes[i]})
			}
		}
	}
	return out
}

// LayerInfo describes one tensor of the graph.
type LayerInfo struct {
	// Name is the tensor's name in the graph; Op the operator computing it.
	Name, Op string
	// Shape is its shape for one image.
	Shape []int
}

func (m *Model) name() string {
	if m.Path != "" {
		return m.Path
	}
	return "model"
}

// PSpiral runs the model on RGB images (size x size x 3 bytes each, row
// by row, as sky.Image holds them) and returns p(spiral) per image.
func (m *Model) PSpiral(ctx context.Context, images [][]uint8) ([]float64, error) {
	return m.PSpiralFunc(ctx, len(images), func(i int, dst []uint8) error {
		if len(images[i]) != len(dst) {
			return fmt.Errorf("image %d has %d bytes, the input takes %d", i+1, len(images[i]), len(dst))
		}
		copy(dst, images[i])
		return nil
	})
}

// PSpiralFunc is PSpiral on n images that load writes, each as
// Input x Input x 3 bytes, into dst: each image is scaled and normalised
// by the Spec, and the Spec's output value taken after its activation.
// load is called from several goroutines at once.
func (m *Model) PSpiralFunc(ctx context.Context, n int, load func(i int, dst []uint8) error) ([]float64, error) {
	vals, err := m.Run(ctx, n, m.FillFunc(load))
	if err != nil {
		return nil, err
	}
	return m.Probabilities(vals[0])
}

// FillFunc is Run's fill for images that load writes as Input x Input x 3
// bytes: each is scaled and normalised by the Spec.
func (m *Model) FillFunc(load func(i int, dst []uint8) error) func(i int, dst []float32) error {
	side := m.Spec.Input
	return func(i int, dst []float32) error {
		pix := make([]uint8, side*side*3)
		if err := load(i, pix); err != nil {
			return err
		}
		return m.Spec.Fill(dst, pix, side)
	}
}

// Probabilities turns the graph's outputs (OutputWidth values per image,
// as Run gives them) into p(spiral) per image, as the Spec says.
func (m *Model) Probabilities(vals []float32) ([]float64, error) {
	out := make([]float64, len(vals)/m.OutputWidth)
	for i := range out {
		p, err := m.Spec.Output.Probability(vals[i*m.OutputWidth : (i+1)*m.OutputWidth])
		if err != nil {
			return nil, fmt.Errorf("%s: image %d: %w", m.name(), i+1, err)
		}
		out[i] = p
	}
	return out, nil
}

// DefaultFeatures names the tensor a feature probe reads when the user
// names none: the input of the graph's last Gemm or MatMul (the
// penultimate layer of a classifier), or "" when there is none.
func (m *Model) DefaultFeatures() string {
	for k := len(m.nodes) - 1; k >= 0; k-- {
		n := m.nodes[k]
		if (n.op == "Gemm" || n.op == "MatMul") && len(n.in) > 0 && n.in[0] >= 0 && m.consts[n.in[0]] == nil {
			return m.names[n.in[0]]
		}
	}
	return ""
}

// LayerShape is a computed tensor's shape for one image (nil when the
// graph computes no such tensor from the image).
func (m *Model) LayerShape(layer string) []int {
	i, ok := m.computed(layer)
	if !ok {
		return nil
	}
	return m.shapes[i]
}

// InputSide is the side of the square images the model takes, in pixels.
func (m *Model) InputSide() int { return m.Spec.Input }

// PredictFunc is PSpiralFunc in the form skybias's own networks take
// (annotate.Predictor): batch is not needed here, every image running
// through the graph on its own.
func (m *Model) PredictFunc(ctx context.Context, n, batch int, load func(i int, dst []uint8) error) ([]float64, error) {
	return m.PSpiralFunc(ctx, n, load)
}
