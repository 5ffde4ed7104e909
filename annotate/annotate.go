package annotate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/internal/filelock"
	"github.com/skybias/skybias/sky"
)

// Version changes whenever a catalog's bytes for the same networks and
// galaxies would change; it is part of Meta, so a partial catalog of
// older code is never continued.
const Version = "skybias-catalog-2"

// DefaultBatch is the number of galaxies written at a time.
const DefaultBatch = 256

// MaxBatch bounds the batch, so that memory stays bounded.
const MaxBatch = 4096

// predictBatch is how many images each network predicts at once. Every
// member keeps a compiled graph sized for it while the catalog is written,
// so it is small: 16 images hold a third of what 64 do, at a few per cent
// of the speed.
const predictBatch = 16

// Meta describes a catalog: what made it and what it holds. It is
// written beside the catalog as OUT.meta.json (OUT.partial.meta.json
// while it is written); a partial catalog is
// continued only when its Meta is the same.
type Meta struct {
	Version string `json:"version"`
	// Networks are the SHA-256 of each network's checkpoint, in member
	// order; Result the result (job hash) they come from, if any.
	Networks []string `json:"networks"`
	Result   string   `json:"result,omitempty"`
	// Source and SourceDigest name the source the galaxies come from.
	Source       string `json:"source"`
	SourceDigest string `json:"source_digest"`
	// Regions are the regions annotated (empty: the whole source).
	Regions []string `json:"regions,omitempty"`
	// Galaxies is how many rows the catalog has (all shards), and IDs the
	// SHA-256 of their IDs in order.
	Galaxies int    `json:"galaxies"`
	IDs      string `json:"ids"`
	// Excluded counts galaxies left out because the networks were trained
	// on them; Subset and Seed say when a seeded subset of the rest was
	// drawn.
	Excluded int `json:"excluded,omitempty"`
	// Balanced counts galaxies of the other class left out with them,
	// field by field, so the class mix is as it was (see Select).
	Balanced int    `json:"balanced,omitempty"`
	Subset   int    `json:"subset,omitempty"`
	Seed     uint64 `json:"seed,omitempty"`
	// Batch is the number of galaxies predicted together.
	Batch int `json:"batch"`
	// Shard and Shards are set for one shard's file (Shard counts from
	// 1); a merged catalog has neither.
	Shard  int `json:"shard,omitempty"`
	Shards int `json:"shards,omitempty"`
	// Design is the direction (RA, Dec in degrees) the training design
	// points to, when the networks were trained with the classes drawn
	// from different parts of the sky: from the mean position of the
	// elliptical training galaxies to that of the spiral ones. The
	// anisotropy test compares its dipole with it.
	Design *[2]float64 `json:"design,omitempty"`
}

