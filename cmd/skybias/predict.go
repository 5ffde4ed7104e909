package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/skybias/skybias/cnn"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/onnxnet"
	"github.com/skybias/skybias/sky"
)

func init() {
	register(command{name: "predict", summary: "p(spiral) per image from an ONNX model or a skybias checkpoint, as CSV", run: runPredict})
}

const predictDesc = `
Runs a classifier on images and prints file,p_spiral as CSV: the quickest
way to check that a network exported from PyTorch (torch.onnx.export,
opset 13 or later) gives here what it gives there.

MODEL is an ONNX file (.onnx) or a checkpoint skybias trained (a
network's file in a result folder of the store). IMAGE... are JPEG or PNG files; with
--source the galaxies of a source definition are used instead (a real
catalog or a synthetic survey; the first column is then the galaxy's id).

An ONNX model's input comes from NAME.yaml beside NAME.onnx when it
exists, else from the defaults: RGB, each byte scaled to [0, 1], no mean
or std, NCHW, the size the model's input fixes, and a single output value
taken as p(spiral) (two values: the second). The flags override that
file, e.g. for torchvision's normalisation:
  --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225
and --activation sigmoid (or softmax) for a model that ends in logits.
An image of the input size is used as it is; another is centre-cropped
to a square and resampled by area averaging.`

func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("predict", "MODEL [IMAGE...]", predictDesc, stderr)
	sf := addSpecFlags(fs)
	source := fs.String("source", "", "predict the galaxies of this source file instead of image files")
	n := fs.Int("n", 0, "with --source: the first N galaxies only (0: all)")
	out := fs.String("o", "", "write the CSV to this file (default: standard output)")
	pos, err := parseN(fs, args, 1, -1)
	if err != nil {
		return err
	}
	model, images := pos[0], pos[1:]
	if (*source == "") == (len(images) == 0) {
		return usageError(fs, "give image files or --source, not both and not neither")
	}
	if *n < 0 {
		return usageError(fs, "--n %d: want 0 (all) or more", *n)
	}
	if err := checkOutFile("-o", *out, ".csv"); err != nil {
		return err
	}
	p, err := openPredictor(fs, model, sf)
	if err != nil {
		return err
	}
	side := p.side()
	var names []string
	var load func(i int) (*sky.Image, error)
	if *source != "" {
		src, err := sky.OpenSource(*source)
		if err != nil {
			return err
		}
		gals := src.Galaxies()
		if *n > 0 && *n < len(gals) {
			gals = gals[:*n]
		}
		for _, g := range gals {
			names = append(names, g.ID)
		}
		load = func(i int) (*sky.Image, error) { return src.Image(&gals[i], side) }
	} else {
		names = images
		load = func(i int) (*sky.Image, error) {
			img, err := sky.DecodeImageFile(images[i])
			if err != nil {
				return nil, err
			}
			return sky.FromImage(img, side, 1), nil
		}
	}
	ps, err := p.predict(ctx, len(names), load)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"file", "p_spiral"})
	for i, name := range names {
		w.Write([]string{name, strconv.FormatFloat(ps[i], 'f', 6, 64)})
	}
	w.Flush()
	if *out == "" {
		_, err = stdout.Write(b.Bytes())
		return err
	}
	return atomicfile.WriteFile(*out, b.Bytes())
}

// usageError prints the usage and returns an error that says what was wrong.
func usageError(fs *flag.FlagSet, format string, a ...any) error {
	fs.Usage()
	return fmt.Errorf("%s: %s", fs.Name(), fmt.Sprintf(format, a...))
}

// specFlags are the command line's overrides of an ONNX model's spec,
// shared by every command that runs one.
type specFlags struct {
	spec       *string
	input      *int
	scale      *float64
	mean, std  *string
	spiral     *int
	activation *string
}

// specFlagNames are the flags addSpecFlags defines.
var specFlagNames = []string{"spec", "input", "scale", "mean", "std", "spiral", "activation"}

