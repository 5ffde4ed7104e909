package cnn

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
	"github.com/skybias/skybias/sky"
)

// synthSet renders n galaxies of each class from a field of a survey.
func synthSet(t testing.TB, survey, field string, offset, n, size int) *sky.ImageSet {
	t.Helper()
	src, err := sky.OpenSource(filepath.Join(testenv.Root(t), "experiments", "surveys", survey))
	if err != nil {
		t.Fatal(err)
	}
	var gals []sky.Galaxy
	for _, g := range src.Galaxies() {
		if g.Region != field {
			continue
		}
		var idx int
		if _, err := fmtSscan(g.ID, &idx); err == nil && idx >= offset && idx < offset+n {
			gals = append(gals, g)
		}
	}
	set, err := sky.LoadImages(context.Background(), src, gals, size, false)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestTrainLearnsSynthetic(t *testing.T) {
	set := synthSet(t, "ps1-like.yaml", "f1", 0, 150, 32)
	m, err := New(Config{Arch: "lenet5x-small", Input: 32, Pools: 3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.SetNormalisation(set)
	h, err := m.Train(context.Background(), set, TrainOptions{Epochs: 12, Batch: 16, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	first, last := h.Epochs[0], h.Epochs[len(h.Epochs)-1]
	for _, e := range h.Epochs {
		t.Logf("epoch %d: loss %.4f acc %.3f (%.1fs)", e.Epoch, e.Loss, e.Acc, e.Seconds)
	}
	if last.Loss >= first.Loss*0.5 {
		t.Errorf("loss fell only from %.4f to %.4f", first.Loss, last.Loss)
	}
	p, err := m.Predict(context.Background(), set, 64)
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i, q := range p {
		if (q > 0.5) == (set.Labels[i] == sky.Spiral) {
			correct++
		}
	}
	if acc := float64(correct) / float64(len(p)); acc <= 0.95 {
		t.Errorf("training accuracy %.3f, want > 0.95", acc)
	}
}

// Training is bit-identical whatever GOMAXPROCS is: predictions, and the
// whole checkpoint (every parameter, the normalisation and Adam's moments)
// byte for byte, at 1, 3 and 8 threads and twice at 3, on the direct path
// and on a network whose second and third convolutions take the Winograd
// path.
// smallNets are a direct and a Winograd network small enough to train in
// a test, with the image side each takes.
var smallNets = []struct {
	name string
	cfg  Config
	side int
}{
	{"direct", Config{Arch: "lenet5x-small", Input: 16, Widths: []int{8, 8, 8}, Pools: 2, Dense: 8, Conv: ConvDirect}, 16},
	{"winograd", Config{Arch: "lenet5x-small", Input: 32, Widths: []int{16, 16, 16}, Pools: 1, Dense: 8, Conv: ConvWinograd}, 32},
}

// trainSmall trains a small network two epochs on set with fixed seeds,
// augmentation and a validation split, so that every part of a training
// step runs.
func trainSmall(t *testing.T, cfg Config, set *sky.ImageSet) *Model {
	t.Helper()
	m, err := New(cfg, 9)
	if err != nil {
		t.Fatal(err)
	}
	m.SetNormalisation(set)
	if _, err := m.Train(context.Background(), set, TrainOptions{Epochs: 2, Batch: 5, Seed: 4, Augment: true, Validation: 0.2}); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainDeterministic(t *testing.T) {
	for _, tc := range smallNets {
		t.Run(tc.name, func(t *testing.T) {
			set := synthSet(t, "sdss-like.yaml", "A", 0, 24, tc.side)
			run := func(procs int) ([]float64, []byte) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				m := trainSmall(t, tc.cfg, set)
				p, err := m.Predict(context.Background(), set, 7)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), "m.ckpt")
				if err := m.Save(path); err != nil {
					t.Fatal(err)
				}
				ckpt, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return p, ckpt
			}
			p1, c1 := run(1)
			if !bytes.Contains(c1, []byte(`"has_adam":true`)) {
				t.Fatal("the checkpoint holds no Adam state, so the comparison would not cover it")
			}
			for _, procs := range []int{3, 8, 3} {
				p, c := run(procs)
				for i := range p1 {
					if p[i] != p1[i] {
						t.Fatalf("prediction %d: %v at GOMAXPROCS 1, %v at %d", i, p1[i], p[i], procs)
					}
				}
				if !bytes.Equal(c, c1) {
					t.Fatalf("the checkpoint (weights, normalisation, Adam state) at GOMAXPROCS %d differs from GOMAXPROCS 1's", procs)
				}
			}
		})
	}
}

// updatePaths rewrites testdata/checkpoint-paths.txt.
var updatePaths = flag.Bool("update-paths", false, "rewrite testdata/checkpoint-paths.txt from this build")

// TestCheckpointSameOnEveryPath: a short training of a direct and a
// Winograd network gives the checkpoint, and the predictions on its
// images, whose SHA-256s are recorded in testdata/checkpoint-paths.txt
// (the predictions' were recorded before inference fused each
// convolution with its pool), whichever kernels run: the AVX2 ones or
// the Go ones (CI runs this test with and without -tags purego), so a
// store filled on mixed machines stays one store. The record was made
// with the AVX2 kernels; regenerate it with -update-paths only when
// training is meant to change.
func TestCheckpointSameOnEveryPath(t *testing.T) {
	golden := filepath.Join("testdata", "checkpoint-paths.txt")
	var got strings.Builder
	for _, tc := range smallNets {
		set := synthSet(t, "sdss-like.yaml", "A", 0, 24, tc.side)
		m := trainSmall(t, tc.cfg, set)
		ckpt, err := m.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "%s %x\n", tc.name, sha256.Sum256(ckpt))
		// And its predictions, bit for bit, through the inference graph
		// (which fuses each convolution with its pool).
		p, err := m.Predict(context.Background(), set, 7)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, v := range p {
			binary.Write(h, binary.LittleEndian, math.Float64bits(v))
		}
		fmt.Fprintf(&got, "%s predictions %x\n", tc.name, h.Sum(nil))
	}
	if *updatePaths {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("checkpoints on this path (AVX2 kernels: %v):\n%swant (%s):\n%s", hasAsm, got.String(), golden, want)
	}
}
