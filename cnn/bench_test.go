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
	for _, side := range []int{64, 120} {
		b.Run(fmt.Sprint(side), func(b *testing.B) {
			set := randomSet(64, side)
			m, err := New(Config{Arch: "lenet5x", Input: side}, 1)
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
