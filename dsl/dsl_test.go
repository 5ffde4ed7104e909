package dsl

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skybias/skybias/internal/testenv"
	"github.com/skybias/skybias/sky"
)

var update = flag.Bool("update", false, "rewrite the golden files of broken experiments")

// TestBrokenGolden validates each file of testdata/broken and compares its
// messages with NAME.golden. Regenerate with: go test ./dsl -run Broken -update
func TestBrokenGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*.yaml")
	if len(files) < 10 {
		t.Fatalf("only %d broken files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, _, err := ValidateFile(f, Options{})
			if err == nil {
				t.Fatal("no error for a broken file")
			}
			var lines []string
			for _, e := range Errors(err) {
				lines = append(lines, e.Error())
			}
			got := strings.Join(lines, "\n") + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("messages differ from %s:\ngot:\n%swant:\n%s", golden, got, want)
			}
			for _, l := range lines {
				if !strings.Contains(l, ".yaml:") {
					t.Errorf("message without file:line:column: %s", l)
				}
			}
		})
	}
}

func TestGoodExperiments(t *testing.T) {
	cases := []struct {
		file  string
		jobs  int
		check func(t *testing.T, p *Plan)
	}{
		{"wrap.yaml", 1, func(t *testing.T, p *Plan) {
			r := p.Jobs[0].Regions["around0"]
			if r == nil || r.RA.Min != 355 || r.RA.Max != 5 {
				t.Fatalf("around0 = %+v", r)
			}
		}},
		{"three.yaml", 1, func(t *testing.T, p *Plan) {
			j := p.Jobs[0]
			if len(j.Train["spiral"]) != 1 || len(j.Train["spiral"][0].From) != 3 {
				t.Errorf("spiral from %+v, want one part from three regions", j.Train["spiral"])
			}
			if e := j.Train["elliptical"]; len(e) != 3 || e[2].N != 30 || len(e[2].From) != 2 {
				t.Errorf("elliptical mixture %+v", e)
			}
		}},
		{"catalog.yaml", 1, func(t *testing.T, p *Plan) {
			j := p.Jobs[0]
			if j.Regions["early"].Where[0].Column != "run" || j.Regions["late"].Where[0].Min == nil {
				t.Errorf("regions %+v", j.Regions)
			}
		}},
		{"sweep.yaml", 8, func(t *testing.T, p *Plan) {
			seen := map[string]bool{}
			for _, j := range p.Jobs {
				if seen[j.Hash()] {
					t.Errorf("two jobs share hash %s", j.ShortHash())
				}
				seen[j.Hash()] = true
			}
			j := p.Jobs[len(p.Jobs)-1]
			if j.Model.Input != 24 || j.Train["spiral"][0].N != 10 || j.Repeat != 1 || j.Variant != "model.input=24,train.n=10" {
				t.Errorf("last job %+v", j)
			}
			if p.Jobs[0].SplitSeed == p.Jobs[1].SplitSeed {
				t.Error("repeats share a split seed")
			}
		}},
	}
	cases = append(cases, struct {
		file  string
		jobs  int
		check func(t *testing.T, p *Plan)
	}{"contrast.yaml", 3, func(t *testing.T, p *Plan) {
		seen := map[string]bool{}
		for _, j := range p.Jobs {
			seen[j.Hash()], seen[j.Source.Digest] = true, true
		}
		if len(seen) != 6 {
			t.Errorf("three contrasts give %d distinct hashes and digests, want 6", len(seen))
		}
		if p.Jobs[0].Source.Overrides == "" || p.Jobs[0].Variant != "source.contrast=0" {
			t.Errorf("first job: overrides %q, variant %q", p.Jobs[0].Source.Overrides, p.Jobs[0].Variant)
		}
		plain, err := CompileFile("testdata/good/wrap.yaml", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Jobs[2].Source.Digest != plain.Jobs[0].Source.Digest {
			t.Error("contrast 1 changed the survey's digest")
		}
	}})
	cases = append(cases, struct {
		file  string
		jobs  int
		check func(t *testing.T, p *Plan)
	}{"probe.yaml", 2, func(t *testing.T, p *Plan) {
		j := p.Jobs[0]
		if j.Probe == nil || len(j.Train) != 0 || len(j.Tests) != 0 || j.Regions["a"] == nil || j.Regions["b"] == nil {
			t.Fatalf("probe job %+v", j)
		}
		if j.TrainImages() != 2*2*20 || j.TestImages() != 2*2*10 || !strings.HasPrefix(j.Describe(), "probe a vs b") {
			t.Errorf("images %d/%d, %q", j.TrainImages(), j.TestImages(), j.Describe())
		}
		gals := p.Jobs[1].probeSource(t)
		a, err := p.Jobs[0].DrawProbe(gals)
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Jobs[1].DrawProbe(gals)
		if err != nil {
			t.Fatal(err)
		}
		for k := range a.Test {
			if len(a.Test[k]) != 20 || len(a.Train[k]) != 40 {
				t.Errorf("region %d: %d held out, %d to train; want 20 and 40 (both classes)", k, len(a.Test[k]), len(a.Train[k]))
			}
			held := map[int]bool{}
			for _, i := range a.Test[k] {
				held[i] = true
			}
			for _, i := range a.Train[k] {
				if held[i] {
					t.Fatalf("galaxy %d is both held out and trained on", i)
				}
			}
		}
		if reflect.DeepEqual(a, b) {
			t.Error("two repeats drew the same split")
		}
	}})
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			p, err := CompileFile(filepath.Join("testdata/good", tc.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Jobs) != tc.jobs {
				t.Fatalf("%d jobs, want %d", len(p.Jobs), tc.jobs)
			}
			tc.check(t, p)
		})
	}
}