// IDsDigest is the SHA-256 of galaxies' IDs in order, for Meta.IDs.
func IDsDigest(gals []sky.Galaxy) string {
	h := sha256.New()
	for _, g := range gals {
		io.WriteString(h, g.ID)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Predictor is a trained network as annotation uses it: the side of the
// square colour images it takes, and its p(spiral) for n images that
// load fills (RGB bytes, row-major, channels last), batch at a time.
// *cnn.Model is one.
type Predictor interface {
	InputSide() int
	PredictFunc(ctx context.Context, n, batch int, load func(i int, dst []uint8) error) ([]float64, error)
}

// Options say what to annotate and where.
type Options struct {
	// Models are the networks: one, or an ensemble's members in order,
	// all of the same input size.
	Models []Predictor
	Source sky.Source
	// Galaxies are the catalog's rows, in order.
	Galaxies []sky.Galaxy
	// Out is the catalog file. It is written as Out.partial and renamed
	// when complete; Meta goes to Out.meta.json.
	Out  string
	Meta Meta
	// Batch is the number of galaxies predicted and written at a time
	// (DefaultBatch when 0); resuming needs the same batch.
	Batch int
	// Shard (1..Shards) writes only that shard's batches; 0 writes all.
	Shard, Shards int
	// Progress is told the galaxies done of the total (this shard's),
	// with a status saying the rate and the time left.
	Progress func(done, total int, status string)
}

// Summary says what Run did.
type Summary struct {
	// Rows is the number of galaxies in the file written; Resumed how many
	// of them were already there from an earlier, stopped run.
	Rows, Resumed int
	// Skipped counts galaxies whose image could not be read (sources that
	// skip bad images); their p_spiral and label are empty.
	Skipped int
	// Complete is true when the file was already complete: nothing ran.
	Complete bool
}

// ShardRange is the galaxies [lo, hi) of shard k (1..n) of a list of
// total galaxies cut at multiples of batch: shards differ by at most one
// batch, and their batches are exactly those of an unsharded run.
func ShardRange(total, batch, k, n int) (lo, hi int) {
	batches := (total + batch - 1) / batch
	b0, b1 := (k-1)*batches/n, k*batches/n
	return min(b0*batch, total), min(b1*batch, total)
}

// Header is the catalog's header for an ensemble of members networks:
// id, position, true class, mean p(spiral) and label, each member's
// p(spiral) where there are several, and the image statistics
// (sky.ImageStatNames) of the cutout the networks saw.
func Header(members int) []string {
	h := []string{"id", "ra", "dec", "class", "p_spiral", "label"}
	if members > 1 {
		for k := 1; k <= members; k++ {
			h = append(h, "p_spiral_"+strconv.Itoa(k))
		}
	}
	return append(h, sky.ImageStatNames...)
}

func (o *Options) check() error {
	if len(o.Models) == 0 {
		return errors.New("annotate: no network")
	}
	in := o.Models[0].InputSide()
	for k, m := range o.Models {
		if m.InputSide() != in {
			return fmt.Errorf("annotate: network %d takes %dx%d images, network 1 %dx%d", k+1, m.InputSide(), m.InputSide(), in, in)
		}
	}
	if o.Batch == 0 {
		o.Batch = DefaultBatch
	}
	if o.Batch < 1 || o.Batch > MaxBatch {
		return fmt.Errorf("annotate: batch %d is outside 1..%d", o.Batch, MaxBatch)
	}
	if o.Shards < 0 || o.Shard < 0 || (o.Shards > 0 && (o.Shard < 1 || o.Shard > o.Shards)) || (o.Shards == 0 && o.Shard != 0) {
		return fmt.Errorf("annotate: shard %d of %d: want 1..%d", o.Shard, o.Shards, o.Shards)
	}
	if len(o.Galaxies) == 0 {
		return errors.New("annotate: no galaxies to annotate")
	}
	if o.Out == "" {
		return errors.New("annotate: no output file")
	}
	for _, g := range o.Galaxies {
		if strings.ContainsAny(g.ID, "\r\n") {
			return fmt.Errorf("annotate: galaxy ID %q has a line break; a catalog row is one line", g.ID)
		}
	}
	return nil
}

// Run writes the catalog, continuing a partial one of the same Meta.
func Run(ctx context.Context, o Options) (*Summary, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	meta := o.Meta
	meta.Version, meta.Batch, meta.Galaxies = Version, o.Batch, len(o.Galaxies)
	meta.IDs = IDsDigest(o.Galaxies)
	meta.Shard, meta.Shards = o.Shard, o.Shards
	lo, hi := 0, len(o.Galaxies)
	if o.Shards > 0 {
		lo, hi = ShardRange(len(o.Galaxies), o.Batch, o.Shard, o.Shards)
	}
	metaBytes, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, err
	}
	metaBytes = append(metaBytes, '\n')
	// One writer per catalog: a second run into the same --out would
	// interleave its rows with this one's.
	lock, err := filelock.TryLock(o.Out + ".lock")
	if errors.Is(err, filelock.ErrLocked) {
		return nil, fmt.Errorf("annotate: another annotate (process %d) is writing %s; wait for it, or choose another --out", filelock.Holder(o.Out+".lock"), o.Out)
	}
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	defer func() {
		os.Remove(o.Out + ".lock")
		lock.Unlock()
	}()
	// The partial catalog has its own meta, so that a complete catalog
	// and its meta are never split by a run that has not finished.
	metaPath, partial := o.Out+".meta.json", o.Out+".partial"
	partialMeta := partial + ".meta.json"
	head := Header(len(o.Models))
	// A complete catalog of the same Meta is left as it is.
	if old, err := os.ReadFile(metaPath); err == nil && bytes.Equal(old, metaBytes) {
		if st, err := os.Stat(o.Out); err == nil && st.Mode().IsRegular() {
			if n, err := countRows(o.Out, head); err == nil && n == hi-lo {
				return &Summary{Rows: n, Complete: true}, nil
			}
		}
	}
	done := 0
	if old, err := os.ReadFile(partialMeta); err == nil && bytes.Equal(old, metaBytes) {
		if done, err = resumable(partial, head, o.Batch); err != nil {
			return nil, err
		}
		// The rows kept must be the galaxies that belong there, in order:
		// the meta's id digest covers the list, not an edited file.
		if err := checkIDs(partial, o.Galaxies[lo:lo+done]); err != nil {
			return nil, err
		}
	} else {
		os.Remove(partial)
		if err := atomicfile.WriteFile(partialMeta, metaBytes); err != nil {
			return nil, fmt.Errorf("annotate: %w", err)
		}
	}
	sum := &Summary{Resumed: done}
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	defer f.Close()
	if done == 0 {
		if err := f.Truncate(0); err != nil {
			return nil, fmt.Errorf("annotate: %s: %w", partial, err)
		}
		if err := writeRecords(f, [][]string{head}); err != nil {
			return nil, fmt.Errorf("annotate: %s: %w", partial, err)
		}
	}
	in := o.Models[0].InputSide()
	per := 3 * in * in
	raw := make([][]uint8, o.Batch)
	for i := range raw {
		raw[i] = make([]uint8, per)
	}
	ok := make([]bool, o.Batch)
	stats := make([][]float64, o.Batch)
	each := make([][]float64, len(o.Models))
	start, lastStatus := time.Now(), ""
	total := hi - lo
	for b := lo + done; b < hi; b += o.Batch {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("annotate: stopped after %d of %d galaxies (%s keeps them; run again to continue): %w", b-lo, total, partial, err)
		}
		gals := o.Galaxies[b:min(b+o.Batch, hi)]
		if err := loadBatch(ctx, o.Source, gals, in, raw, stats, ok); err != nil {
			return nil, err
		}
		for k, m := range o.Models {
			p, err := m.PredictFunc(ctx, len(gals), predictBatch, func(i int, dst []uint8) error {
				copy(dst, raw[i])
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("annotate: network %d: %w", k+1, err)
			}
			each[k] = p
		}
		recs := make([][]string, len(gals))
		for i, g := range gals {
			recs[i] = row(g, ok[i], each, i, stats[i])
			if !ok[i] {
				sum.Skipped++
			}
		}
		if err := writeRecords(f, recs); err != nil {
			return nil, fmt.Errorf("annotate: %s: %w", partial, err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("annotate: %s: %w", partial, err)
		}
		if o.Progress != nil {
			n := b + len(gals) - lo
			rate := float64(n-done) / time.Since(start).Seconds()
			left := time.Duration(float64(total-n)/max(rate, 1e-9)) * time.Second
			lastStatus = fmt.Sprintf("%.0f galaxies/s, %s left", rate, left.Round(time.Second))
			o.Progress(n, total, lastStatus)
		}
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("annotate: %s: %w", partial, err)
	}
	// The old meta goes first: a crash between the renames leaves a
	// catalog without a meta (read as incomplete, and written again), never
	// a catalog with another's meta.
	if err := os.Remove(metaPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	if err := os.Rename(partial, o.Out); err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	if err := os.Rename(partialMeta, metaPath); err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	sum.Rows = total
	return sum, nil
}

// loadBatch reads the images of a batch, side by side, and their
// statistics; a source that skips bad images marks unreadable ones not
// ok, any other error fails naming the image.
func loadBatch(ctx context.Context, src sky.Source, gals []sky.Galaxy, size int, raw [][]uint8, stats [][]float64, ok []bool) error {
	errs, err := sky.EachImage(ctx, src, gals, size, func(i int, img *sky.Image) {
		copy(raw[i], img.Pix)
		stats[i] = img.ImageStats()
	}, nil)
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	for i, err := range errs {
		ok[i] = err == nil
		if err != nil {
			if !src.SkipBad() || !errors.Is(err, sky.ErrBadImage) {
				return fmt.Errorf("annotate: galaxy %s (%s): %w", gals[i].ID, imageName(gals[i]), err)
			}
			clear(raw[i])
		}
	}
	return nil
}

func imageName(g sky.Galaxy) string {
	if g.Image != "" {
		return g.Image
	}
	return "rendered"
}

// row is galaxy i's record: p_spiral is the members' mean, summed in
// member order; stats are the image's statistics.
func row(g sky.Galaxy, ok bool, each [][]float64, i int, stats []float64) []string {
	class := ""
	if g.Class == sky.Elliptical || g.Class == sky.Spiral {
		class = g.Class.String()
	}
	rec := []string{g.ID, fmtCoord(g.RA), fmtCoord(g.Dec), class, "", ""}
	if !ok {
		for range each {
			if len(each) > 1 {
				rec = append(rec, "")
			}
		}
		for range sky.ImageStatNames {
			rec = append(rec, "")
		}
		return rec
	}
	var mean float64
	for _, p := range each {
		mean += p[i]
	}
	mean /= float64(len(each))
	rec[4] = fmtP(mean)
	rec[5] = sky.Elliptical.String()
	if mean >= 0.5 {
		rec[5] = sky.Spiral.String()
	}
	if len(each) > 1 {
		for _, p := range each {
			rec = append(rec, fmtP(p[i]))
		}
	}
	for _, v := range stats {
		rec = append(rec, fmtP(v))
	}
	return rec
}

func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
func fmtP(v float64) string     { return strconv.FormatFloat(v, 'f', 6, 64) }

func writeRecords(w io.Writer, recs [][]string) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if err := cw.WriteAll(recs); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// checkIDs checks that a partial catalog's rows are gals, in order.
func checkIDs(path string, gals []sky.Galaxy) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && len(gals) == 0 {
			return nil
		}
		return fmt.Errorf("annotate: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil && len(gals) > 0 {
		return fmt.Errorf("annotate: %s: %w", path, err)
	}
	for i, g := range gals {
		rec, err := cr.Read()
		if err != nil {
			return fmt.Errorf("annotate: %s: row %d: %w", path, i+1, err)
		}
		if rec[0] != g.ID {
			return fmt.Errorf("annotate: %s: row %d holds galaxy %.40q where %.40q belongs (the file was edited?); delete it to start over", path, i+1, rec[0], g.ID)
		}
	}
	return nil
}

// resumable checks a partial catalog's header, cuts it back to its last
// complete batch and returns the galaxies it holds (0 when there is
// none, or it is not ours).
func resumable(path string, head []string, batch int) (int, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("annotate: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var offsets []int64 // after the header, then after each row
	var pos int64
	first := true
	for {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 || line[len(line)-1] != '\n' {
			break // end of file, or a row cut short by a kill
		}
		pos += int64(len(line))
		if first {
			want := new(bytes.Buffer)
			if writeRecords(want, [][]string{head}) != nil || !bytes.Equal(line, want.Bytes()) {
				return 0, nil
			}
			first = false
		}
		offsets = append(offsets, pos)
		if err != nil {
			break
		}
	}
	if first {
		return 0, nil
	}
	rows := len(offsets) - 1
	keep := rows / batch * batch
	if err := f.Truncate(offsets[keep]); err != nil {
		return 0, fmt.Errorf("annotate: %s: %w", path, err)
	}
	return keep, nil
}

// countRows counts a catalog's rows after checking its header.
func countRows(path string, head []string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		return 0, err
	}
	if len(h) != len(head) {
		return 0, fmt.Errorf("%s: header has %d columns, want %d", path, len(h), len(head))
	}
	n := 0
	for {
		if _, err := cr.Read(); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return 0, err
		}
		n++
	}
}
