package cnn

import (
	"context"
	"fmt"
	"testing"

	"github.com/skybias/skybias/sky"
)

// randomSet makes n random images of a side, half of each class.
func randomSet(n, side int) *sky.ImageSet {
	set := &sky.ImageSet{Size: side, Pix: make([]uint8, n*side*side*3), Labels: make([]sky.Class, n)}
	r := sky.NewRand(1, "bench")
	for i := range set.Pix {
		set.Pix[i] = uint8(r.IntN(256))
	}
	for i := range set.Labels {
		set.Labels[i] = sky.Class(i % 2)
	}
	return set
}

// BenchmarkTrain measures training images per second of the paper's
// network at batch 32 (go test ./cnn -run NONE -bench Train).
func BenchmarkTrain(b *testing.B) {
	for _, side := range []int{48, 120} {
		for _, conv := range []string{ConvDirect, ConvWinograd} {
			b.Run(fmt.Sprintf("%d/%s", side, conv), func(b *testing.B) {
				set := randomSet(64, side)
				m, err := New(Config{Arch: "lenet5x", Input: side, Conv: conv}, 1)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := m.Train(context.Background(), set, TrainOptions{Epochs: 1, Batch: 32}); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := m.Train(context.Background(), set, TrainOptions{Epochs: 1, Batch: 32}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "img/s")
			})
		}
	}
}

// BenchmarkConvLayer times one convolution layer's forward and backward
// pass over a batch of 32, on the direct and the Winograd path, for the
// layers of the paper's network at 120 and 48 pixels (the full and quick
// profiles): the measurements behind winogradWins.
func BenchmarkConvLayer(b *testing.B) {
	layers := []struct{ c, o, side int }{
		{3, 32, 120}, {32, 32, 60}, {32, 64, 30}, {64, 64, 15}, {64, 128, 7},
		{3, 32, 48}, {32, 32, 24}, {32, 64, 12}, {64, 64, 6}, {64, 128, 3},
	}
	for _, ly := range layers {
		for _, wino := range []bool{false, true} {
			name := fmt.Sprintf("%dx%d-%d-%d/direct", ly.side, ly.side, ly.c, ly.o)
			if wino {
				name = name[:len(name)-len("direct")] + "winograd"
			}
			b.Run(name, func(b *testing.B) {
				const n = 32
				l := newConvLayer[float32]("c", n, ly.c, ly.o, ly.side, ly.side, ly.c == 3, wino, forTraining)
				x := make([]float32, n*ly.c*ly.side*ly.side)
				g := make([]float32, n*ly.o*ly.side*ly.side)
				wt, bias := make([]float32, ly.o*ly.c*9), make([]float32, ly.o)
				r := sky.NewRand(1, "conv")
				for _, s := range [][]float32{x, g, wt, bias} {
					for i := range s {
						s[i] = float32(r.NormFloat64())
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					l.forward(x, wt, bias)
					l.backward(x, wt, g)
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "img/s")
				if wino {
					// Whether a network built with Conv "winograd" takes
					// this path for this layer.
					chosen := 0.0
					if winogradWins(ly.c, ly.o, ly.side, ly.side) {
						chosen = 1
					}
					b.ReportMetric(chosen, "chosen")
				}
			})
		}
	}
}

// BenchmarkPredict measures inference images per second of the paper's
// network at batch 32 (go test ./cnn -run NONE -bench Predict), the
// measure bench/run compares with PyTorch's.
func BenchmarkPredict(b *testing.B) {
	for _, side := range []int{48, 120} {
		b.Run(fmt.Sprint(side), func(b *testing.B) {
			set := randomSet(128, side)
			m, err := New(Config{Arch: "lenet5x", Input: side}, 1)
			if err != nil {
				b.Fatal(err)
			}
			m.SetNormalisation(set)
			if _, err := m.Predict(context.Background(), set, 32); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Predict(context.Background(), set, 32); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(128*b.N)/b.Elapsed().Seconds(), "img/s")
		})
	}
}
