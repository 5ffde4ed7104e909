package annotate

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skybias/skybias/fitstable"
	"github.com/skybias/skybias/internal/filelock"
	"github.com/skybias/skybias/internal/testenv"

	"github.com/skybias/skybias/cnn"
	"github.com/skybias/skybias/sky"
)

// tinySky is a 2-field survey of small cutouts, rendered on demand.
func tinySky(t testing.TB) sky.Source {
	t.Helper()
	spec := sky.SurveySpec{Name: "tiny", Seed: 5, Size: 24, PerClass: 160, Fields: map[string]sky.FieldSpec{
		"a": {RA: [2]float64{0, 40}, Dec: [2]float64{-10, 10}, Sky: sky.Conditions{Background: 0.03, Noise: 0.01, Seeing: 0.6, Stars: 0.2, JPEG: 85, Stretch: 0.06}},
		"b": {RA: [2]float64{180, 220}, Dec: [2]float64{20, 40}, Sky: sky.Conditions{Background: 0.04, Noise: 0.012, Seeing: 0.7, Stars: 0.3, JPEG: 80, Stretch: 0.06}},
	}}
	s, err := sky.NewSurvey("tiny.yaml", spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tinyNets are k untrained networks with their own seeded weights: what
// they answer does not matter here, only that it is deterministic.
func tinyNets(t testing.TB, k int) []Predictor {
	t.Helper()
	var ms []Predictor
	for i := range k {
		m, err := cnn.New(cnn.Config{Arch: "lenet5x-small", Input: 24, Widths: []int{4, 4, 8}, Pools: 2, Dense: 8}, uint64(10+i))
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

func options(t testing.TB, out string, members int) Options {
	src := tinySky(t)
	sel, err := Select(src, nil, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Models: tinyNets(t, members), Source: src, Galaxies: sel.Galaxies, Out: out, Batch: 48,
		Meta: Meta{Source: src.Name(), SourceDigest: src.Digest(), Networks: []string{"n1"}}}
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCatalog: header and rows, ensemble columns, and a second run leaves
// a complete catalog alone.
func TestCatalog(t *testing.T) {
	for _, members := range []int{1, 3} {
		out := filepath.Join(t.TempDir(), "cat.csv")
		o := options(t, out, members)
		sum, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		data := read(t, out)
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if sum.Rows != 640 || len(lines) != 641 {
			t.Fatalf("%d members: %d rows, %d lines; want 640", members, sum.Rows, len(lines))
		}
		if want := strings.Join(Header(members), ","); lines[0] != want {
			t.Errorf("header %q; want %q", lines[0], want)
		}
		f := strings.Split(lines[1], ",")
		if len(f) != len(Header(members)) || (f[3] != "elliptical" && f[3] != "spiral") || (f[5] != "elliptical" && f[5] != "spiral") {
			t.Errorf("row %q", lines[1])
		}
		if _, err := os.Stat(out + ".partial"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the partial file is left behind: %v", err)
		}
		again, err := Run(context.Background(), o)
		if err != nil || !again.Complete {
			t.Errorf("second run: %+v, %v; want it to find the catalog complete", again, err)
		}
	}
}

// TestResumeAfterStop: a run stopped after two batches (as Ctrl-C stops
// it) and run again gives the bytes of an unbroken run, and so does one
// whose partial file ends in half a row.
func TestResumeAfterStop(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	if _, err := Run(context.Background(), options(t, whole, 2)); err != nil {
		t.Fatal(err)
	}
	want := read(t, whole)

	out := filepath.Join(dir, "stopped.csv")
	o := options(t, out, 2)
	ctx, cancel := context.WithCancel(context.Background())
	o.Progress = func(done, total int, _ string) {
		if done >= 96 {
			cancel()
		}
	}
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run again to continue") {
		t.Fatalf("stopped run: %v", err)
	}
	// Half a row, as a kill in the middle of a write leaves.
	f, _ := os.OpenFile(out+".partial", os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("tiny-x,1.0,2")
	f.Close()
	o = options(t, out, 2)
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resumed != 96 {
		t.Errorf("resumed from %d galaxies; want 96 (two batches)", sum.Resumed)
	}
	if !bytes.Equal(read(t, out), want) {
		t.Error("the resumed catalog differs from an unbroken run's")
	}
	if !bytes.Equal(read(t, out+".meta.json"), read(t, whole+".meta.json")) {
		t.Error("the resumed catalog's meta differs")
	}
	// A partial file of other networks is not continued.
	o = options(t, out, 2)
	o.Meta.Networks = []string{"other"}
	os.WriteFile(out+".partial", want[:len(want)/2], 0o644)
	if sum, err := Run(context.Background(), o); err != nil || sum.Resumed != 0 {
		t.Errorf("another network's partial file: %+v, %v; want a fresh start", sum, err)
	}
}

// TestShardsMerge: shards written one by one and merged are the bytes of
// one run, for several shard counts; a missing shard is named.
func TestShardsMerge(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	if _, err := Run(context.Background(), options(t, whole, 1)); err != nil {
		t.Fatal(err)
	}
	want := read(t, whole)
	for _, n := range []int{1, 3, 4, 20} {
		out := filepath.Join(dir, fmt.Sprintf("cat-%d.csv", n))
		for k := 1; k <= n; k++ {
			o := options(t, ShardPath(out, k, n), 1)
			o.Shard, o.Shards = k, n
			if _, err := Run(context.Background(), o); err != nil {
				t.Fatalf("%d shards, shard %d: %v", n, k, err)
			}
		}
		if err := Merge(out, n); err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		if !bytes.Equal(read(t, out), want) || !bytes.Equal(read(t, out+".meta.json"), read(t, whole+".meta.json")) {
			t.Errorf("%d shards merged differ from one run", n)
		}
		if _, err := os.Stat(ShardPath(out, 1, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%d shards: shard files left behind", n)
		}
	}
	out := filepath.Join(dir, "missing.csv")
	o := options(t, ShardPath(out, 1, 2), 1)
	o.Shard, o.Shards = 1, 2
	Run(context.Background(), o)
	if err := Merge(out, 2); err == nil || !strings.Contains(err.Error(), "shard 2 of 2") {
		t.Errorf("merge with a shard missing: %v", err)
	}
}

func TestShardRange(t *testing.T) {
	for _, c := range []struct{ total, batch, n int }{{640, 48, 3}, {10, 48, 4}, {1000, 7, 9}, {96, 48, 2}} {
		next := 0
		for k := 1; k <= c.n; k++ {
			lo, hi := ShardRange(c.total, c.batch, k, c.n)
			if lo != next || hi < lo || (hi != c.total && hi%c.batch != 0) {
				t.Errorf("%+v shard %d: [%d, %d)", c, k, lo, hi)
			}
			next = hi
		}
		if next != c.total {
			t.Errorf("%+v: shards end at %d", c, next)
		}
	}
}

func TestBadOptions(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.csv")
	cases := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no network", func(o *Options) { o.Models = nil }, "no network"},
		{"batch", func(o *Options) { o.Batch = 100000 }, "batch 100000"},
		{"shard", func(o *Options) { o.Shard, o.Shards = 5, 4 }, "shard 5 of 4"},
		{"no galaxies", func(o *Options) { o.Galaxies = nil }, "no galaxies"},
		{"sizes", func(o *Options) {
			m, _ := cnn.New(cnn.Config{Arch: "lenet5x-small", Input: 32, Widths: []int{4, 4, 8}, Pools: 2, Dense: 8}, 1)
			o.Models = append(o.Models, m)
		}, "network 2 takes 32x32"},
	}
	for _, c := range cases {
		o := options(t, out, 1)
		c.edit(&o)
		if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused run wrote the catalog")
	}
	src := tinySky(t)
	if _, err := Select(src, nil, nil, 5000, 1); err == nil || !strings.Contains(err.Error(), "holds 640") {
		t.Errorf("too many galaxies asked for: %v", err)
	}
	ex := map[string]bool{src.Galaxies()[0].ID: true}
	sel, err := Select(src, []*sky.Region{src.Regions()["a"]}, ex, 100, 3)
	// One elliptical trained on is left out, and one spiral of its field
	// with it, so the field's classes stay balanced.
	if err != nil || len(sel.Galaxies) != 100 || sel.Excluded != 1 || sel.Balanced != 1 || sel.Available != 318 {
		t.Fatalf("select: %d galaxies, excluded %d, balanced %d, available %d, %v; want 100, 1, 1, 318", len(sel.Galaxies), sel.Excluded, sel.Balanced, sel.Available, err)
	}
	for i := 1; i < len(sel.Galaxies); i++ {
		if sel.Galaxies[i].Index <= sel.Galaxies[i-1].Index || sel.Galaxies[i].Region != "a" {
			t.Fatal("a subset is not in the source's order, or leaves its region")
		}
	}
}

// TestKillAndResume kills a catalog run with SIGKILL part way (a real
// process, as a lost node or an out-of-memory kill ends it) and runs it
// again: the catalog has the bytes of an unbroken run.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	if _, err := Run(context.Background(), options(t, whole, 1)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "killed.csv")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAnnotate$")
	cmd.Env = append(os.Environ(), "SKYBIAS_ANNOTATE_HELPER="+out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(out + ".partial")
		if bytes.Count(b, []byte{'\n'}) > 150 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the helper wrote no rows in a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(out); err == nil {
		t.Skip("the helper finished before it was killed")
	}
	sum, err := Run(context.Background(), options(t, out, 1))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resumed == 0 {
		t.Error("nothing was resumed")
	}
	if !bytes.Equal(read(t, out), read(t, whole)) {
		t.Error("the catalog after kill -9 and a rerun differs from an unbroken run's")
	}
}

// TestHelperAnnotate is the process TestKillAndResume kills: it writes
// the catalog slowly.
func TestHelperAnnotate(t *testing.T) {
	out := os.Getenv("SKYBIAS_ANNOTATE_HELPER")
	if out == "" {
		t.Skip("run by TestKillAndResume")
	}
	o := options(t, out, 1)
	o.Progress = func(int, int, string) { time.Sleep(20 * time.Millisecond) }
	Run(context.Background(), o)
}

// fitsCatalog writes a two-network catalog and its FITS file.
func fitsCatalog(t *testing.T) (csvPath, fitsPath string) {
	dir := t.TempDir()
	csvPath = filepath.Join(dir, "cat.csv")
	if _, err := Run(context.Background(), options(t, csvPath, 2)); err != nil {
		t.Fatal(err)
	}
	fitsPath = filepath.Join(dir, "cat.fits")
	if err := WriteFITS(csvPath, fitsPath); err != nil {
		t.Fatal(err)
	}
	return csvPath, fitsPath
}

// csvCells is a catalog CSV's header and rows.
func csvCells(t *testing.T, path string) ([]string, [][]string) {
	recs, err := csv.NewReader(bytes.NewReader(read(t, path))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], recs[1:]
}

// sameCell compares a CSV cell with the same cell read from FITS: text
// exactly, numbers as float64 (an empty CSV cell is NaN).
func sameCell(csvCell, fitsCell string) bool {
	if csvCell == fitsCell {
		return true
	}
	a, errA := strconv.ParseFloat(csvCell, 64)
	b, errB := strconv.ParseFloat(fitsCell, 64)
	if csvCell == "" {
		return errB == nil && math.IsNaN(b) || fitsCell == "nan" || fitsCell == ""
	}
	return errA == nil && errB == nil && a == b
}

// TestFITS: a catalog written as FITS reads back, through fitstable, with
// the same columns under the same names, every value equal to the CSV's,
// and the catalog's provenance in the header.
func TestFITS(t *testing.T) {
	csvPath, fitsPath := fitsCatalog(t)
	f, err := os.Open(fitsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := fitstable.Read(f, fitsPath, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	head, rows := csvCells(t, csvPath)
	if tb.Name != "CATALOG" || tb.Rows != len(rows) || len(tb.Columns) != len(head) {
		t.Fatalf("table %s: %d rows, %d columns; want CATALOG, %d and %d", tb.Name, tb.Rows, len(tb.Columns), len(rows), len(head))
	}
	for i, h := range head {
		if tb.Columns[i].Name != h {
			t.Errorf("column %d is %q, the CSV's %q", i+1, tb.Columns[i].Name, h)
		}
	}
	for r, rec := range rows {
		for i, v := range rec {
			if got := tb.Text(r, i); !sameCell(v, got) {
				t.Fatalf("row %d, %s: FITS %q, CSV %q", r+1, head[i], got, v)
			}
		}
	}
	c, err := Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Keys["ORIGIN"] != "skybias" || tb.Keys["NNET"] != strconv.Itoa(len(c.Meta.Networks)) || tb.Keys["GALAXIES"] != strconv.Itoa(len(rows)) ||
		tb.Keys["SOURCE"] != c.Meta.Source {
		t.Errorf("provenance keywords: %v (meta %+v)", tb.Keys, c.Meta)
	}
}

// TestFITSReadByAstropyAndCFITSIO: the catalog's FITS file is read by the
// tools astronomers use, Debian's astropy and CFITSIO (python3-fitsio),
// with lower-case column names and every value equal to the CSV's.
func TestFITSReadByAstropyAndCFITSIO(t *testing.T) {
	py := testenv.Python(t, "astropy", "fitsio")
	csvPath, fitsPath := fitsCatalog(t)
	head, rows := csvCells(t, csvPath)
	script := `
import sys, json, math
from astropy.table import Table
import fitsio
def cell(v):
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, str):
        return v.rstrip()
    v = float(v)
    return "nan" if math.isnan(v) else repr(v)
t = Table.read(sys.argv[1], hdu="CATALOG")
d = fitsio.read(sys.argv[1], ext="CATALOG")
print(json.dumps({
  "astropy": {"names": t.colnames, "rows": [[cell(r[c]) for c in t.colnames] for r in t],
              "unit": str(t["ra"].unit)},
  "cfitsio": {"names": list(d.dtype.names), "rows": [[cell(r[c]) for c in d.dtype.names] for r in d]},
}))
`
	out, err := exec.Command(py, "-c", script, fitsPath).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var got map[string]struct {
		Names []string   `json:"names"`
		Rows  [][]string `json:"rows"`
		Unit  string     `json:"unit"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python's output: %v\n%.500s", err, out)
	}
	for _, tool := range []string{"astropy", "cfitsio"} {
		g := got[tool]
		if strings.Join(g.Names, ",") != strings.Join(head, ",") {
			t.Errorf("%s reads columns %v, the CSV has %v", tool, g.Names, head)
		}
		if len(g.Rows) != len(rows) {
			t.Fatalf("%s reads %d rows, the CSV has %d", tool, len(g.Rows), len(rows))
		}
		for r := range rows {
			for i := range rows[r] {
				if !sameCell(rows[r][i], g.Rows[r][i]) {
					t.Fatalf("%s: row %d, %s: %q, CSV %q", tool, r+1, head[i], g.Rows[r][i], rows[r][i])
				}
			}
		}
	}
	if got["astropy"].Unit != "deg" {
		t.Errorf("astropy reads ra's unit as %q, want deg", got["astropy"].Unit)
	}
}

// TestStoppedRunKeepsCatalog: a run of other networks stopped part way
// leaves the complete catalog it would replace, and that catalog's meta,
// as they were.
func TestStoppedRunKeepsCatalog(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cat.csv")
	if _, err := Run(context.Background(), options(t, out, 1)); err != nil {
		t.Fatal(err)
	}
	csvBefore, metaBefore := read(t, out), read(t, out+".meta.json")
	o := options(t, out, 1)
	o.Meta.Networks = []string{"other"}
	ctx, cancel := context.WithCancel(context.Background())
	o.Progress = func(done, _ int, _ string) {
		if done >= 48 {
			cancel()
		}
	}
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: %v", err)
	}
	if !bytes.Equal(read(t, out), csvBefore) || !bytes.Equal(read(t, out+".meta.json"), metaBefore) {
		t.Error("a stopped run changed the complete catalog or its meta")
	}
	c, err := Open(out)
	if err != nil || c.Meta.Networks[0] != "n1" {
		t.Errorf("Open: %+v, %v; want the first catalog's meta", c, err)
	}
}

// TestOneWriterAndHonestResume: a second annotate into the same --out is
// refused while the first holds it, and a partial catalog whose rows were
// edited (a row deleted) is refused on resume, naming the row, instead of
// yielding a catalog that lacks one galaxy and holds another twice
// (issue 34).
func TestOneWriterAndHonestResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cat.csv")
	held, err := filelock.TryLock(out + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), options(t, out, 1)); err == nil || !strings.Contains(err.Error(), "another annotate") {
		t.Errorf("a second writer: %v", err)
	}
	held.Unlock()
	if _, err := Run(context.Background(), options(t, out, 1)); err != nil {
		t.Fatal(err)
	}
	// Make the complete catalog a partial one again, one row short.
	b := read(t, out)
	lines := strings.SplitAfter(string(b), "\n")
	edited := strings.Join(append(lines[:5:5], lines[6:]...), "")
	os.WriteFile(out+".partial", []byte(edited), 0o644)
	os.Rename(out+".meta.json", out+".partial.meta.json")
	os.Remove(out)
	_, err = Run(context.Background(), options(t, out, 1))
	if err == nil || !strings.Contains(err.Error(), "row 5 holds galaxy") {
		t.Errorf("an edited partial catalog: %v, want a refusal naming row 5", err)
	}
}
