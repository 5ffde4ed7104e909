package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/skybias/skybias/analysis"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/predictions"
	"github.com/skybias/skybias/probe"
)

func init() {
	register(command{name: "audit", summary: "the verdict on predictions made elsewhere: a user's design-trained and baseline networks, from CSV", run: runAudit})
}

const auditDesc = `
Gives the verdict skybias gives its own experiments to networks trained
elsewhere. DESIGN.csv holds the predictions of networks trained in the
design under test (say, spirals from one sky region and ellipticals from
another), BASELINE.csv those of networks trained without that tie (both
classes from both regions, or from one), on the same test galaxies:

  id,class,field,NET1,NET2,...
  1237648720693755918,spiral,north,0.91,0.87,0.95

one row per galaxy, class elliptical or spiral, field the test set the
galaxy belongs to, and one column per independently trained network
holding its p(spiral) (or its label). Two networks or more on each side
let the interval cover training noise as well as test sampling; with one,
it covers test sampling only and says so.

The verdict is the design-by-field interaction: how far the design moves
the answers towards spiral on the spirals' field and towards elliptical
on the ellipticals' field, beyond what the baseline does, with its 95%
interval, P and power at the paper's effect (+0.035 in p(spiral)); the
paired shift on each field is shown beside it.`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit", "--design DESIGN.csv --baseline BASELINE.csv --spiral-field A --elliptical-field B", auditDesc, stderr)
	designPath := fs.String("design", "", "predictions of the networks trained in the design under test")
	basePath := fs.String("baseline", "", "predictions of the baseline networks, on the same test galaxies")
	sf := fs.String("spiral-field", "", "the field (test set) the design's training spirals came from")
	ef := fs.String("elliptical-field", "", "the field the design's training ellipticals came from")
	alpha := fs.Float64("alpha", 0.05, "the level of the verdict")
	jsonOut := fs.String("json", "", "also write the result as JSON to this file")
	if _, err := parseN(fs, args, 0, 0); err != nil {
		return err
	}
	if *designPath == "" || *basePath == "" || *sf == "" || *ef == "" || *sf == *ef {
		return usageError(fs, "give --design, --baseline and two different fields, --spiral-field and --elliptical-field")
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageError(fs, "--alpha %v: want a level between 0 and 1", *alpha)
	}
	if err := checkOutFile("--json", *jsonOut, ".json"); err != nil {
		return err
	}
	design, err := predictions.Read(*designPath)
	if err != nil {
		return err
	}
	base, err := predictions.Read(*basePath)
	if err != nil {
		return err
	}
	calls := map[string]map[string]*analysis.Calls{}
	for _, t := range []*predictions.Table{design, base} {
		calls[t.Path] = map[string]*analysis.Calls{}
		for _, f := range []string{*sf, *ef} {
			c, err := t.Calls(f)
			if err != nil {
				return err
			}
			calls[t.Path][f] = c
		}
	}
	out := auditResult{Design: design.Path, Baseline: base.Path, SpiralField: *sf, EllipticalField: *ef, Alpha: *alpha,
		DesignNetworks: len(design.Networks), BaselineNetworks: len(base.Networks)}
	x, b := calls[design.Path], calls[base.Path]
	if out.Interaction, err = analysis.Interaction(x[*sf], x[*ef], b[*sf], b[*ef]); err != nil {
		return fmt.Errorf("%s against %s: %w", design.Path, base.Path, err)
	}
	out.Verdict = analysis.Decide([]analysis.Effect{out.Interaction}, *alpha)[0].Verdict
	for _, f := range []struct {
		name string
		sign int
	}{{*sf, 1}, {*ef, -1}} {
		e, err := analysis.PairedShift(x[f.name], b[f.name], f.sign)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
		out.Shifts = append(out.Shifts, fieldShift{Field: f.name, Effect: e})
	}
	e := out.Interaction
	out.Power = analysis.Power(e.SE, e.DF, analysis.ReferenceEffect, *alpha)
	out.GalaxiesFor80 = e.GalaxiesFor(analysis.ReferenceEffect, *alpha, 0.8)
	for _, t := range []*predictions.Table{design, base} {
		for m, name := range t.Networks {
			for _, f := range []string{*sf, *ef} {
				c := calls[t.Path][f]
				right := 0
				for i, s := range c.Spiral[m] {
					if s == (c.Class[i] == 1) {
						right++
					}
				}
				acc := float64(right) / float64(len(c.IDs))
				l := probe.Judge(t.Scores(m, f), math.NaN())
				out.Networks = append(out.Networks, networkCheck{File: t.Path, Network: name, Field: f, Accuracy: acc,
					Learned: l.Learned, Why: l.Why})
			}
		}
	}
	writeAudit(stdout, out)
	if *jsonOut != "" {
		bs, _ := json.MarshalIndent(out, "", "  ")
		return atomicfile.WriteFile(*jsonOut, append(bs, '\n'))
	}
	return nil
}

