package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/sky"
)

// Store is a folder of results, one subfolder per job hash:
//
//	HASH/result.json        confusion matrices, training history
//	HASH/job.json           the job as run (canonical JSON)
//	HASH/manifest.json      provenance: YAML, code version, host, timings
//	HASH/predictions/T.csv  id, ra, dec, class, p_spiral per test set T
//	HASH/model.ckpt         the trained network (an ensemble's first)
//	HASH/model-K.ckpt       an ensemble's network K (2, 3, ...)
//	catalogs/KEY/catalog.csv an annotation's catalog (CatalogPath)
//	EXECUTOR/               an executor's own files: a cluster's job
//	                        lists, scripts and logs (ExecutorDir)
//
// Only this package spells these names.
type Store struct {
	Dir string

	mu       sync.Mutex
	verified map[string]bool // results Verify found intact, checked once per Store
}

// Path is the folder of a job's result.
func (s *Store) Path(hash string) string { return filepath.Join(s.Dir, hash) }

// CheckpointPath is the file of member k's network (0 for the first) in
// a job's result folder.
func (s *Store) CheckpointPath(hash string, k int) string {
	return filepath.Join(s.Path(hash), CheckpointName(k))
}

// catalogsDir is the store's folder of annotation catalogs.
const catalogsDir = "catalogs"

// CatalogPath is where the store keeps the catalog of a key (a hex
// digest naming what was annotated, with what; see package annotator).
func (s *Store) CatalogPath(key string) string {
	return filepath.Join(s.Dir, catalogsDir, key[:min(16, len(key))], "catalog.csv")
}

// ExecutorDir is the folder an executor keeps its own files in (job
// lists, batch scripts, logs, a staged executable), named for it.
func (s *Store) ExecutorDir(name string) string { return filepath.Join(s.Dir, name) }

// Has reports whether a job's result is stored (complete: folders appear
// only by an atomic rename once everything is written).
func (s *Store) Has(hash string) bool {
	_, err := os.Stat(filepath.Join(s.Path(hash), "result.json"))
	return err == nil
}

// Files is a result folder's content before it is written: file
// contents by path relative to the folder.
type Files map[string][]byte

// Write puts a result folder in place atomically: everything is written
// to a hidden temporary folder, synced, then renamed to HASH. If another
// process stored the same hash first, its folder is kept.
func (s *Store) Write(hash string, content Files) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	tmp, err := os.MkdirTemp(s.Dir, ".tmp-"+hash[:12]+"-")
	if err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op after a successful rename
	content[SumsFile] = checksums(content)
	for name, data := range content {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("result store: %w", err)
		}
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("result store: %w", err)
		}
		_, werr := f.Write(data)
		serr := f.Sync()
		cerr := f.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			return fmt.Errorf("result store: %s: %w", name, err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	if err := os.Rename(tmp, s.Path(hash)); err != nil {
		if s.Has(hash) {
			return nil
		}
		return fmt.Errorf("result store: %w", err)
	}
	return nil
}

// Encode lays out a result's files: the result, the job, the manifest,
// the predictions of every test set and the saved networks (models, in
// member order; none to keep no network).
func Encode(r *Result, job *dsl.Job, manifest *Manifest, models [][]byte) (Files, error) {
	out := Files{}
	withSums := *r
	withSums.Checksummed = true // Store.Write adds SHA256SUMS
	res, err := json.MarshalIndent(&withSums, "", "  ")
	if err != nil {
		return nil, err
	}
	out["result.json"] = append(res, '\n')
	var jb bytes.Buffer
	if err := json.Indent(&jb, job.JSON(), "", "  "); err != nil {
		return nil, err
	}
	out["job.json"] = append(jb.Bytes(), '\n')
	man, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, err
	}
	out["manifest.json"] = append(man, '\n')
	for _, t := range r.Tests {
		recs := make([][]string, len(t.Predictions))
		for i, p := range t.Predictions {
			recs[i] = withMembers([]string{p.ID, fmtFloat(p.RA), fmtFloat(p.Dec), p.Class.String(), strconv.FormatFloat(p.PSpiral, 'g', -1, 64)}, p.Members)
		}
		b, err := encodeTable(append(predictionColumns[:len(predictionColumns):len(predictionColumns)], memberColumns("p_spiral", t.Networks())...), recs)
		if err != nil {
			return nil, err
		}
		out[filepath.Join("predictions", safeName(t.Name)+".csv")] = b
	}
	if pr := r.Probe; pr != nil {
		k := 0
		if len(pr.Predictions) > 0 {
			k = len(pr.Predictions[0].Members)
		}
		recs := make([][]string, len(pr.Predictions))
		for i, p := range pr.Predictions {
			recs[i] = withMembers([]string{p.ID, fmtFloat(p.RA), fmtFloat(p.Dec), p.Class.String(), pr.Regions[p.Region],
				strconv.FormatFloat(p.P, 'g', -1, 64), strconv.FormatFloat(p.Simple, 'g', -1, 64)}, p.Members)
		}
		b, err := encodeTable(append(probeColumns[:len(probeColumns):len(probeColumns)], memberColumns("p_region1", k)...), recs)
		if err != nil {
			return nil, err
		}
		out["probe.csv"] = b
	}
	for k, m := range models {
		out[CheckpointName(k)] = m
	}
	return out, nil
}

