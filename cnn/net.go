package cnn

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/skybias/skybias/seeds"
)

// Config describes a network: an architecture and its size parameters.
// Zero fields take the architecture's defaults.
type Config struct {
	// Arch names the architecture (see Architectures).
	Arch string `json:"arch" yaml:"arch"`
	// Input is the side of the square colour input in pixels.
	Input int `json:"input" yaml:"input"`
	// Widths are the filters of each 3x3 convolution, in order.
	Widths []int `json:"widths" yaml:"widths"`
	// Pools is how many of the first convolutions are followed by a 2x2
	// max-pool.
	Pools int `json:"pools" yaml:"pools"`
	// Dense is the width of the hidden dense layer.
	Dense int `json:"dense" yaml:"dense"`
	// Conv chooses how float32 networks compute their 3x3 convolutions:
	// ConvWinograd (the default: Winograd's algorithm on the layers where
	// it is faster, the direct one elsewhere) or ConvDirect (the direct
	// algorithm everywhere). Both compute the same network; they differ
	// in float32 rounding, so a seed gives other weights bit for bit on
	// the layers where the choice differs, and the choice is part of a
	// job's hash. Resolve writes the default out, so a resolved Config
	// always names its algorithm.
	Conv string `json:"conv,omitempty" yaml:"conv,omitempty"`
}

// The convolution algorithms of Config.Conv.
const (
	// ConvDirect multiplies the filters with the 3x3 neighbourhoods
	// packed from the padded image (conv32.go) on every layer.
	ConvDirect = "direct"
	// ConvWinograd, the default, uses Winograd's F(2x2, 3x3) algorithm
	// (winograd.go) on the layers where it measured faster (16 or more
	// input and output channels, on maps that fill whole tiles; see
	// winogradWins) and the direct path elsewhere. At the quick
	// profile's 48 px no layer qualifies, so there it computes exactly
	// what ConvDirect does.
	ConvWinograd = "winograd"
)

// ConvNames lists the convolution algorithms Config.Conv accepts.
func ConvNames() []string { return []string{ConvDirect, ConvWinograd} }

// Architectures are the networks skybias knows by name, with their
// defaults. lenet5x is the paper's network.
var Architectures = map[string]Config{
	"lenet5x":       {Arch: "lenet5x", Input: 120, Widths: []int{32, 32, 64, 64, 128}, Pools: 4, Dense: 128},
	"lenet5x-small": {Arch: "lenet5x-small", Input: 64, Widths: []int{16, 16, 32, 32, 64}, Pools: 4, Dense: 64},
}

