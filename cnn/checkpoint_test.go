package cnn

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckpointRoundTrip(t *testing.T) {
	set := randomSet(20, 16)
	cfg := Config{Arch: "lenet5x-small", Input: 16, Widths: []int{4, 4, 4}, Pools: 2, Dense: 6}
	train := func(m *Model, epochs int) {
		if _, err := m.Train(context.Background(), set, TrainOptions{Epochs: epochs, Batch: 8, Seed: 2}); err != nil {
			t.Fatal(err)
		}
	}
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.SetNormalisation(set)
	train(m, 1)
	path := filepath.Join(t.TempDir(), "m.ckpt")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(context.Background(), set, 8)
	p2, _ := loaded.Predict(context.Background(), set, 8)
	for i := range p1 {
		if p1[i] != p2[i] {
			t.Fatalf("prediction %d: %v before saving, %v after loading", i, p1[i], p2[i])
		}
	}
	// Resuming: one more epoch from the checkpoint equals one more epoch
	// of the original. (Epoch numbering restarts, so use a fresh seed path:
	// the same options give the same shuffles.)
	train(m, 1)
	train(loaded, 1)
	for i := range m.Params {
		for j := range m.Params[i].Data {
			if m.Params[i].Data[j] != loaded.Params[i].Data[j] {
				t.Fatalf("%s[%d] differs after resumed training", m.Params[i].Name, j)
			}
		}
	}
}

func TestCheckpointErrors(t *testing.T) {
	m, _ := New(Config{Arch: "lenet5x-small", Input: 16, Widths: []int{2}, Pools: 1, Dense: 2}, 1)
	var good bytes.Buffer
	path := filepath.Join(t.TempDir(), "m.ckpt")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	good.Write(data)
	cases := []struct{ name, data, want string }{
		{"not a checkpoint", "hello\n", "bad magic"},
		{"truncated", string(data[:len(data)-3]), "the header describes"},
		{"trailing", string(data) + "x", "the header describes"},
		{"bad arch", strings.Replace(string(data), `"arch":"lenet5x-small"`, `"arch":"resnet"`, 1), `unknown architecture "resnet"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readCheckpoint(bufio.NewReader(strings.NewReader(tc.data)), int64(len(tc.data)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.ckpt")); err == nil || !strings.Contains(err.Error(), "none.ckpt") {
		t.Fatalf("missing file: %v", err)
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	m, _ := New(Config{Arch: "lenet5x-small", Input: 8, Widths: []int{1}, Pools: 1, Dense: 1}, 1)
	path := filepath.Join(f.TempDir(), "m.ckpt")
	if err := m.Save(path); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	f.Add(data)
	f.Add([]byte(checkpointMagic + "{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		m, err := readCheckpoint(bufio.NewReader(bytes.NewReader(data)), int64(len(data)))
		if err != nil {
			return
		}
		if m.NumParams() == 0 {
			t.Fatal("accepted a checkpoint without parameters")
		}
		// Round trip: what was accepted saves, and the saved file loads
		// and saves again to the same bytes.
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.ckpt"), filepath.Join(dir, "b.ckpt")
		if err := m.Save(a); err != nil {
			t.Fatalf("an accepted checkpoint does not save: %v", err)
		}
		m2, err := Load(a)
		if err != nil {
			t.Fatalf("a saved checkpoint does not load: %v", err)
		}
		if err := m2.Save(b); err != nil {
			t.Fatal(err)
		}
		ab, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if !bytes.Equal(ab, bb) {
			t.Fatal("load and save changed a checkpoint")
		}
	})
}

// A released model predicts the same, bit for bit, and saves the same
// checkpoint: Release drops only compiled graphs.
func TestReleaseKeepsTheModel(t *testing.T) {
	cfg := Config{Arch: "lenet5x-small", Input: 16, Widths: []int{4, 4, 4}, Pools: 2, Dense: 6}
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	set := randomSet(8, 16)
	if _, err := m.Train(context.Background(), set, TrainOptions{Epochs: 1, Batch: 4, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	before, err := m.Predict(context.Background(), set, 4)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(filepath.Join(dir, "a.ckpt")); err != nil {
		t.Fatal(err)
	}
	m.Release()
	after, err := m.Predict(context.Background(), set, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("image %d: %g before Release, %g after", i, before[i], after[i])
		}
	}
	if err := m.Save(filepath.Join(dir, "b.ckpt")); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a.ckpt"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.ckpt"))
	if !bytes.Equal(a, b) {
		t.Error("the checkpoint changed after Release")
	}
}

// TestCheckpointConv: a checkpoint names its convolution algorithm, and
// one written before Config.Conv existed (no "conv" in its header) was
// trained with the direct algorithm, so it loads as direct, not as
// today's default.
func TestCheckpointConv(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, conv, want string
		legacy           bool
	}{
		{"default", "", ConvWinograd, false},
		{"direct", ConvDirect, ConvDirect, false},
		{"winograd", ConvWinograd, ConvWinograd, false},
		{"written before conv existed", "", ConvDirect, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(Config{Arch: "lenet5x-small", Input: 16, Widths: []int{2}, Pools: 1, Dense: 2, Conv: tc.conv}, 1)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name+".ckpt")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			if tc.legacy {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				// The header as the older code wrote it: no "conv" key.
				old := bytes.Replace(b, []byte(`,"conv":"winograd"`), nil, 1)
				if len(old) == len(b) {
					t.Fatalf("header has no \"conv\":\"winograd\" to remove: %.200s", b)
				}
				if err := os.WriteFile(path, old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			loaded, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Config.Conv != tc.want {
				t.Errorf("loaded conv %q, want %q", loaded.Config.Conv, tc.want)
			}
		})
	}
}
