// Command trainbench measures skybias's training and inference speed and
// peak memory on the paper's network, for bench/run to compare with
// PyTorch's same network in the same run. It prints one JSON line.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/skybias/skybias/cnn"
	"github.com/skybias/skybias/sky"
)

func main() {
	input := flag.Int("input", 120, "input side in pixels")
	batch := flag.Int("batch", 32, "batch size")
	steps := flag.Int("steps", 12, "training batches to time (after one warm-up epoch of 2 batches)")
	conv := flag.String("conv", "", "convolution algorithm: winograd (the default: on the layers where it is faster) or direct")
	only := flag.String("only", "", "time only train or infer (bench/crosscheck times processes from outside)")
	epochs := flag.Int("epochs", 1, "passes over the images in each timed part")
	flag.Parse()
	if *only != "" && *only != "train" && *only != "infer" {
		fail(fmt.Errorf("-only %q: want train or infer", *only))
	}
	if *epochs < 1 || *epochs > 1000 {
		fail(fmt.Errorf("-epochs %d: want 1 to 1000", *epochs))
	}
	n := *batch * *steps
	set := &sky.ImageSet{Size: *input, Pix: make([]uint8, n**input**input*3), Labels: make([]sky.Class, n)}
	r := sky.NewRand(1, "bench")
	for i := range set.Pix {
		set.Pix[i] = uint8(r.IntN(256))
	}
	for i := range set.Labels {
		set.Labels[i] = sky.Class(i % 2)
	}
	m, err := cnn.New(cnn.Config{Arch: "lenet5x", Input: *input, Conv: *conv}, 1)
	if err != nil {
		fail(err)
	}
	m.SetNormalisation(set)
	ctx := context.Background()
	warm := &sky.ImageSet{Size: set.Size, Pix: set.Pix[:2**batch**input**input*3], Labels: set.Labels[:2**batch]}
	if _, err := m.Train(ctx, warm, cnn.TrainOptions{Epochs: 1, Batch: *batch}); err != nil {
		fail(err)
	}
	var train, infer float64
	if *only != "infer" {
		t0 := time.Now()
		if _, err := m.Train(ctx, set, cnn.TrainOptions{Epochs: *epochs, Batch: *batch}); err != nil {
			fail(err)
		}
		train = float64(n**epochs) / time.Since(t0).Seconds()
	}
	if *only != "train" {
		if _, err := m.Predict(ctx, warm, *batch); err != nil {
			fail(err)
		}
		t1 := time.Now()
		for e := 0; e < *epochs; e++ {
			if _, err := m.Predict(ctx, set, *batch); err != nil {
				fail(err)
			}
		}
		infer = float64(n**epochs) / time.Since(t1).Seconds()
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"train_img_per_s": train, "infer_img_per_s": infer, "peak_rss_mb": peakRSS(),
		"threads": runtime.GOMAXPROCS(0), "input": *input, "batch": *batch, "conv": m.Config.Conv,
	})
}

// peakRSS reads the process's peak resident set (VmHWM) in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "trainbench:", err)
	os.Exit(1)
}
