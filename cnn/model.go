package cnn

import (
	"context"
	"fmt"
	"math"
)

// Model is a network's configuration, weights and input normalisation,
// with its compiled graphs and optimiser state.
type Model struct {
	Config Config
	// Mean and Std normalise each colour channel of the 0-1 input; they are
	// measured on the training images.
	Mean, Std [3]float32
	Params    []Param
	adam      *adamState
	graphs    map[int]*graph[float32] // training graphs by batch size
	infer     map[int]*graph[float32] // prediction graphs by batch size
}

// New makes a model with seeded starting weights.
func New(cfg Config, seed uint64) (*Model, error) {
	cfg, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	ps := paramShapes(cfg)
	initParams(ps, seed)
	return &Model{Config: cfg, Mean: [3]float32{0, 0, 0}, Std: [3]float32{1, 1, 1}, Params: ps}, nil
}

// NumParams is the number of weights and biases.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params {
		n += len(p.Data)
	}
	return n
}

func (m *Model) paramData() [][]float32 {
	out := make([][]float32, len(m.Params))
	for i := range m.Params {
		out[i] = m.Params[i].Data
	}
	return out
}

func (m *Model) trainGraph(batch int) (*graph[float32], error) {
	if g, ok := m.graphs[batch]; ok {
		return g, nil
	}
	g, err := buildGraph[float32](m.Config, batch, m.paramData(), m.Params, true)
	if err != nil {
		return nil, err
	}
	if m.graphs == nil {
		m.graphs = map[int]*graph[float32]{}
	}
	m.graphs[batch] = g
	return g, nil
}

func (m *Model) inferGraph(batch int) (*graph[float32], error) {
	if g, ok := m.infer[batch]; ok {
		return g, nil
	}
	g, err := buildGraph[float32](m.Config, batch, m.paramData(), m.Params, false)
	if err != nil {
		return nil, err
	}
	if m.infer == nil {
		m.infer = map[int]*graph[float32]{}
	}
	m.infer[batch] = g
	return g, nil
}

// Release drops the compiled graphs with their activation buffers, which
// hold most of a model's memory. The weights and the optimiser's state
// stay: the model predicts, trains and saves as before, compiling a graph
// again when asked.
func (m *Model) Release() {
	m.graphs, m.infer = nil, nil
}

// SetNormalisation measures the per-channel mean and standard deviation
// of the images' 0-1 values, so that inputs reach the network centred and
// scaled. Dark survey cutouts (mean ~0.1) otherwise start training with
// a network that predicts one class.
func (m *Model) SetNormalisation(set Images) {
	var sum, sq [3]float64
	var count float64
	for i := 0; i < set.Len(); i++ {
		img := set.At(i)
		var s, q [3]float64
		for j := 0; j < len(img); j += 3 {
			for c := 0; c < 3; c++ {
				v := float64(img[j+c]) / 255
				s[c] += v
				q[c] += v * v
			}
		}
		for c := 0; c < 3; c++ {
			sum[c] += s[c]
			sq[c] += q[c]
		}
		count += float64(len(img) / 3)
	}
	for c := 0; c < 3; c++ {
		mean := sum[c] / count
		sd := math.Sqrt(math.Max(sq[c]/count-mean*mean, 0))
		m.Mean[c] = float32(mean)
		m.Std[c] = float32(math.Max(sd, 1e-3))
	}
}

// fillImage writes one uint8 RGB image (HWC) into a CHW float slot,
// normalised, through one of the eight flips and quarter turns (0 is the
// identity).
func (m *Model) fillImage(dst []float32, img []uint8, side int, transform int) {
	var lut [3][256]float32
	for c := 0; c < 3; c++ {
		for v := 0; v < 256; v++ {
			lut[c][v] = (float32(v)/255 - m.Mean[c]) / m.Std[c]
		}
	}
	hw := side * side
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			sx, sy := x, y
			if transform&4 != 0 {
				sx, sy = sy, sx
			}
			if transform&1 != 0 {
				sx = side - 1 - sx
			}
			if transform&2 != 0 {
				sy = side - 1 - sy
			}
			o := (sy*side + sx) * 3
			p := y*side + x
			dst[p] = lut[0][img[o]]
			dst[hw+p] = lut[1][img[o+1]]
			dst[2*hw+p] = lut[2][img[o+2]]
		}
	}
}

// InputSide is the side of the square colour images the network takes.
func (m *Model) InputSide() int { return m.Config.Input }

// PredictFunc returns p(spiral) for n images, loading each with load into
// a uint8 RGB buffer of side Config.Input, batch by batch: only one batch
// is ever held as floats, so a test set of any size streams through.
func (m *Model) PredictFunc(ctx context.Context, n, batch int, load func(i int, dst []uint8) error) ([]float64, error) {
	if batch <= 0 {
		batch = 64
	}
	batch = min(batch, max(n, 1))
	g, err := m.inferGraph(batch)
	if err != nil {
		return nil, err
	}
	side := m.Config.Input
	per := 3 * side * side
	raw := make([][]uint8, batch)
	for i := range raw {
		raw[i] = make([]uint8, per)
	}
	out := make([]float64, n)
	x := g.x.Data().([]float32)
	for start := 0; start < n; start += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cnt := min(batch, n-start)
		loadErr := make([]error, cnt)
		parallelFor(cnt, func(_, k int) {
			if loadErr[k] = load(start+k, raw[k]); loadErr[k] == nil {
				m.fillImage(x[k*per:(k+1)*per], raw[k], side, 0)
			}
		})
		for _, e := range loadErr {
			if e != nil {
				return nil, e
			}
		}
		clear(x[cnt*per:]) // a short last batch: pad with zeros
		if err := g.run(); err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		z := g.logits.Data().([]float32)
		for k := 0; k < cnt; k++ {
			out[start+k] = Sigmoid(float64(z[k]))
		}
	}
	return out, nil
}

// Predict returns p(spiral) for every image of a set.
func (m *Model) Predict(ctx context.Context, set Images, batch int) ([]float64, error) {
	if set.Side() != m.Config.Input {
		return nil, fmt.Errorf("predict: images are %dx%d, the network takes %dx%d", set.Side(), set.Side(), m.Config.Input, m.Config.Input)
	}
	return m.PredictFunc(ctx, set.Len(), batch, func(i int, dst []uint8) error {
		copy(dst, set.At(i))
		return nil
	})
}

// Images is a set of square RGB images the network reads: Len images of
// Side x Side pixels, image i's bytes (RGB, row-major) from At. The sky's
// image sets satisfy it; so can anything else that holds cutouts.
type Images interface {
	Len() int
	Side() int
	At(i int) []uint8
}

// Labelled is a training set: images with a 0/1 label each (1 is the
// class the network's output is the probability of).
type Labelled interface {
	Images
	Label(i int) int
}
