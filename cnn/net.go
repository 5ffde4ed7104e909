package cnn

import (
	"fmt"
	"math"
	"runtime"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skybias/skybias/netspec"
	"github.com/skybias/skybias/seeds"
)

// Param is one weight or bias array of a network.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
	// kind is the layer it belongs to, bias whether it is the layer's
	// bias; they choose its initialisation.
	kind netspec.LayerKind
	bias bool
}

// paramShapes lists the network's parameters in a fixed order: each
// layer with weights (netspec.Config.Layers), its weights then its bias.
// A convolution's weights are out x (in*9), a fully connected layer's in
// x out.
func paramShapes(c Config) []Param {
	var ps []Param
	for _, l := range c.Layers() {
		w := []int{l.In, l.Out}
		switch l.Kind {
		case netspec.Pool:
			continue
		case netspec.Conv:
			w = []int{l.Out, l.In * 9}
		}
		ps = append(ps, Param{Name: l.Name + ".w", Shape: w, kind: l.Kind},
			Param{Name: l.Name + ".b", Shape: []int{l.Out}, kind: l.Kind, bias: true})
	}
	return ps
}

// initParams draws the starting weights from a seeded generator: He
// normal (std sqrt(2/fan_in)) for the ReLU layers, Glorot uniform for the
// output, zero biases. Gorgonia's own initialisers seed from the clock.
func initParams(ps []Param, seed uint64) {
	for i := range ps {
		p := &ps[i]
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		p.Data = make([]float32, n)
		if p.bias {
			continue
		}
		r := seeds.Rand(seed, "init", p.Name)
		switch p.kind {
		case netspec.Output:
			lim := math.Sqrt(6 / float64(p.Shape[0]+p.Shape[1]))
			for j := range p.Data {
				p.Data[j] = float32((2*r.Float64() - 1) * lim)
			}
		default:
			fanIn := p.Shape[1] // conv: out x (in*9)
			if p.kind == netspec.Dense {
				fanIn = p.Shape[0] // dense: in x out
			}
			std := math.Sqrt(2 / float64(fanIn))
			for j := range p.Data {
				p.Data[j] = float32(r.NormFloat64() * std)
			}
		}
	}
}

// graph is one compiled Gorgonia graph of the network for a batch size.
type graph[T Float] struct {
	g        *G.ExprGraph
	vm       G.VM
	x, t     *tensor.Dense // bound input images and labels
	logits   G.Value
	loss     G.Value
	grads    []G.Value
	batch    int
	training bool
}

// buildGraph builds and compiles the network for a batch size over the
// given parameter arrays (shared, not copied: updating them updates the
// graph). With training set, the graph also computes the loss and its
// gradients with respect to every parameter.
func buildGraph[T Float](c Config, batch int, params [][]T, shapes []Param, training bool) (*graph[T], error) {
	var zero T
	dt := tensor.Float32
	if _, ok := any(zero).(float64); ok {
		dt = tensor.Float64
	}
	g := G.NewGraph()
	gr := &graph[T]{g: g, batch: batch, training: training}
	gr.x = tensor.New(tensor.WithShape(batch, 3, c.Input, c.Input), tensor.Of(dt))
	x := G.NewTensor(g, dt, 4, G.WithShape(batch, 3, c.Input, c.Input), G.WithName("x"), G.WithValue(gr.x))
	nodes := make([]*G.Node, len(shapes))
	for i, p := range shapes {
		v := tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(params[i]))
		nodes[i] = G.NewTensor(g, dt, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(v))
	}
	// The layers in order; k is the first parameter node of the next
	// layer with weights (paramShapes' order).
	z := x
	var err error
	k := 0
	use := forInference
	if training {
		use = forTraining
	}
	layers := c.Layers()
	for i := 0; i < len(layers); i++ {
		l := layers[i]
		switch l.Kind {
		case netspec.Conv:
			if _, f32 := any(zero).(float32); f32 && i+1 < len(layers) && layers[i+1].Kind == netspec.Pool {
				// float32: the pool after it in the same operator.
				z, err = conv2dPool(l.Name, layers[i+1].Name, z, nodes[k], nodes[k+1], k == 0, l.Winograd, training)
				i++
				break
			}
			z, err = conv2d[T](l.Name, z, nodes[k], nodes[k+1], k == 0, l.Winograd, use)
		case netspec.Pool:
			z, err = maxPool[T](l.Name, z, use)
		case netspec.Dense, netspec.Output:
			z, err = dense[T](l.Name, z, nodes[k], nodes[k+1], l.Kind == netspec.Dense)
		}
		if err != nil {
			return nil, err
		}
		if l.Kind != netspec.Pool {
			k += 2
		}
	}
	G.Read(z, &gr.logits)
	if training {
		gr.t = tensor.New(tensor.WithShape(batch, 1), tensor.Of(dt))
		t := G.NewTensor(g, dt, 2, G.WithShape(batch, 1), G.WithName("t"), G.WithValue(gr.t))
		loss, err := bceLoss[T]("loss", z, t)
		if err != nil {
			return nil, err
		}
		G.Read(loss, &gr.loss)
		grads, err := G.Grad(loss, nodes...)
		if err != nil {
			return nil, fmt.Errorf("network gradients: %w", err)
		}
		gr.grads = make([]G.Value, len(grads))
		for i, gn := range grads {
			G.Read(gn, &gr.grads[i])
		}
	}
	gr.vm = G.NewTapeMachine(g)
	// Gorgonia sets a finalizer on every tape machine (a no-op without
	// CUDA), and the machine refers to itself: a cycle that holds a
	// finalizer is never collected, so every graph, with its activation
	// buffers, would stay in memory for the life of the process (about
	// 80 MB per small ensemble job, 10 GB over the quick paper run).
	// Without the finalizer the cycle is ordinary garbage.
	runtime.SetFinalizer(gr.vm, nil)
	return gr, nil
}

// run executes the graph once and resets the machine for the next batch.
func (gr *graph[T]) run() error {
	err := gr.vm.RunAll()
	gr.vm.Reset()
	return err
}

// lossValue is the loss of the last run.
func (gr *graph[T]) lossValue() float64 {
	switch v := gr.loss.Data().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}
