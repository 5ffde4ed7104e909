package sky

import (
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// injectCatalog writes a tiny catalog of two regions' galaxies, each with
// a PNG image, and returns its source file with the given inject block.
func injectCatalog(t *testing.T, inject string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := ParseSource(filepath.Join(dir, "s.yaml"), []byte("survey:\n  name: s\n  seed: 3\n  size: 32\n  per_class: 4\n  fields:\n"+
		"    a: {ra: [0, 10], dec: [0, 10], sky: {seeing: 2, jpeg: 90, stretch: 0.06}}\n"+
		"    b: {ra: [100, 110], dec: [0, 10], sky: {seeing: 2, jpeg: 90, stretch: 0.06}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for i, g := range src.Galaxies() {
		img, err := src.Image(&g, 32)
		if err != nil {
			t.Fatal(err)
		}
		name := g.ID + ".png"
		if err := writePNG(filepath.Join(dir, name), img); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, strings.Join([]string{g.ID, ftoa(g.RA), ftoa(g.Dec), g.Class.String(), name}, ","))
		_ = i
	}
	os.WriteFile(filepath.Join(dir, "cat.csv"), []byte("id,ra,dec,class,image\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	def := "catalog:\n  name: t\n  file: cat.csv\n  columns: {id: id, ra: ra, dec: dec, class: class, image: image}\n" + inject +
		"regions:\n  a: {ra: [0, 10], dec: [0, 10]}\n  b: {ra: [100, 110], dec: [0, 10]}\n"
	p := filepath.Join(dir, "src.yaml")
	os.WriteFile(p, []byte(def), 0o644)
	return p
}

// TestInject holds every cue to changing the images of its region, and
// only those, and to a digest of its own; strength 0 changes nothing.
func TestInject(t *testing.T) {
	clean, err := OpenSource(injectCatalog(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Cues {
		for _, strength := range []string{"0", map[string]string{"sky": "0.05", "tint": "0.1", "blur": "1", "noise": "0.05", "jpeg": "20"}[c.Name]} {
			if c.Name == "jpeg" && strength == "0" {
				continue
			}
			t.Run(c.Name+"-"+strength, func(t *testing.T) {
				where := "region: a"
				if c.Name == "noise" {
					where = "ra: [0, 10], dec: [0, 10]" // a box of its own
				}
				path := injectCatalog(t, "  inject: {"+where+", cue: "+c.Name+", strength: "+strength+"}\n")
				src, err := OpenSource(path)
				if err != nil {
					t.Fatal(err)
				}
				if src.Digest() == clean.Digest() && strength != "0" {
					t.Error("the digest does not change with the injection")
				}
				gals := src.Galaxies()
				cg := clean.Galaxies()
				for i := range gals {
					a, err := src.Image(&gals[i], 32)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := clean.Image(&cg[i], 32)
					same := slices.Equal(a.Pix, b.Pix)
					inA := gals[i].RA < 50
					switch {
					case !inA && !same:
						t.Errorf("galaxy %s outside the region changed", gals[i].ID)
					case inA && strength == "0" && !same:
						t.Errorf("galaxy %s changed at strength 0", gals[i].ID)
					case inA && strength != "0" && same:
						t.Errorf("galaxy %s in the region did not change", gals[i].ID)
					}
				}
			})
		}
	}
	for _, c := range []struct{ inject, want string }{
		{"  inject: {region: a, cue: glow, strength: 1}\n", `cue: "glow" (want one of sky, tint, blur, noise, jpeg)`},
		{"  inject: {region: a, cue: sky, strength: 2}\n", "strength: 2 for cue sky"},
		{"  inject: {region: c, cue: sky, strength: 0.1}\n", `region: "c" is not a region`},
		{"  inject: {region: a, cue: jpeg, strength: 0}\n", "outside 1..100"},
		{"  inject: {cue: sky, strength: 0.1}\n", "name a region of the source"},
		{"  inject: {region: a, ra: [0, 10], cue: sky, strength: 0.1}\n", "not both"},
		{"  inject: {ra: [0, 400], cue: sky, strength: 0.1}\n", "outside 0..360"},
	} {
		if _, err := OpenSource(injectCatalog(t, c.inject)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", strings.TrimSpace(c.inject), err, c.want)
		}
	}
}

func writePNG(path string, img *Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img.RGBA())
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
