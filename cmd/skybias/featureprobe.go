package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/skybias/skybias/featprobe"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/internal/input"
	"github.com/skybias/skybias/probe"
	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/sky"
)

func init() {
	register(command{name: "featureprobe", summary: "does an imported (ONNX) network's representation encode sky position? a linear probe on its features", run: runFeatureProbe})
}

const featureProbeDesc = `
Freezes an ONNX classifier (exported from PyTorch or elsewhere), reads one
layer's activations for galaxies of two regions of a source, and fits a
ridge-regularised logistic regression region-vs-region on half of them,
stratified by region and class; the other half judges it. If the held-out
accuracy's 95% interval lies above 1/2, the network's representation
encodes where its images came from. Both classes are drawn equally from
both regions, so the probe cannot lean on the class.

The default layer is the input of the last dense layer (Gemm/MatMul): the
representation the classifier decides from. --layer names another (the
tensor names PyTorch gave, as "skybias featureprobe MODEL --layers"
lists); a convolution's maps are reduced to their channel means when they
hold more than 1024 values.

Beside the probe, the network's own classification of the same galaxies
(balanced accuracy, AUC) says whether it learned its task; a network that
gives one answer for every galaxy is reported as such. The model's input
flags are predict's.`

func runFeatureProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("featureprobe", "MODEL.onnx --source FILE --regions A,B", featureProbeDesc, stderr)
	sf := addSpecFlags(fs)
	source := fs.String("source", "", "source definition (a synthetic survey or a real catalog) holding both regions")
	regions := fs.String("regions", "", "the two regions compared, A,B (names the source defines)")
	layer := fs.String("layer", "", "the tensor probed (default: the input of the last dense layer)")
	layers := fs.Bool("layers", false, "list the model's tensors and stop")
	n := fs.Int("n", 200, "galaxies per class and region")
	seed := fs.Uint64("seed", 1, "seeds the draw of galaxies, the split and the bootstrap")
	jsonOut := fs.String("json", "", "also write the result as JSON to this file")
	exclude := fs.String("exclude", "", "a CSV with an id column (e.g. the catalog the network was trained from): those galaxies are left out")
	pos, err := parseN(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if err := checkOutFile("--json", *jsonOut, ".json"); err != nil {
		return err
	}
	m, err := sf.load(fs, pos[0])
	if err != nil {
		return err
	}
	if *layers {
		for _, l := range m.Layers() {
			fmt.Fprintf(stdout, "%-50s %-22s %v\n", l.Name, l.Op, l.Shape)
		}
		return nil
	}
	names := strings.Split(*regions, ",")
	if *source == "" || len(names) != 2 || names[0] == names[1] {
		return usageError(fs, "give --source and two different regions, --regions A,B")
	}
	if *n < 4 || *n > 100000 {
		return usageError(fs, "--n %d: want 4 to 100000 galaxies per class and region", *n)
	}
	if *layer == "" {
		if *layer = m.DefaultFeatures(); *layer == "" {
			return fmt.Errorf("%s has no dense layer to take features from; name one with --layer (see --layers)", pos[0])
		}
	}
	shape := m.LayerShape(*layer)
	if shape == nil {
		return fmt.Errorf("%s computes no tensor %q from the image (see --layers)", pos[0], *layer)
	}
	width, pooled := m.LayerWidth(*layer), false
	if width > featprobe.MaxFeatures {
		if len(shape) != 4 || shape[1] > featprobe.MaxFeatures {
			return fmt.Errorf("layer %q holds %d values per image, more than the %d a probe fits, and is not a convolution's maps", *layer, width, featprobe.MaxFeatures)
		}
		pooled = true
	}
	src, err := sky.OpenSource(*source)
	if err != nil {
		return err
	}
	gals := src.Galaxies()
	skip, err := readIDs(*exclude)
	if err != nil {
		return err
	}
	var pick []int
	var region, class []int
	for g, name := range names {
		r, ok := src.Regions()[name]
		if !ok {
			return fmt.Errorf("%s defines no region %q", *source, name)
		}
		for _, c := range sky.Classes {
			all, err := sky.Select(gals, []*sky.Region{r}, c)
			if err != nil {
				return err
			}
			idx := all[:0]
			for _, i := range all {
				if !skip[gals[i].ID] {
					idx = append(idx, i)
				}
			}
			if len(idx) < *n {
				return fmt.Errorf("region %s holds %d %ss (%d left out by --exclude); --n asks for %d", name, len(idx), c, len(all)-len(idx), *n)
			}
			rng := seeds.Rand(*seed, "featureprobe", name, c.String())
			rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
			for _, i := range idx[:*n] {
				pick, region, class = append(pick, i), append(region, g), append(class, int(c))
			}
		}
	}
	// One pass gives the layer's features and the network's own answers.
	side := m.Spec.Input
	vals, err := m.Run(ctx, len(pick), m.FillFunc(func(i int, dst []uint8) error {
		img, err := src.Image(&gals[pick[i]], side)
		if err != nil {
			return err
		}
		copy(dst, img.Resample(side).Pix)
		return nil
	}), *layer, "")
	if err != nil {
		return err
	}
	feats := vals[0]
	x := make([][]float64, len(pick))
	for i := range x {
		row := feats[i*width : (i+1)*width]
		if pooled {
			x[i] = featprobe.ChannelMeans(row, shape[1])
			continue
		}
		x[i] = make([]float64, width)
		for j, v := range row {
			x[i][j] = float64(v)
		}
	}
	res, err := featprobe.Run(x, region, class, featprobe.Options{Seed: *seed})
	if err != nil {
		return err
	}
	// The network's own task on the same galaxies.
	ps, err := m.Probabilities(vals[1])
	if err != nil {
		return err
	}
	isSpiral := make([]int, len(class))
	for i, c := range class {
		if sky.Class(c) == sky.Spiral {
			isSpiral[i] = 1
		}
	}
	task, err := probe.Assess(isSpiral, ps, *seed)
	if err != nil {
		return err
	}
	learned := probe.Judge(ps, math.NaN())
	out := featureProbeResult{Model: pos[0], Digest: m.Digest, Source: *source, Regions: names, PerCell: *n,
		Layer: *layer, LayerShape: shape, ChannelMeans: pooled, Probe: res, Task: task, TaskLearning: learned}
	writeFeatureProbe(stdout, out)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(out, "", "  ")
		return atomicfile.WriteFile(*jsonOut, append(b, '\n'))
	}
	return nil
}