// ArchNames lists the known architectures, sorted.
func ArchNames() []string {
	names := make([]string, 0, len(Architectures))
	for n := range Architectures {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve fills a configuration's zero fields from its architecture and
// checks that the sizes make a network.
func (c Config) Resolve() (Config, error) {
	if c.Arch == "" {
		c.Arch = "lenet5x"
	}
	def, ok := Architectures[c.Arch]
	if !ok {
		return c, fmt.Errorf("unknown architecture %q (known: %s)", c.Arch, strings.Join(ArchNames(), ", "))
	}
	if c.Input == 0 {
		c.Input = def.Input
	}
	if len(c.Widths) == 0 {
		c.Widths = slices.Clone(def.Widths)
	}
	if c.Pools == 0 {
		c.Pools = min(def.Pools, len(c.Widths))
	}
	if c.Dense == 0 {
		c.Dense = def.Dense
	}
	switch c.Conv {
	case "":
		c.Conv = ConvWinograd
	case ConvDirect, ConvWinograd:
	default:
		return c, fmt.Errorf("architecture %s: unknown convolution algorithm %q (known: %s)", c.Arch, c.Conv, strings.Join(ConvNames(), ", "))
	}
	if c.Pools > len(c.Widths) || c.Pools < 0 {
		return c, fmt.Errorf("architecture %s: %d pools for %d convolutions", c.Arch, c.Pools, len(c.Widths))
	}
	for _, w := range c.Widths {
		if w <= 0 || w > 4096 {
			return c, fmt.Errorf("architecture %s: convolution width %d is outside 1..4096", c.Arch, w)
		}
	}
	if c.Dense <= 0 || c.Dense > 65536 {
		return c, fmt.Errorf("architecture %s: dense width %d is outside 1..65536", c.Arch, c.Dense)
	}
	if c.Input < 4 || c.Input > 1024 {
		return c, fmt.Errorf("architecture %s: input %d px is outside 4..1024", c.Arch, c.Input)
	}
	if side := c.Input >> c.Pools; side < 1 {
		return c, fmt.Errorf("architecture %s: a %d px input is too small for %d pools", c.Arch, c.Input, c.Pools)
	}
	return c, nil
}

// WinogradLayers lists the convolutions (0 for the first) that take the
// Winograd path in a float32 network of this configuration: none with
// ConvDirect; with ConvWinograd (or "", the default) those where
// winogradWins says Winograd is faster for the layer's channels and map
// size. A configuration whose list is empty computes exactly what the
// direct algorithm does, bit for bit.
func (c Config) WinogradLayers() []int {
	if c.Conv == ConvDirect {
		return nil
	}
	var out []int
	side, in := c.Input, 3
	for i, o := range c.Widths {
		if winogradWins(in, o, side, side) {
			out = append(out, i)
		}
		if i < c.Pools {
			side /= 2
		}
		in = o
	}
	return out
}

// FinalSide is the side of the feature maps after the last convolution.
func (c Config) FinalSide() int {
	s := c.Input
	for i := 0; i < c.Pools; i++ {
		s /= 2
	}
	return s
}

// FLOPs is the arithmetic of one image's forward pass (a multiply-add
// counts two); a training step costs about three times as much.
func (c Config) FLOPs() float64 {
	var f float64
	s, ch := c.Input, 3
	for i, w := range c.Widths {
		f += 2 * float64(s*s) * float64(ch*9) * float64(w)
		ch = w
		if i < c.Pools {
			s /= 2
		}
	}
	feat := s * s * ch
	return f + 2*float64(feat*c.Dense) + 2*float64(c.Dense)
}

// Param is one weight or bias array of a network.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
}

// paramShapes lists the network's parameters in a fixed order.
func (c Config) paramShapes() []Param {
	var ps []Param
	ch := 3
	for i, w := range c.Widths {
		ps = append(ps, Param{Name: fmt.Sprintf("conv%d.w", i+1), Shape: []int{w, ch * 9}},
			Param{Name: fmt.Sprintf("conv%d.b", i+1), Shape: []int{w}})
		ch = w
	}
	feat := c.FinalSide() * c.FinalSide() * ch
	ps = append(ps, Param{Name: "dense.w", Shape: []int{feat, c.Dense}}, Param{Name: "dense.b", Shape: []int{c.Dense}},
		Param{Name: "out.w", Shape: []int{c.Dense, 1}}, Param{Name: "out.b", Shape: []int{1}})
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
		if strings.HasSuffix(p.Name, ".b") {
			continue
		}
		r := seeds.Rand(seed, "init", p.Name)
		switch {
		case p.Name == "out.w":
			lim := math.Sqrt(6 / float64(p.Shape[0]+p.Shape[1]))
			for j := range p.Data {
				p.Data[j] = float32((2*r.Float64() - 1) * lim)
			}
		default:
			fanIn := p.Shape[1] // conv: out x (in*9)
			if strings.HasPrefix(p.Name, "dense") {
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
	h := x
	var err error
	wino := c.WinogradLayers()
	for i := range c.Widths {
		if h, err = conv2d[T](fmt.Sprintf("conv%d", i+1), h, nodes[2*i], nodes[2*i+1], i == 0, slices.Contains(wino, i)); err != nil {
			return nil, err
		}
		if i < c.Pools {
			if h, err = maxPool[T](fmt.Sprintf("pool%d", i+1), h); err != nil {
				return nil, err
			}
		}
	}
	k := 2 * len(c.Widths)
	if h, err = dense[T]("dense", h, nodes[k], nodes[k+1], true); err != nil {
		return nil, err
	}
	z, err := dense[T]("out", h, nodes[k+2], nodes[k+3], false)
	if err != nil {
		return nil, err
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
