package onnxnet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/skybias/skybias/internal/input"
	"gopkg.in/yaml.v3"
)

// Spec says how an RGB image becomes the network's input and which of its
// outputs is p(spiral): what a PyTorch user passes to transforms.Normalize
// and reads off the last layer. The zero value of each field is the
// default: images of the size the file fixes, bytes scaled to [0, 1], no
// mean or std, and the output taken as a probability.
type Spec struct {
	// Input is the side of the square input in pixels (0: the size the
	// model's input declares). Images of another size are resampled by
	// area averaging; one of this size is used as it is.
	Input int `yaml:"input"`
	// Scale multiplies each byte (0-255) before Mean and Std apply
	// (0: 1/255, giving values in [0, 1]).
	Scale float64 `yaml:"scale"`
	// Mean and Std normalise each colour, red, green, blue: (v*Scale -
	// Mean) / Std. Empty: 0 and 1.
	Mean []float64 `yaml:"mean"`
	Std  []float64 `yaml:"std"`
	// Output says which output value is p(spiral).
	Output Output `yaml:"output"`
}

// Output names the value of a model's output that is p(spiral).
type Output struct {
	// Name is the graph output to read ("": the first).
	Name string `yaml:"name"`
	// Spiral is the index of the spiral value in that output (nil: 0 for
	// an output of one value, 1 for two).
	Spiral *int `yaml:"spiral"`
	// Activation turns the value into a probability: "" or "none" when
	// the model already ends in a sigmoid or softmax, "sigmoid" for one
	// logit, "softmax" for one logit per class.
	Activation string `yaml:"activation"`
}

// Activations are the values Output.Activation may take.
var Activations = []string{"none", "sigmoid", "softmax"}

func (s *Spec) check() error {
	if s.Input < 0 || s.Input > 4096 {
		return fmt.Errorf("input: %d pixels (want 1 to 4096, or 0 for the model's own)", s.Input)
	}
	if s.Scale < 0 || math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0) {
		return fmt.Errorf("scale: %v (want a positive number)", s.Scale)
	}
	for name, v := range map[string][]float64{"mean": s.Mean, "std": s.Std} {
		if len(v) != 0 && len(v) != 3 {
			return fmt.Errorf("%s: %d values (want three, red, green, blue)", name, len(v))
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) || name == "std" && x <= 0 {
				return fmt.Errorf("%s: %v is not a usable value", name, v)
			}
		}
	}
	switch s.Output.Activation {
	case "", "none", "sigmoid", "softmax":
	default:
		return fmt.Errorf("output.activation: %q (want one of %s)", s.Output.Activation, strings.Join(Activations, ", "))
	}
	return nil
}

// check holds the output description to an output of width values.
func (o Output) check(width int) error {
	i := o.index(width)
	if i < 0 || i >= width {
		return fmt.Errorf("output.spiral: index %d of an output with %d values per image (say which value is p(spiral) with output: {spiral: N})", i, width)
	}
	if o.Activation == "softmax" && width < 2 {
		return fmt.Errorf("output.activation: softmax over an output of one value (use sigmoid)")
	}
	return nil
}

func (o Output) index(width int) int {
	switch {
	case o.Spiral != nil:
		return *o.Spiral
	case width == 1:
		return 0
	case width == 2:
		return 1
	}
	return -1
}

// Probability turns one image's output values into p(spiral). A value
// outside [0, 1] without an activation is an error: the model ends in
// logits, and the spec should say so.
func (o Output) Probability(v []float32) (float64, error) {
	i := o.index(len(v))
	var p float64
	switch o.Activation {
	case "sigmoid":
		p = 1 / (1 + math.Exp(-float64(v[i])))
	case "softmax":
		top := math.Inf(-1)
		for _, x := range v {
			top = max(top, float64(x))
		}
		var sum float64
		for _, x := range v {
			sum += math.Exp(float64(x) - top)
		}
		p = math.Exp(float64(v[i])-top) / sum
	default:
		p = float64(v[i])
		if !(p >= 0 && p <= 1) {
			return 0, fmt.Errorf("output value %d is %g, not a probability: a model that ends in logits needs output: {activation: sigmoid} or {activation: softmax}", i, p)
		}
	}
	return p, nil
}

// Fill writes the network input for one RGB image (side x side x 3 bytes,
// row by row) into dst as 3 planes, red, green, blue (NCHW).
func (s *Spec) Fill(dst []float32, pix []uint8, side int) error {
	plane := side * side
	if len(pix) != 3*plane || len(dst) != 3*plane {
		return fmt.Errorf("an image of %d bytes for a %dx%d input", len(pix), side, side)
	}
	scale := s.Scale
	if scale == 0 {
		scale = 1.0 / 255
	}
	for c := range 3 {
		mean, std := 0.0, 1.0
		if len(s.Mean) == 3 {
			mean = s.Mean[c]
		}
		if len(s.Std) == 3 {
			std = s.Std[c]
		}
		a, b := float32(scale/std), float32(-mean/std)
		out := dst[c*plane : (c+1)*plane]
		for i := range out {
			out[i] = float32(pix[3*i+c])*a + b
		}
	}
	return nil
}

// SpecPath is where a model's spec lives: NAME.yaml beside NAME.onnx.
func SpecPath(model string) string {
	return strings.TrimSuffix(model, filepath.Ext(model)) + ".yaml"
}

// MaxSpecBytes is the largest spec file read.
const MaxSpecBytes = 64 << 10

// ReadSpec reads a spec file; every error names the file and, where the
// YAML says, the line.
func ReadSpec(path string) (Spec, error) {
	data, err := input.ReadFile(path, MaxSpecBytes)
	if err != nil {
		return Spec{}, err
	}
	s, err := ParseSpec(data)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSpec reads a spec from YAML: the keys of Spec, unknown keys an
// error.
func ParseSpec(data []byte) (Spec, error) {
	var s Spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file, all defaults
		return s, fmt.Errorf("model spec: %w", err)
	}
	if err := s.check(); err != nil {
		return s, fmt.Errorf("model spec: %w", err)
	}
	return s, nil
}

// SpecFor returns the spec beside a model (SpecPath), or the default spec
// when there is none.
func SpecFor(model string) (Spec, error) {
	p := SpecPath(model)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return Spec{}, nil
	}
	return ReadSpec(p)
}
