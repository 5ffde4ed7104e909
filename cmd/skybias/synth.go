package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/plots"
	"github.com/skybias/skybias/sky"
)

func init() {
	register(command{name: "synth", summary: "render galaxies of a synthetic survey to look at", run: runSynth, resume: "run the same command again"})
}

const synthDesc = `
Renders the first N galaxies of each class in each field of a synthetic
survey, as the survey serves them (JPEG at the field's quality), and writes
a catalog CSV (id, ra, dec, class, field, image) beside them. The same
survey file always gives byte-identical files. With --sheet, also writes a
contact sheet PNG: one row per field and class.`

func runSynth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("synth", "", synthDesc, stderr)
	survey := fs.String("survey", "experiments/surveys/ps1-like.yaml", "survey definition file")
	n := fs.Int("n", 10, "galaxies per class and field")
	out := fs.String("out", "out/synth", "output folder")
	fields := fs.String("fields", "", "comma-separated fields (default all)")
	sheet := fs.String("sheet", "", "also write a contact sheet PNG to this path")
	sheetN := fs.Int("sheet-n", 8, "cutouts per row of the contact sheet")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "skybias synth: unexpected argument %q\n", pos[0])
		return errUsage
	}
	if *n <= 0 {
		return fmt.Errorf("--n %d: want a positive number of galaxies", *n)
	}
	if *sheetN <= 0 || *sheetN > 100 {
		return fmt.Errorf("--sheet-n %d: want 1 to 100 cutouts per row", *sheetN)
	}
	if err := checkOutFile("--sheet", *sheet, ".png"); err != nil {
		return err
	}
	src, err := sky.OpenSource(*survey)
	if err != nil {
		return err
	}
	sv, ok := src.(*sky.Survey)
	if !ok {
		return fmt.Errorf("%s is a real catalog, not a synthetic survey", *survey)
	}
	names := sv.FieldNames()
	if *fields != "" {
		names = strings.Split(*fields, ",")
		for _, f := range names {
			if _, ok := sv.Regions()[f]; !ok {
				return fmt.Errorf("--fields: survey %s has no field %q (it has %s)", sv.Name(), f, strings.Join(sv.FieldNames(), ", "))
			}
		}
	}
	for _, f := range names { // check every count before writing anything
		if have := sv.FieldSize(f); *n > have {
			return fmt.Errorf("--n %d: field %s of survey %s holds %d galaxies per class; nothing was written", *n, f, sv.Name(), have)
		}
	}
	var rows [][]string
	rows = append(rows, []string{"id", "ra", "dec", "class", "field", "image"})
	byID := map[string]sky.Galaxy{}
	for _, g := range sv.Galaxies() {
		byID[g.ID] = g
	}
	var sheetRows [][]*sky.Image
	var labels []string
	for _, f := range names {
		for _, c := range sky.Classes {
			var row []*sky.Image
			for i := 0; i < *n; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				data, err := sv.RenderJPEG(f, c, i)
				if err != nil {
					return err
				}
				id := fmt.Sprintf("%s-%s-%06d", f, c.Short(), i)
				rel := filepath.Join("images", id+".jpg")
				if err := atomicfile.WriteFile(filepath.Join(*out, rel), data); err != nil {
					return err
				}
				g := byID[id]
				rows = append(rows, []string{id, strconv.FormatFloat(g.RA, 'f', 6, 64), strconv.FormatFloat(g.Dec, 'f', 6, 64), c.String(), f, rel})
				if *sheet != "" && i < *sheetN {
					img, err := sv.Render(f, c, i)
					if err != nil {
						return err
					}
					row = append(row, img)
				}
			}
			if *sheet != "" {
				sheetRows = append(sheetRows, row)
				labels = append(labels, fmt.Sprintf("%s %ss", f, c))
			}
		}
	}
	var buf strings.Builder
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	catPath := filepath.Join(*out, "catalog.csv")
	if err := atomicfile.WriteFile(catPath, []byte(buf.String())); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d images of survey %s and %s\n", len(rows)-1, sv.Name(), catPath)
	if *sheet != "" {
		s := &plots.Sheet{Title: "synthetic survey " + sv.Name() + ": ellipticals and spirals by field", Rows: sheetRows, Labels: labels, Scale: 1}
		if err := s.Save(*sheet); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote contact sheet %s\n", *sheet)
	}
	if _, err := os.Stat(catPath); err != nil {
		return err
	}
	return nil
}
