// Command onnxbench measures how fast package onnxnet runs an ONNX model
// (exported by bench/onnx_torch.py) on random images, for bench/onnx-infer
// to compare with PyTorch running the same network in the same run. It
// prints one JSON line: infer_img_per_s, peak_rss_mb.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/skybias/skybias/onnxnet"
)

func main() {
	batch := flag.Int("batch", 32, "images per timed group (as PyTorch's batch)")
	steps := flag.Int("steps", 12, "groups timed")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: onnxbench [-batch N] [-steps N] MODEL.onnx")
		os.Exit(2)
	}
	m, err := onnxnet.Load(flag.Arg(0), onnxnet.Spec{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "onnxbench:", err)
		os.Exit(1)
	}
	side := m.Spec.Input
	n := *batch * *steps
	imgs := make([][]uint8, n)
	seed := uint32(1)
	for i := range imgs {
		imgs[i] = make([]uint8, side*side*3)
		for k := range imgs[i] {
			seed = seed*1664525 + 1013904223
			imgs[i][k] = uint8(seed >> 24)
		}
	}
	ctx := context.Background()
	if _, err := m.PSpiral(ctx, imgs[:*batch]); err != nil { // warm-up, as PyTorch's
		fmt.Fprintln(os.Stderr, "onnxbench:", err)
		os.Exit(1)
	}
	t := time.Now()
	for s := range *steps {
		if _, err := m.PSpiral(ctx, imgs[s**batch:(s+1)**batch]); err != nil {
			fmt.Fprintln(os.Stderr, "onnxbench:", err)
			os.Exit(1)
		}
	}
	rate := float64(n) / time.Since(t).Seconds()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	json.NewEncoder(os.Stdout).Encode(map[string]float64{
		"infer_img_per_s": float64(int(rate*10)) / 10,
		"peak_rss_mb":     float64(ru.Maxrss/102) / 10,
	})
}