// addSpecFlags defines the flags that describe an ONNX model's input and
// output.
func addSpecFlags(fs *flag.FlagSet) *specFlags {
	return &specFlags{
		spec:       fs.String("spec", "", "the ONNX model's input and output description (default: NAME.yaml beside NAME.onnx, when it exists)"),
		input:      fs.Int("input", 0, "input side in pixels (ONNX; 0: from the spec or the model)"),
		scale:      fs.Float64("scale", 0, "multiplier of each byte before mean and std (ONNX; 0: from the spec, or 1/255)"),
		mean:       fs.String("mean", "", "per-colour means subtracted, r,g,b (ONNX)"),
		std:        fs.String("std", "", "per-colour standard deviations divided by, r,g,b (ONNX)"),
		spiral:     fs.Int("spiral", -1, "index of p(spiral) in the model's output (ONNX; -1: from the spec, or 0 for one value, 1 for two)"),
		activation: fs.String("activation", "", "turns the output into a probability: "+strings.Join(onnxnet.Activations, ", ")+" (ONNX)"),
	}
}

// predictor is a model predict can run: an ONNX file or a checkpoint.
type predictor struct {
	onnx *onnxnet.Model
	ckpt *cnn.Model
}

func (p predictor) side() int {
	if p.onnx != nil {
		return p.onnx.Spec.Input
	}
	return p.ckpt.InputSide()
}

// openPredictor loads MODEL: an ONNX file with its spec and the flags'
// overrides, or a skybias checkpoint (which takes no spec).
func openPredictor(fs *flag.FlagSet, model string, f *specFlags) (predictor, error) {
	if !strings.EqualFold(filepath.Ext(model), ".onnx") {
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		for _, k := range specFlagNames {
			if set[k] {
				return predictor{}, fmt.Errorf("--%s describes an ONNX model's input or output; %s is a skybias checkpoint, which carries its own", k, model)
			}
		}
		m, err := cnn.Load(model)
		if err != nil {
			return predictor{}, fmt.Errorf("%s: not an ONNX file (.onnx) and not a skybias checkpoint: %w", model, err)
		}
		return predictor{ckpt: m}, nil
	}
	m, err := f.load(fs, model)
	return predictor{onnx: m}, err
}

// load reads an ONNX model with its spec and the flags' overrides.
func (f *specFlags) load(fs *flag.FlagSet, model string) (*onnxnet.Model, error) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var spec onnxnet.Spec
	var err error
	if *f.spec != "" {
		spec, err = onnxnet.ReadSpec(*f.spec)
	} else {
		spec, err = onnxnet.SpecFor(model)
	}
	if err != nil {
		return nil, err
	}
	if set["input"] {
		spec.Input = *f.input
	}
	if set["scale"] {
		spec.Scale = *f.scale
	}
	for name, dst := range map[string]*[]float64{"mean": &spec.Mean, "std": &spec.Std} {
		if !set[name] {
			continue
		}
		v, err := parseTriple(map[string]string{"mean": *f.mean, "std": *f.std}[name])
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", name, err)
		}
		*dst = v
	}
	if set["spiral"] {
		spec.Output.Spiral = f.spiral
	}
	if set["activation"] {
		spec.Output.Activation = *f.activation
	}
	return onnxnet.Load(model, spec)
}

// parseTriple reads "r,g,b" as three numbers.
func parseTriple(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%q: want three numbers, red,green,blue", s)
	}
	v := make([]float64, 3)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%q: %q is not a number", s, p)
		}
		v[i] = x
	}
	return v, nil
}

// predict runs the model on n images from load.
func (p predictor) predict(ctx context.Context, n int, load func(i int) (*sky.Image, error)) ([]float64, error) {
	side := p.side()
	fill := func(i int, dst []uint8) error {
		img, err := load(i)
		if err != nil {
			return err
		}
		copy(dst, img.Resample(side).Pix)
		return nil
	}
	if p.ckpt != nil {
		return p.ckpt.PredictFunc(ctx, n, 32, fill)
	}
	return p.onnx.PSpiralFunc(ctx, n, fill)
}