// featureProbeResult is what featureprobe prints and writes as JSON.
type featureProbeResult struct {
	Model        string           `json:"model"`
	Digest       string           `json:"model_sha256"`
	Source       string           `json:"source"`
	Regions      []string         `json:"regions"`
	PerCell      int              `json:"galaxies_per_class_and_region"`
	Layer        string           `json:"layer"`
	LayerShape   []int            `json:"layer_shape"`
	ChannelMeans bool             `json:"channel_means"`
	Probe        featprobe.Result `json:"probe"`
	Task         probe.Outcome    `json:"network_task"`
	TaskLearning probe.Learning   `json:"network_learning"`
}

func writeFeatureProbe(w io.Writer, r featureProbeResult) {
	fmt.Fprintf(w, "featureprobe %s on %s: regions %s vs %s, %d galaxies per class and region\n",
		r.Model, r.Source, r.Regions[0], r.Regions[1], r.PerCell)
	t := r.Task
	fmt.Fprintf(w, "network: classifies these galaxies at balanced accuracy %.3f [%.3f, %.3f], AUC %.3f [%.3f, %.3f]",
		t.Accuracy, t.Lo, t.Hi, t.AUC, t.AUCLo, t.AUCHi)
	if r.TaskLearning.Learned {
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "; it did not learn: %s\n", r.TaskLearning.Why)
	}
	what := fmt.Sprintf("%d features", r.Probe.Width)
	if r.ChannelMeans {
		what = fmt.Sprintf("%d channel means of %v", r.Probe.Width, r.LayerShape)
	}
	p := r.Probe
	fmt.Fprintf(w, "layer %q (%s): probe fitted on %d galaxies, judged on %d held out\n", r.Layer, what, p.Train, p.HeldOut)
	o := p.Outcome
	fmt.Fprintf(w, "  held-out accuracy %.3f [%.3f, %.3f] (test sampling), binomial P %.2g, AUC %.3f [%.3f, %.3f]; probe training accuracy %.3f\n",
		o.Accuracy, o.Lo, o.Hi, o.P, o.AUC, o.AUCLo, o.AUCHi, p.TrainAccuracy)
	switch {
	case !p.Learning.Learned:
		fmt.Fprintf(w, "  verdict: the probe did not learn (%s): no measurement\n", p.Learning.Why)
	case p.Detected:
		fmt.Fprintf(w, "  verdict: the features encode the region (held-out accuracy's interval above 1/2)\n")
	default:
		fmt.Fprintf(w, "  verdict: region not detected at this size (interval includes 1/2)\n")
	}
}

// MaxExcludeBytes bounds the --exclude file.
const maxExcludeBytes = 256 << 20

// readIDs reads the id column of a CSV file ("" reads nothing).
func readIDs(path string) (map[string]bool, error) {
	ids := map[string]bool{}
	if path == "" {
		return ids, nil
	}
	f, _, err := input.Open(path, maxExcludeBytes)
	if err != nil {
		return nil, fmt.Errorf("--exclude: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("--exclude %s: %w", path, err)
	}
	col := slices.Index(head, "id")
	if col < 0 {
		return nil, fmt.Errorf("--exclude %s: no id column in its header %v", path, head)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return nil, fmt.Errorf("--exclude %s: %w", path, err)
		}
		ids[rec[col]] = true
	}
}
