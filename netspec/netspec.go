package netspec

import (
	"fmt"
	"slices"
	"sort"
	"strings"
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

// LayerKind is what a layer of the network does.
type LayerKind int

// The kinds of layer, in the order a network stacks them.
const (
	// Conv is a 3x3 convolution with a bias and ReLU ("same" padding).
	Conv LayerKind = iota
	// Pool halves the map with a 2x2 max pool.
	Pool
	// Dense is a fully connected layer with a bias and ReLU.
	Dense
	// Output is the single logit of p(spiral): fully connected, with a
	// bias, without ReLU.
	Output
)

// Layer is one layer of the network as Layers lists it.
type Layer struct {
	Kind LayerKind
	// Name names the layer (conv1, pool1, dense, out); a layer with
	// weights has parameters NAME.w and NAME.b.
	Name string
	// In and Out are channels (Conv, Pool) or features (Dense, Output).
	In, Out int
	// Side is the side of the input map (Conv, Pool); 0 for the fully
	// connected layers.
	Side int
	// Winograd marks a Conv that takes the Winograd path in float32
	// (see WinogradWins and Conv).
	Winograd bool
}

// Layers is the network's topology: convolutions, each of the first
// Pools followed by a pool, then the dense layer and the output. It is
// the one description of the network; parameter shapes, initialisation,
// the compiled graph, FLOPs and memory are all derived from it.
func (c Config) Layers() []Layer {
	var ls []Layer
	side, in := c.Input, 3
	for i, o := range c.Widths {
		ls = append(ls, Layer{Kind: Conv, Name: fmt.Sprintf("conv%d", i+1), In: in, Out: o, Side: side,
			Winograd: c.Conv != ConvDirect && WinogradWins(in, o, side, side)})
		if i < c.Pools {
			ls = append(ls, Layer{Kind: Pool, Name: fmt.Sprintf("pool%d", i+1), In: o, Out: o, Side: side})
			side /= 2
		}
		in = o
	}
	return append(ls, Layer{Kind: Dense, Name: "dense", In: side * side * in, Out: c.Dense},
		Layer{Kind: Output, Name: "out", In: c.Dense, Out: 1})
}

// WinogradLayers lists the convolutions (0 for the first) that take the
// Winograd path in a float32 network of this configuration: none with
// ConvDirect; with ConvWinograd (or "", the default) those where
// winogradWins says Winograd is faster for the layer's channels and map
// size. A configuration whose list is empty computes exactly what the
// direct algorithm does, bit for bit.
func (c Config) WinogradLayers() []int {
	var out []int
	conv := 0
	for _, l := range c.Layers() {
		if l.Kind != Conv {
			continue
		}
		if l.Winograd {
			out = append(out, conv)
		}
		conv++
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
	for _, l := range c.Layers() {
		switch l.Kind {
		case Conv:
			f += 2 * float64(l.Side*l.Side) * float64(l.In*9) * float64(l.Out)
		case Dense, Output:
			f += 2 * float64(l.In*l.Out)
		}
	}
	return f
}

// WinogradWins says whether a 3x3 convolution of c input and o output
// channels on an h x w map takes the Winograd path, where it is faster
// than the direct one, from BenchmarkConvLayer on the paper's layers at
// 120 and 48 pixels (2 cores, AVX2; bench/conv-layers): it needs 16 or
// more input and output channels, for its products to be real matrix
// multiplies, and maps whose whole 2x2 tiles (rows of tiles rounded up
// to groups of eight) waste under 15% of their arithmetic past the edges.
// At 60x60, 30x30 and 15x15 it is 1.1 to 1.4 times faster; at 24x24 and
// 12x12 (a quarter wasted) the two paths about tie; at 7x7 and below, and
// on the 3-channel input layer, it is slower. Package cnn builds its
// layers by this rule (its tile grid is checked against it).
func WinogradWins(c, o, h, w int) bool {
	th, tw := (h+1)/2, ((w+1)/2+7)/8*8
	return c >= 16 && o >= 16 && float64(h*w) >= 0.85*float64(4*th*tw)
}

// Memory estimates, in bytes, what training this network holds: its
// parameters with their gradients and Adam's two moments (four float32s
// each), and the activations of one batch (each convolution's output,
// its rectified and pooled copies and gradients, and the 3x3
// neighbourhoods packed from its input: about four output maps and nine
// input maps per image, in float32). It is an upper estimate for
// refusing jobs that cannot fit, not a measurement.
func (c Config) Memory(batch int) (params, activations float64) {
	var p, a float64
	for _, l := range c.Layers() {
		in, out, side := float64(l.In), float64(l.Out), float64(l.Side)
		switch l.Kind {
		case Conv:
			p += out*in*9 + out
			a += side*side*(4*out+9*in) + side*side*in
		case Dense:
			p += in*out + out
			a += 4 * (in + out)
		case Output:
			p += in*out + out
		}
	}
	return 16 * p, 4 * a * float64(max(1, batch))
}