// auditResult is what audit prints and writes as JSON.
type auditResult struct {
	Design           string           `json:"design"`
	Baseline         string           `json:"baseline"`
	SpiralField      string           `json:"spiral_field"`
	EllipticalField  string           `json:"elliptical_field"`
	Alpha            float64          `json:"alpha"`
	DesignNetworks   int              `json:"design_networks"`
	BaselineNetworks int              `json:"baseline_networks"`
	Interaction      analysis.Effect  `json:"interaction"`
	Verdict          analysis.Verdict `json:"verdict"`
	Shifts           []fieldShift     `json:"shifts"`
	Power            float64          `json:"power_at_reference_effect"`
	GalaxiesFor80    int              `json:"test_galaxies_for_80_percent_power"`
	Networks         []networkCheck   `json:"networks"`
}

type fieldShift struct {
	Field  string          `json:"field"`
	Effect analysis.Effect `json:"effect"`
}

type networkCheck struct {
	File     string  `json:"file"`
	Network  string  `json:"network"`
	Field    string  `json:"field"`
	Accuracy float64 `json:"accuracy"`
	Learned  bool    `json:"learned"`
	Why      string  `json:"why,omitempty"`
}

func writeAudit(w io.Writer, r auditResult) {
	fmt.Fprintf(w, "audit: design %s (%d networks) against baseline %s (%d networks); training spirals from %s, ellipticals from %s\n",
		r.Design, r.DesignNetworks, r.Baseline, r.BaselineNetworks, r.SpiralField, r.EllipticalField)
	for _, n := range r.Networks {
		if !n.Learned {
			fmt.Fprintf(w, "  network %s of %s on %s did not learn: %s\n", n.Network, n.File, n.Field, n.Why)
		}
	}
	lo, hi := 1.0, 0.0
	for _, n := range r.Networks {
		lo, hi = min(lo, n.Accuracy), max(hi, n.Accuracy)
	}
	fmt.Fprintf(w, "  test accuracy of every network on each field: %.3f to %.3f (training accuracy is not in the files)\n", lo, hi)
	e := r.Interaction
	fmt.Fprintf(w, "design-by-field interaction: %+.4f [%+.4f, %+.4f], P %.2g, on %d test galaxies (covers %s)\n",
		e.Estimate, e.Lo, e.Hi, e.P, e.Galaxies, e.Noise())
	fmt.Fprintf(w, "verdict at level %g: %s\n", r.Alpha, r.Verdict)
	for _, s := range r.Shifts {
		fmt.Fprintf(w, "  paired shift on %s: %+.4f [%+.4f, %+.4f], P %.2g\n", s.Field, s.Effect.Estimate, s.Effect.Lo, s.Effect.Hi, s.Effect.P)
	}
	need := "no test size reaches 80% with this many networks"
	if r.GalaxiesFor80 > 0 {
		need = fmt.Sprintf("%d test galaxies in all reach 80%%", r.GalaxiesFor80)
	}
	fmt.Fprintf(w, "power at the paper's effect (%+.3f): %.2f; %s\n", analysis.ReferenceEffect, r.Power, need)
}
