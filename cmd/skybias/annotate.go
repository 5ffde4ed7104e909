package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/skybias/skybias/aniso"
	"github.com/skybias/skybias/annotate"
	"github.com/skybias/skybias/annotator"
	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/executor"
	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/healpix"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/pipeline"
	"github.com/skybias/skybias/plots"
	"github.com/skybias/skybias/progress"
	"github.com/skybias/skybias/report"
	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
	"github.com/skybias/skybias/sky"
)

func init() {
	register(command{name: "annotate", summary: "label every galaxy of a source with a trained network: a catalog", run: runAnnotate, resume: "complete batches of the catalog are kept beside it (.partial); run the same command again to continue from them"})
	register(command{name: "anisotropy", summary: "test a catalog for a dipole in its spiral fraction", run: runAnisotropy, resume: "nothing was written; run the same command again"})
}

const annotateDesc = `
Runs a trained network (a result folder of the store, or its job hash or
a unique prefix of it; an ensemble's members and their mean) over every
galaxy of a source, or of some of its regions, and writes a catalog CSV:
id, ra, dec, class (where the source knows it), p_spiral, label, and for
an ensemble each member's p_spiral. The source is the job's own unless
--source names another; on its own source the job's training galaxies
are left out. Beside the catalog, OUT.meta.json says what made it.

Galaxies are read, predicted and written in batches, so memory stays flat
however large the catalog. Ctrl-C (or a killed process) keeps every
complete batch; running the same command again continues from there and
gives the same bytes as an unbroken run.

With --shards N the catalog is cut into N tasks at batch boundaries, run
by the executor (--executor slurm: one array task each; local: one
process after another), and merged in order: the same bytes as one
unbroken run.`

func runAnnotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("annotate", "RESULT --out CATALOG.csv", annotateDesc, stderr)
	storeDir := fs.String("results", pipeline.DefaultStore, "result store folder (to find RESULT by hash)")
	out := fs.String("out", "", "catalog CSV to write (required)")
	srcFile := fs.String("source", "", "source file to annotate (default: the job's own)")
	regions := fs.String("regions", "", "comma-separated regions to annotate (default: the whole source)")
	n := fs.Int("n", 0, "annotate a seeded subset of this many galaxies (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the subset")
	batch := fs.Int("batch", annotate.DefaultBatch, "galaxies predicted and written at a time (a resumed run needs the same)")
	exName := fs.String("executor", executor.Default, "where --shards run: "+strings.Join(executor.Names(), ", "))
	shards := fs.Int("shards", 0, "tasks to cut the catalog into, each run by the executor (an array task on a cluster)")
	shard := fs.String("shard", "", "K/N: write only shard K of N to CATALOG.shard-K-of-N (what an array task runs)")
	cpus := fs.Int("cpus", 0, "with a cluster executor: CPUs per task (default 2)")
	fitsOut := fs.String("fits", "", "also write the catalog as a FITS binary table (for TOPCAT, astropy)")
	exclude := fs.String("exclude", "", "with an ONNX model: a CSV with an id column (the galaxies it trained on) left out of the catalog")
	sf := addSpecFlags(fs)
	pos, err := parseN(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("annotate: --out is required (the catalog CSV to write)")
	}
	if *batch < 1 || *batch > annotate.MaxBatch {
		return fmt.Errorf("annotate: --batch %d: want 1 to %d galaxies at a time", *batch, annotate.MaxBatch)
	}
	if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
		return fmt.Errorf("annotate: --out %s is a folder; name the catalog file", *out)
	}
	if err := checkOutFile("annotate: --fits", *fitsOut, ".fits"); err != nil {
		return err
	}
	if *fitsOut != "" && *shard != "" {
		return errors.New("annotate: --fits is written from the whole catalog, not from a shard")
	}
	writeFITS := func() error {
		if *fitsOut == "" {
			return nil
		}
		if err := annotate.WriteFITS(*out, *fitsOut); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "FITS: %s\n", *fitsOut)
		return nil
	}
	if strings.EqualFold(filepath.Ext(pos[0]), ".onnx") {
		if *shards != 0 || *shard != "" {
			return errors.New("annotate: --shards runs stored results; annotate with an ONNX model in one process")
		}
		if err := annotateONNX(ctx, fs, sf, pos[0], *srcFile, *regions, *n, *seed, *exclude, *out, *batch, stdout, stderr); err != nil {
			return err
		}
		return writeFITS()
	}
	if *exclude != "" {
		return errors.New("annotate: --exclude is for ONNX models; a stored result leaves out its own training galaxies")
	}
	store, job, err := findResult(pos[0], *storeDir)
	if err != nil {
		return err
	}
	spec, err := annotateSpec(job, *srcFile, *regions, *n, *seed)
	if err != nil {
		return err
	}
	opts := annotator.Options{Out: *out, Batch: *batch, Log: stdout, Progress: progress.New(stderr)}
	defer opts.Progress.Close()
	if *shard != "" {
		k, nn, err := parseShard(*shard)
		if err != nil {
			return err
		}
		opts.Shard, opts.Shards, opts.Out = k, nn, annotate.ShardPath(*out, k, nn)
	}
	if *shards != 0 {
		if *shard != "" {
			return errors.New("annotate: --shard is what each task of --shards runs; give one of them")
		}
		ex, err := executor.New(*exName, executor.Settings{Options: runner.Options{Store: store, Log: stdout}, Cluster: dsl.Cluster{CPUs: *cpus}})
		if err != nil {
			return fmt.Errorf("annotate: %w", err)
		}
		if err := annotateShards(ctx, ex, store, job, args, *out, *shards, stdout); err != nil {
			return err
		}
		return writeFITS()
	}
	if *exName != executor.Default {
		return fmt.Errorf("annotate: --executor %s runs the tasks of --shards; add --shards N (or leave --executor out to annotate here)", *exName)
	}
	c, err := annotator.Job(ctx, store, job, spec, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalog: %s (%d galaxies of %s, %d training galaxies left out)\n", c.Path, c.Meta.Galaxies, c.Meta.Source, c.Meta.Excluded)
	return writeFITS()
}

// annotateONNX labels a source with an imported network.
func annotateONNX(ctx context.Context, fs *flag.FlagSet, sf *specFlags, model, srcFile, regions string, n int, seed uint64,
	exclude, out string, batch int, stdout, stderr io.Writer) error {
	if srcFile == "" {
		return errors.New("annotate: an ONNX model needs --source, the galaxies to label")
	}
	m, err := sf.load(fs, model)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(srcFile)
	if err != nil {
		return err
	}
	src, err := sky.Open(abs)
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	a := &dsl.Annotate{Source: dsl.SourceRef{Name: src.Name(), Path: abs, Digest: src.Digest()}, N: n, Seed: seed}
	if err := addRegions(a, src, regions); err != nil {
		return err
	}
	skip, err := readIDs(exclude)
	if err != nil {
		return err
	}
	opts := annotator.Options{Out: out, Batch: batch, Log: stdout, Progress: progress.New(stderr)}
	defer opts.Progress.Close()
	c, err := annotator.Models(ctx, []annotate.Predictor{m}, []string{m.Digest}, a, skip, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalog: %s (%d galaxies of %s, %d left out by --exclude)\n", c.Path, c.Meta.Galaxies, c.Meta.Source, c.Meta.Excluded)
	return nil
}

// findResult finds a stored result by folder, hash or unique hash
// prefix, and reads its job.
func findResult(arg, storeDir string) (*results.Store, *dsl.Job, error) {
	if st, err := os.Stat(filepath.Join(arg, "job.json")); err == nil && st.Mode().IsRegular() {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, nil, err
		}
		store := &results.Store{Dir: filepath.Dir(abs)}
		job, err := dsl.ReadJob(filepath.Join(abs, "job.json"))
		if err != nil {
			return nil, nil, err
		}
		if job.Hash() != filepath.Base(abs) {
			return nil, nil, fmt.Errorf("annotate: %s holds job %s, not the job its folder is named for; is it a copy?", arg, job.ShortHash())
		}
		return store, job, nil
	}
	if len(arg) < 6 || strings.Trim(strings.ToLower(arg), "0123456789abcdef") != "" {
		return nil, nil, fmt.Errorf("annotate: %s is neither a result folder (with job.json) nor a job hash of at least 6 hex digits", arg)
	}
	entries, err := os.ReadDir(storeDir)
	if err != nil {
		return nil, nil, fmt.Errorf("annotate: result store: %w", err)
	}
	var match []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), strings.ToLower(arg)) {
			match = append(match, e.Name())
		}
	}
	switch len(match) {
	case 0:
		return nil, nil, fmt.Errorf("annotate: no result %s in %s (skybias plan lists job hashes)", arg, storeDir)
	case 1:
	default:
		return nil, nil, fmt.Errorf("annotate: %s matches %d results in %s (%s, ...); give more digits", arg, len(match), storeDir, match[0][:12])
	}
	return findResult(filepath.Join(storeDir, match[0]), storeDir)
}

