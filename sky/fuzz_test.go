package sky

import (
	"bytes"
	"testing"
)

func FuzzReadCatalog(f *testing.F) {
	f.Add("id,ra,dec,class,p,img\n1,10,5,spiral,0.9,a.jpg\n")
	f.Add("id,ra,dec,class,p,img\n\"x\",350,-5,E,1,b.png\n2,1e2,0,0,0,c\n")
	f.Add("\ufeffid,class\n1,other\n")
	f.Fuzz(func(t *testing.T, data string) {
		cat, err := readCatalog(bytes.NewReader([]byte(data)), "fuzz.csv", stdCols, "/img")
		if err == nil && len(cat.Galaxies) == 0 {
			t.Fatal("a catalog without rows was accepted")
		}
	})
}

func FuzzParseSource(f *testing.F) {
	f.Add("survey: {name: x, per_class: 2, fields: {f: {ra: [350, 10], dec: [0, 1], sky: {seeing: 2, jpeg: 80, stretch: 0.1}}}}")
	f.Add("catalog: {file: a.csv, columns: {id: id, class: c, image: i}}\nregions: {r: {where: {run: {min: 1}}, ra: [1, 2]}}")
	f.Add("survey: {name: x, size: 16, per_class: 1, population: {faint: 1}, fields: {a: {ra: [0, 360], dec: [-90, 90], sky: {seeing: 0.1, jpeg: 1, stretch: 1e-9, stars: 200}}}}")
	f.Add("survey: {name: t, per_class: 1, tiling: {bands: 2, cells: 3, sky: {seeing: 2, jpeg: 80, stretch: 0.1}, gradients: {jpeg: {toward: [0, 90], amplitude: 30}}, plane: {pole: [0, 90], stars: 2, width: 10}}}")
	f.Fuzz(func(t *testing.T, data string) {
		src, err := ParseSource("/nonexistent/fuzz.yaml", []byte(data))
		if err != nil {
			return
		}
		if s, ok := src.(*Survey); ok && len(s.Galaxies()) > 0 && len(s.Galaxies()) < 50 {
			g := s.Galaxies()[0]
			if _, err := s.Image(&g, 16); err != nil {
				t.Fatalf("rendering a galaxy of an accepted survey: %v", err)
			}
		}
	})
}