// CheckpointName is the file of member k's network (0 for the first) in
// a result folder: model.ckpt, then model-2.ckpt, model-3.ckpt, ... The
// one place the name is spelled.
func CheckpointName(k int) string {
	if k == 0 {
		return "model.ckpt"
	}
	return fmt.Sprintf("model-%d.ckpt", k+1)
}

func fmtFloat(v float64) string {
	if v != v { // NaN: no position
		return ""
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// safeName keeps a test set's name usable as a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
}

// Load reads a stored result with its predictions, after checking it
// against its checksums (Verify).
func (s *Store) Load(hash string) (*Result, error) {
	dir := s.Path(hash)
	if err := s.Verify(hash); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		return nil, fmt.Errorf("result %s: %w", hash[:min(12, len(hash))], err)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("result %s: %w", filepath.Join(dir, "result.json"), err)
	}
	for i := range r.Tests {
		p := filepath.Join(dir, "predictions", safeName(r.Tests[i].Name)+".csv")
		if r.Tests[i].Predictions, err = readPredictions(p); err != nil {
			return nil, err
		}
	}
	if r.Probe != nil {
		if r.Probe.Predictions, err = readProbe(filepath.Join(dir, "probe.csv"), r.Probe.Regions); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// The fixed columns of the prediction files.
var (
	predictionColumns = []string{"id", "ra", "dec", "class", "p_spiral"}
	probeColumns      = []string{"id", "ra", "dec", "class", "region", "p_region1", "p_simple"}
)

func readProbe(path string, regions []string) ([]ProbePrediction, error) {
	var out []ProbePrediction
	err := readTable(path, "probe predictions", probeColumns, "p_region1", func(rec []string, members []float64) error {
		p := ProbePrediction{ID: rec[0], RA: parseOrNaN(rec[1]), Dec: parseOrNaN(rec[2]), Region: -1, Members: members}
		var err error
		if p.Class, err = sky.ParseClass(rec[3]); err != nil {
			return err
		}
		for k, name := range regions {
			if rec[4] == name {
				p.Region = k
			}
		}
		if p.Region < 0 {
			return fmt.Errorf("region %q is not one of %v", rec[4], regions)
		}
		if p.P, err = strconv.ParseFloat(rec[5], 64); err != nil {
			return fmt.Errorf("p_region1: %w", err)
		}
		if p.Simple, err = strconv.ParseFloat(rec[6], 64); err != nil {
			return fmt.Errorf("p_simple: %w", err)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readPredictions(path string) ([]Prediction, error) {
	var out []Prediction
	err := readTable(path, "predictions", predictionColumns, "p_spiral", func(rec []string, members []float64) error {
		p := Prediction{ID: rec[0], RA: parseOrNaN(rec[1]), Dec: parseOrNaN(rec[2]), Members: members}
		var err error
		if p.Class, err = sky.ParseClass(rec[3]); err != nil {
			return err
		}
		if p.PSpiral, err = strconv.ParseFloat(rec[4], 64); err != nil {
			return fmt.Errorf("p_spiral: %w", err)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func parseOrNaN(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}