// annotateSpec is what the flags ask to annotate.
func annotateSpec(job *dsl.Job, srcFile, regions string, n int, seed uint64) (*dsl.Annotate, error) {
	a := &dsl.Annotate{Source: job.Source, N: n, Seed: seed}
	a.Source.Unused = nil
	src, err := sky.OpenWith(job.Source.Path, job.Source.Overrides)
	if srcFile != "" {
		abs, aerr := filepath.Abs(srcFile)
		if aerr != nil {
			return nil, aerr
		}
		src, err = sky.Open(abs)
		if err == nil {
			a.Source = dsl.SourceRef{Name: src.Name(), Path: abs, Digest: src.Digest()}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	if n < 0 {
		return nil, fmt.Errorf("annotate: --n %d: want a number of galaxies, or 0 for all", n)
	}
	known := map[string]*sky.Region{}
	for k, r := range job.Regions {
		known[k] = r
	}
	return a, pickRegions(a, src, known, regions)
}

// addRegions adds the regions --regions names, from the source's own.
func addRegions(a *dsl.Annotate, src sky.Source, regions string) error {
	return pickRegions(a, src, map[string]*sky.Region{}, regions)
}

// pickRegions adds the regions --regions names to a, from known and the
// source's own.
func pickRegions(a *dsl.Annotate, src sky.Source, known map[string]*sky.Region, regions string) error {
	if regions == "" {
		return nil
	}
	for k, r := range src.Regions() {
		known[k] = r
	}
	for _, name := range strings.Split(regions, ",") {
		name = strings.TrimSpace(name)
		r, ok := known[name]
		if !ok {
			var names []string
			for k := range known {
				names = append(names, k)
			}
			return fmt.Errorf("annotate: --regions: %s has no region %q (it has %d: %s)", src.Name(), name, len(names), clip(names, 12))
		}
		a.Regions = append(a.Regions, r)
	}
	return nil
}

func clip(names []string, n int) string {
	sort.Strings(names)
	if len(names) > n {
		return strings.Join(names[:n], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("annotate: --shard %q: want K/N with 1 <= K <= N", s)
	}
	return k, n, nil
}

// annotateShards runs each shard as a task of the executor (the same
// command with --shard K/N), then merges the shards into out.
func annotateShards(ctx context.Context, ex executor.Executor, store *results.Store, job *dsl.Job, args []string, out string, n int, stdout io.Writer) error {
	if n < 1 || n > annotator.MaxShards {
		return fmt.Errorf("annotate: --shards %d: want 1 to %d", n, annotator.MaxShards)
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	// Every task runs this command with the shard added and paths made
	// absolute (the tasks start in another folder).
	base, err := taskArgs(args, store, job)
	if err != nil {
		return err
	}
	c, err := annotator.Shards(ctx, ex, absOut, n, func(k int) []string {
		return append(append([]string{"annotate"}, base...), "--out", absOut, "--shard", fmt.Sprintf("%d/%d", k, n))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalog: %s (%d galaxies of %s from %d shards)\n", out, c.Meta.Galaxies, c.Meta.Source, n)
	return nil
}

// taskArgs rebuilds an array task's arguments: the result as an absolute
// folder, and the flags that choose what to annotate, with a source file
// made absolute.
func taskArgs(args []string, store *results.Store, job *dsl.Job) ([]string, error) {
	fs := flag.NewFlagSet("annotate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	keep := map[string]*string{}
	for _, name := range []string{"source", "regions", "n", "seed", "batch"} {
		keep[name] = fs.String(name, "", "")
	}
	for _, name := range []string{"results", "out", "executor", "shards", "cpus", "fits"} {
		fs.String(name, "", "")
	}
	if _, err := parseFlags(fs, args); err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	resultDir, err := filepath.Abs(store.Path(job.Hash()))
	if err != nil {
		return nil, err
	}
	out := []string{resultDir}
	for _, name := range []string{"source", "regions", "n", "seed", "batch"} {
		v := *keep[name]
		if v == "" {
			continue
		}
		if name == "source" {
			if v, err = filepath.Abs(v); err != nil {
				return nil, err
			}
		}
		out = append(out, "--"+name, v)
	}
	return out, nil
}

const anisotropyDesc = `
Tests a catalog (CSV with a header naming ra, dec and the column, or a
FITS binary table with those columns, as annotate --fits writes it) for a
dipole: a monopole and a dipole fitted by least squares over the
galaxies' positions, every galaxy weighted equally; amplitude and
direction with their errors (galaxy sampling only); P by Monte Carlo,
permuting the column's values among the fixed positions so that an
uneven footprint cannot fake a dipole; and the hemisphere asymmetry
along the fitted axis. --column p_spiral tests the mean p(spiral),
--column label the fraction labelled spiral. --map writes the catalog's
values on an Aitoff map of equal-area cells with the dipole's axis
marked. --json prints one JSON object.`

func runAnisotropy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("anisotropy", "CATALOG.csv|CATALOG.fits", anisotropyDesc, stderr)
	column := fs.String("column", "p_spiral", "p_spiral (mean p) or label (fraction labelled spiral), or any numeric column")
	perms := fs.Int("permutations", 1000, "label permutations of the Monte Carlo test")
	seed := fs.Uint64("seed", 1, "seed of the permutations")
	asJSON := fs.Bool("json", false, "print one JSON object")
	mapPath := fs.String("map", "", "write the sky map to this PNG (an SVG beside it)")
	grid := fs.String("cells", "8x16", "the map's equal-area cells: BANDSxCELLS (bands in sin Dec, cells in RA)")
	lmax := fs.Int("lmax", 0, "also fit multipoles up to this order (1-4; 2 for dipole and quadrupole), each with its permutation P")
	blockNside := fs.Int("block-nside", 0, "with --lmax: permute HEALPix pixels of this NSIDE instead of galaxies (values correlated within a pixel)")
	blockColumn := fs.String("block-column", "", "with --lmax: permute the groups of galaxies that share a value of this catalog column (an SDSS run or stripe) instead of galaxies")
	hpxPath := fs.String("healpix", "", "also write a HEALPix FITS map (counts and mean value per pixel; healpy reads it)")
	nside := fs.Int("nside", 16, "NSIDE of the --healpix map and figure (a power of two)")
	hpxPNG := fs.String("healpix-png", "", "also draw the HEALPix map (mean value per pixel of --nside) on a Mollweide projection to this PNG (an SVG beside it)")
	covNames := fs.String("covariates", "", "with --lmax: systematics fitted jointly with the multipoles, comma-separated: "+strings.Join(findings.Covariates, ", ")+" or any numeric column of the catalog, such as "+strings.Join(sky.ImageStatNames, " or ")+" (the multipoles are shown before and after)")
	scan := fs.Int("scan", 0, "also run Shamir's axis scan over this many axes (e.g. 2000): the best axis's own P and the P corrected for the scan")
	pos, err := parseN(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var bands, cells int
	if _, err := fmt.Sscanf(*grid, "%dx%d", &bands, &cells); err != nil {
		return fmt.Errorf("anisotropy: --cells %q: want BANDSxCELLS such as 8x16", *grid)
	}
	if *perms < aniso.MinPermutations || *perms > aniso.MaxPermutations {
		return fmt.Errorf("anisotropy: --permutations %d: want %d..%d", *perms, aniso.MinPermutations, aniso.MaxPermutations)
	}
	if *mapPath != "" && !strings.EqualFold(filepath.Ext(*mapPath), ".png") {
		return fmt.Errorf("anisotropy: --map %s: name a .png file", *mapPath)
	}
	if *lmax < 0 || *lmax > aniso.MaxL {
		return fmt.Errorf("anisotropy: --lmax %d: want 1 to %d (0: the dipole test alone)", *lmax, aniso.MaxL)
	}
	if *blockNside != 0 && (*lmax == 0 || healpix.CheckNside(*blockNside) != nil) {
		return fmt.Errorf("anisotropy: --block-nside %d: want a power of two up to %d, with --lmax", *blockNside, healpix.MaxNside)
	}
	if *blockColumn != "" && (*lmax == 0 || *blockNside != 0) {
		return errors.New("anisotropy: --block-column blocks the multipoles' permutations: add --lmax, and give it or --block-nside, not both")
	}
	if *scan != 0 && (*scan < 10 || *scan > 100_000) {
		return fmt.Errorf("anisotropy: --scan %d: want 10 to 100000 axes", *scan)
	}
	if err := checkOutFile("anisotropy: --healpix", *hpxPath, ".fits"); err != nil {
		return err
	}
	if err := checkOutFile("anisotropy: --healpix-png", *hpxPNG, ".png"); err != nil {
		return err
	}
	if err := healpix.CheckNside(*nside); (*hpxPath != "" || *hpxPNG != "") && err != nil {
		return fmt.Errorf("anisotropy: --nside: %w", err)
	}
	var covs []string
	if *covNames != "" {
		for _, name := range strings.Split(*covNames, ",") {
			covs = append(covs, strings.TrimSpace(name))
		}
	}
	extra := findings.CovariateColumns(covs)
	if *blockColumn != "" {
		extra = append(extra, *blockColumn)
	}
	t, err := findings.TestFile(ctx, pos[0], *column, aniso.Options{Permutations: *perms, Seed: *seed}, bands, cells, extra...)
	if err != nil {
		return err
	}
	res, design, skipped := t.Test, t.Design, t.Skipped
	var mp, mpCov *aniso.Multipoles
	if *covNames != "" && *lmax == 0 {
		return errors.New("anisotropy: --covariates are fitted with the multipoles; add --lmax")
	}
	if *lmax > 0 {
		null := findings.Null{Nside: *blockNside, Column: *blockColumn}
		if err := t.RunMultipoles(ctx, *lmax, []findings.Null{null}, covs, aniso.Options{Permutations: *perms, Seed: *seed}); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		mp = t.MultipoleFits[0]
		if len(covs) > 0 {
			mpCov = t.MultipoleFits[1]
		}
	}
	var sc *aniso.Scan
	if *scan > 0 {
		if sc, err = t.AxisScan(ctx, *scan, aniso.Options{Permutations: *perms, Seed: *seed}); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
	}
	if *hpxPath != "" {
		var b bytes.Buffer
		if err := t.HealpixMap(&b, *nside, pos[0]); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(*hpxPath, b.Bytes()); err != nil {
			return fmt.Errorf("anisotropy: --healpix: %w", err)
		}
	}
	if *hpxPNG != "" {
		fig, err := report.HealpixFigure(filepath.Base(pos[0]), t, *nside)
		if err == nil {
			err = saveWithSVG(fig, *hpxPNG)
		}
		if err != nil {
			return err
		}
	}
	if *mapPath != "" {
		fig, err := anisotropyMap(filepath.Base(pos[0]), t)
		if err == nil {
			err = saveWithSVG(fig, *mapPath)
		}
		if err != nil {
			return err
		}
	}
	d := res.Dipole
	if *asJSON {
		obj := map[string]any{"catalog": pos[0], "column": strings.ToLower(*column), "n": d.N, "skipped": skipped,
			"amplitude": d.Amplitude, "amplitude_err": d.AmplitudeErr, "amplitude_debiased": d.AmplitudeDebiased,
			"amplitude_lo": d.AmplitudeLo, "amplitude_hi": d.AmplitudeHi, "monopole": d.Monopole, "monopole_err": d.MonopoleErr,
			"ra": d.Axis.RA, "dec": d.Axis.Dec, "axis_err": d.AxisErr, "p_mc": res.P, "exceed": res.Exceed,
			"permutations": res.Permutations, "seed": res.Seed, "null_median": res.NullMedian, "null_95": res.Null95,
			"hemisphere": map[string]any{"ra": res.Hemisphere.Axis.RA, "dec": res.Hemisphere.Axis.Dec,
				"n_towards": res.Hemisphere.NTowards, "mean_towards": finite(res.Hemisphere.MeanTowards),
				"n_away": res.Hemisphere.NAway, "mean_away": finite(res.Hemisphere.MeanAway),
				"diff": finite(res.Hemisphere.Diff), "lo": finite(res.Hemisphere.Lo), "hi": finite(res.Hemisphere.Hi)}}
		if design != nil {
			obj["design_ra"], obj["design_dec"], obj["separation"] = design.RA, design.Dec, aniso.Separation(*design, d.Axis)
		}
		obj["axis_nearest_galaxy"] = t.NearestGalaxy(d.Axis)
		if mp != nil {
			obj["multipoles"] = mp
		}
		if mpCov != nil {
			obj["multipoles_with_covariates"] = mpCov
		}
		if sc != nil {
			obj["scan"] = sc
		}
		if *hpxPath != "" {
			obj["healpix"], obj["nside"] = *hpxPath, *nside
		}
		b, err := json.MarshalIndent(obj, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(stdout, "catalog %s: %d galaxies with a %s", pos[0], d.N, strings.ToLower(*column))
	if skipped > 0 {
		fmt.Fprintf(stdout, " (%d without one left out)", skipped)
	}
	fmt.Fprintf(stdout, "\nmonopole  %.4f ± %.4f\n", d.Monopole, d.MonopoleErr)
	fmt.Fprintf(stdout, "dipole    amplitude %.4f ± %.4f towards RA %.1f, Dec %+.1f (± %.1f°); errors cover galaxy sampling only\n", d.Amplitude, d.AmplitudeErr, d.Axis.RA, d.Axis.Dec, d.AxisErr)
	fmt.Fprintf(stdout, "          %s\n", findings.AmplitudeWords(d))
	if near := t.NearestGalaxy(d.Axis); near > aniso.OutsideFootprint {
		fmt.Fprintf(stdout, "warning   the axis lies outside the footprint (its nearest galaxy is %.0f° away): the fit extrapolates there, and the direction is only where the trend across the footprint points\n", near)
	}
	fmt.Fprintf(stdout, "P         %s: %d of %d label permutations (footprint kept) reach the amplitude; their median %.4f, 95th percentile %.4f\n",
		strconv.FormatFloat(res.P, 'g', 3, 64), res.Exceed, res.Permutations, res.NullMedian, res.Null95)
	h := res.Hemisphere
	fmt.Fprintf(stdout, "hemispheres along the axis: %.4f (%d) towards, %.4f (%d) away, difference %+.4f [%+.4f, %+.4f] (95%%, sampling only; optimistic along a fitted axis)\n",
		h.MeanTowards, h.NTowards, h.MeanAway, h.NAway, h.Diff, h.Lo, h.Hi)
	if design != nil {
		fmt.Fprintf(stdout, "design    the training design points to RA %.1f, Dec %+.1f: %.1f° from the dipole\n", design.RA, design.Dec, aniso.Separation(*design, d.Axis))
	}
	for _, m := range []*aniso.Multipoles{mp, mpCov} {
		if m == nil {
			continue
		}
		fmt.Fprintf(stdout, "multipoles to l = %d, fitted jointly", m.LMax)
		for i, c := range m.Covariates {
			if i == 0 {
				fmt.Fprintf(stdout, " with")
			}
			fmt.Fprintf(stdout, " %s (%.3g ± %.2g per unit)", c.Name, c.Coef, c.SE)
		}
		fmt.Fprintf(stdout, "; P from %d permutations of %s (%d of them", m.Permutations, aniso.Units(m.Block), m.Blocks)
		if m.SmallBlocks > 0 {
			fmt.Fprintf(stdout, "; %d edge blocks of %d galaxies left out", m.SmallBlocks, m.SmallBlockGalaxies)
		}
		fmt.Fprintf(stdout, ")\n")
		for _, o := range m.Orders {
			fmt.Fprintf(stdout, "  l = %d   power %.3g   Wald chi2 %.1f on %d coefficients   P %s   Bayes factor %.3g\n", o.L, o.Power, o.Chi2, 2*o.L+1, strconv.FormatFloat(o.P, 'g', 3, 64), o.BayesFactor)
		}
	}
	if mp != nil {
		fmt.Fprintf(stdout, "  (Bayes factor: the order added to the lower ones against them, Zellner's g-prior with g = the units fitted; above 1 favours it)\n")
	}
	if sc != nil {
		fmt.Fprintf(stdout, "axis scan (Shamir's method) over %d axes: best axis RA %.1f, Dec %+.1f, t %.2f; its own P %s (as if chosen in advance: too small), corrected for the scan by %d permutations P %s\n",
			sc.Axes, sc.Best.RA, sc.Best.Dec, sc.T, strconv.FormatFloat(sc.PUncorrected, 'g', 3, 64), sc.Permutations, strconv.FormatFloat(sc.P, 'g', 3, 64))
	}
	if *mapPath != "" {
		fmt.Fprintf(stdout, "map       %s\n", *mapPath)
	}
	if *hpxPath != "" {
		fmt.Fprintf(stdout, "HEALPix   %s (NSIDE %d, RING, equatorial: count and mean %s per pixel, and the mean of %s where the catalog has them)\n", *hpxPath, *nside, strings.ToLower(*column), strings.Join(findings.MapColumns, " and "))
	}
	return nil
}

// finite is v, or nil (JSON null) when it is not a number.
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// saveWithSVG writes a figure to the .png path asked for and as an SVG
// beside it.
func saveWithSVG(fig *plots.Figure, png string) error {
	if err := fig.Save(png); err != nil {
		return err
	}
	return fig.Save(strings.TrimSuffix(png, filepath.Ext(png)) + ".svg")
}

// anisotropyMap draws one catalog's cells with its dipole and design.
func anisotropyMap(name string, t *findings.CatalogTest) (*plots.Figure, error) {
	f := &findings.AnisotropyFinding{Experiment: name, Tests: []*findings.CatalogTest{t}}
	centre, span := report.MapScale([]*findings.AnisotropyFinding{f})
	return plots.AnisotropyMaps(name, centre, span, []plots.MapPanel{report.MapPanel(f)})
}