func TestProfiles(t *testing.T) {
	quick, err := CompileFile("testdata/good/three.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tiny, err := CompileFile("testdata/good/three.yaml", Options{Profile: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	if quick.Profile != "quick" || tiny.Profile != "tiny" {
		t.Fatalf("profiles %q, %q", quick.Profile, tiny.Profile)
	}
	if got := tiny.Jobs[0].Train["spiral"][0].N; got != 30 {
		t.Errorf("tiny profile: spiral n = %d, want 60 * 0.5", got)
	}
	if _, err := CompileFile("testdata/good/three.yaml", Options{Profile: "qiuck"}); err == nil || !strings.Contains(err.Error(), `profile "qiuck" is not defined`) || !strings.Contains(err.Error(), "did you mean quick?") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestHashStable(t *testing.T) {
	root := testenv.Root(t)
	path := filepath.Join(root, "experiments", "paper", "table06.yaml")
	a, err := CompileFile(path, Options{Profile: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := CompileFile(path, Options{Profile: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Jobs[0].Hash() != b.Jobs[0].Hash() {
		t.Fatal("the same file planned twice gives different hashes")
	}
	// Tables 6 and 7 are one training tested on two fields: one job.
	c, err := CompileFile(filepath.Join(root, "experiments", "paper", "table07.yaml"), Options{Profile: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Jobs[0].Hash() != a.Jobs[0].Hash() {
		t.Error("tables 6 and 7 should share their job")
	}
	// Changing one number changes the hash.
	data, _ := os.ReadFile(path)
	changed := strings.Replace(string(data), "n: 3000}", "n: 2999}", 1)
	// Parsed in place of the file (its includes resolve beside it), so
	// the test writes nothing into experiments/.
	doc, err := Parse(path, []byte(changed))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(doc, Options{Profile: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Jobs[0].Hash() == a.Jobs[0].Hash() {
		t.Error("changing a count did not change the hash")
	}
}

func TestAllExperimentFilesValidate(t *testing.T) {
	root := testenv.Root(t)
	var files []string
	filepath.WalkDir(filepath.Join(root, "experiments"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("found %d files", len(files))
	}
	for _, profile := range []string{"quick", "paper"} {
		for _, f := range files {
			if _, _, err := ValidateFile(f, Options{Profile: profile}); err != nil {
				if strings.Contains(err.Error(), "is not defined") && strings.Contains(f, "studies") {
					continue
				}
				t.Errorf("profile %s: %v", profile, err)
			}
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{{"train", "trian", 1}, {"", "abc", 3}, {"model", "modle", 1}, {"kitten", "sitting", 3}, {"same", "same", 0}}
	for _, c := range cases {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

// probeSource opens the job's source and lists its galaxies.
func (j *Job) probeSource(t *testing.T) []sky.Galaxy {
	t.Helper()
	src, err := sky.Open(j.Source.Path)
	if err != nil {
		t.Fatal(err)
	}
	return src.Galaxies()
}

// TestHashNamesEffectiveConv: a job's hash names the convolution
// algorithm its network effectively uses. At the quick profile's 48 px no
// layer takes the Winograd path, so model.conv does not change the hash
// (results stored before Winograd became the default stay valid); at the
// paper's 120 px the default (winograd) and direct are two computations.
func TestHashNamesEffectiveConv(t *testing.T) {
	root := testenv.Root(t)
	path := filepath.Join(root, "experiments", "paper", "table06.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hash := func(conv, profile string) string {
		t.Helper()
		src := string(data)
		if conv != "" {
			src += "model: {conv: " + conv + "}\n"
		}
		doc, err := Parse(path, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(doc, Options{Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		return p.Jobs[0].Hash()
	}
	for _, tc := range []struct {
		profile  string
		sameHash bool // direct and the default give one hash
	}{
		{"quick", true},
		{"paper", false},
	} {
		def, wino, direct := hash("", tc.profile), hash("winograd", tc.profile), hash("direct", tc.profile)
		if def != wino {
			t.Errorf("%s: the default and model.conv: winograd hash differently", tc.profile)
		}
		if (def == direct) != tc.sameHash {
			t.Errorf("%s: default %s, direct %s: want same hash %v", tc.profile, def[:12], direct[:12], tc.sameHash)
		}
	}
}

// TestTrainSeed holds train_seed to its promise: the same test galaxies,
// other training galaxies, another hash; and a file without it keeps the
// draw (and hash) it always had.
func TestTrainSeed(t *testing.T) {
	base := "include: ../base.yaml\nname: ts\ntrain:\n  spiral: {from: a, n: 20}\n  elliptical: {from: a, n: 20}\ntest:\n  a: {from: a, n: 20}\n  b: {from: b, n: 20}\nrepeat: 2\n"
	compile := func(extra string) *Plan {
		t.Helper()
		doc, err := Parse(filepath.Join("testdata", "good", "ts.yaml"), []byte(base+extra))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(doc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain, seeded, seeded2 := compile(""), compile("train_seed: 7\n"), compile("train_seed: 8\n")
	for rep := range plain.Jobs {
		a, b, c := plain.Jobs[rep], seeded.Jobs[rep], seeded2.Jobs[rep]
		if a.TrainSeed != 0 {
			t.Fatalf("repeat %d: train_seed set without the key", rep)
		}
		if a.Hash() == b.Hash() || b.Hash() == c.Hash() {
			t.Errorf("repeat %d: train_seed does not change the hash", rep)
		}
		src, err := sky.OpenWith(a.Source.Path, a.Source.Overrides)
		if err != nil {
			t.Fatal(err)
		}
		sa, err := a.Draw(src.Galaxies())
		if err != nil {
			t.Fatal(err)
		}
		sb, err := b.Draw(src.Galaxies())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sa.Tests, sb.Tests) {
			t.Errorf("repeat %d: train_seed changed the test galaxies", rep)
		}
		for _, cl := range sky.Classes {
			if reflect.DeepEqual(sa.Train[cl], sb.Train[cl]) {
				t.Errorf("repeat %d: train_seed left the %s training galaxies as they were", rep, cl)
			}
		}
	}
	if plain.Jobs[0].TrainSeed == plain.Jobs[1].TrainSeed && seeded.Jobs[0].TrainSeed == seeded.Jobs[1].TrainSeed {
		t.Error("repeats share one training seed")
	}
}

// TestRedraw: training.redraw gives each ensemble member after the first
// its own training galaxies and keeps the test galaxies; the union holds
// every member's; a single network or a probe with the key is an error at
// its line; without the key nothing changes.
func TestRedraw(t *testing.T) {
	base := "include: ../base.yaml\nname: rd\ntrain:\n  spiral: {from: a, n: 20}\n  elliptical: {from: a, n: 20}\ntest:\n  a: {from: a, n: 20}\n  b: {from: b, n: 20}\n"
	compile := func(extra string) (*Plan, error) {
		t.Helper()
		doc, err := Parse(filepath.Join("testdata", "good", "rd.yaml"), []byte(base+extra))
		if err != nil {
			t.Fatal(err)
		}
		return Compile(doc, Options{})
	}
	plain, err := compile("training: {ensemble: 3}\n")
	if err != nil {
		t.Fatal(err)
	}
	redraw, err := compile("training: {ensemble: 3, redraw: true}\n")
	if err != nil {
		t.Fatal(err)
	}
	off, err := compile("training: {ensemble: 3, redraw: false}\n")
	if err != nil {
		t.Fatal(err)
	}
	a, b := plain.Jobs[0], redraw.Jobs[0]
	if off.Jobs[0].Hash() != a.Hash() {
		t.Error("redraw: false changed the hash")
	}
	if a.Hash() == b.Hash() || !b.Training.Redraw {
		t.Fatal("redraw: true did not reach the job")
	}
	src, err := sky.OpenWith(b.Source.Path, b.Source.Overrides)
	if err != nil {
		t.Fatal(err)
	}
	gals := src.Galaxies()
	first, err := b.Draw(gals)
	if err != nil {
		t.Fatal(err)
	}
	union, err := b.TrainingUnion(gals)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, idx := range union {
		for _, i := range idx {
			seen[i] = true
		}
	}
	for k := range 3 {
		sp, err := b.DrawMember(gals, k)
		if err != nil {
			t.Fatal(err)
		}
		same, err := a.DrawMember(gals, k)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(same.Train, first.Train) {
			t.Errorf("without redraw, member %d trains on other galaxies", k)
		}
		if !reflect.DeepEqual(sp.Tests, first.Tests) {
			t.Errorf("member %d: redraw changed the test galaxies", k)
		}
		for _, cl := range sky.Classes {
			if len(sp.Train[cl]) != 20 {
				t.Errorf("member %d: %d %s training galaxies, want 20", k, len(sp.Train[cl]), cl)
			}
			if eq := reflect.DeepEqual(sp.Train[cl], first.Train[cl]); eq != (k == 0) {
				t.Errorf("member %d: %s training galaxies equal to the job's draw: %v", k, cl, eq)
			}
			for _, i := range sp.Train[cl] {
				if !seen[i] {
					t.Errorf("member %d: galaxy %d is not in the training union", k, i)
				}
			}
		}
	}
	for _, bad := range []struct{ extra, want string }{
		{"training: {redraw: true}\n", "needs training.ensemble of 2 or more"},
		{"training: {ensemble: 1, redraw: true}\n", "needs training.ensemble of 2 or more"},
	} {
		_, err := compile(bad.extra)
		if err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), "rd.yaml:") {
			t.Errorf("%q: got %v, want an error at its line saying %q", bad.extra, err, bad.want)
		}
	}
}
