package cnn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/skybias/skybias/internal/atomicfile"
)

// checkpointMagic starts every checkpoint file.
const checkpointMagic = "skybias-cnn-checkpoint v1\n"

// checkpointHeader is the JSON line after the magic: everything but the
// arrays, which follow as little-endian float32 in the listed order
// (parameters, then Adam's first and second moments when HasAdam).
type checkpointHeader struct {
	Config  Config     `json:"config"`
	Mean    [3]float32 `json:"mean"`
	Std     [3]float32 `json:"std"`
	Params  []ckParam  `json:"params"`
	HasAdam bool       `json:"has_adam"`
	Step    int64      `json:"adam_step"`
}

type ckParam struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// Save writes the model's weights, normalisation and optimiser state to a
// file, atomically: a loaded model predicts exactly what this one does,
// and training resumed from it continues as if never stopped.
func (m *Model) Save(path string) error {
	b, err := m.Checkpoint()
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, b)
}

// Checkpoint is the checkpoint Save writes, as bytes (for a result folder
// that names its own files).
func (m *Model) Checkpoint() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTo writes the checkpoint Save writes to w, and returns the bytes
// written.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: bufio.NewWriter(w)}
	buf := cw
	buf.WriteString(checkpointMagic)
	h := checkpointHeader{Config: m.Config, Mean: m.Mean, Std: m.Std, HasAdam: m.adam != nil}
	for _, p := range m.Params {
		h.Params = append(h.Params, ckParam{p.Name, p.Shape})
	}
	if m.adam != nil {
		h.Step = m.adam.Step
	}
	js, err := json.Marshal(h)
	if err != nil {
		return 0, err
	}
	buf.Write(js)
	buf.WriteString("\n")
	arrays := m.paramData()
	if m.adam != nil {
		arrays = append(append(arrays, m.adam.M...), m.adam.V...)
	}
	var b [4]byte
	for _, a := range arrays {
		for _, v := range a {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			buf.Write(b[:])
		}
	}
	if cw.err == nil {
		cw.err = cw.w.Flush()
	}
	return cw.n, cw.err
}

// countWriter counts what it writes and keeps the first error, so that
// WriteTo checks once.
type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) {
	if c.err != nil {
		return
	}
	k, err := c.w.Write(p)
	c.n += int64(k)
	c.err = err
}

func (c *countWriter) WriteString(s string) { c.Write([]byte(s)) }

// Load reads a checkpoint written by Save. Every error names the file.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	m, err := readCheckpoint(bufio.NewReader(f), st.Size())
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return m, nil
}

// readCheckpoint reads a checkpoint of size bytes (which bounds what the
// header may ask to allocate).
func readCheckpoint(r *bufio.Reader, size int64) (*Model, error) {
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		return nil, errors.New("not a skybias checkpoint (bad magic line)")
	}
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	// A checkpoint written before Config.Conv existed (or while the
	// direct algorithm was the default, written as "") has no "conv":
	// its network was trained, and so must predict, with the direct
	// algorithm.
	h := checkpointHeader{Config: Config{Conv: ConvDirect}}
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	cfg, err := h.Config.Resolve()
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Mean: h.Mean, Std: h.Std, Params: paramShapes(cfg)}
	if len(h.Params) != len(m.Params) {
		return nil, fmt.Errorf("holds %d arrays, architecture %s has %d", len(h.Params), cfg.Arch, len(m.Params))
	}
	for i, p := range h.Params {
		if p.Name != m.Params[i].Name || !slices.Equal(p.Shape, m.Params[i].Shape) {
			return nil, fmt.Errorf("array %d is %s %v, want %s %v", i, p.Name, p.Shape, m.Params[i].Name, m.Params[i].Shape)
		}
	}
	total := int64(0)
	for _, p := range m.Params {
		n := int64(1)
		for _, d := range p.Shape {
			n *= int64(d)
		}
		total += n
	}
	if h.HasAdam {
		total *= 3
	}
	if want := int64(len(checkpointMagic)+len(line)) + 4*total; want != size {
		return nil, fmt.Errorf("the header describes %d bytes, the file holds %d", want, size)
	}
	read := func(n int) ([]float32, error) {
		raw := make([]byte, 4*n)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, fmt.Errorf("truncated arrays: %w", err)
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out, nil
	}
	sizes := make([]int, len(m.Params))
	for i := range m.Params {
		sizes[i] = 1
		for _, d := range m.Params[i].Shape {
			sizes[i] *= d
		}
		if m.Params[i].Data, err = read(sizes[i]); err != nil {
			return nil, err
		}
	}
	if h.HasAdam {
		m.adam = &adamState{Step: h.Step, M: make([][]float32, len(sizes)), V: make([][]float32, len(sizes))}
		for _, dst := range [][][]float32{m.adam.M, m.adam.V} {
			for i, n := range sizes {
				if dst[i], err = read(n); err != nil {
					return nil, err
				}
			}
		}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, errors.New("trailing bytes after the arrays")
	}
	return m, nil
}
