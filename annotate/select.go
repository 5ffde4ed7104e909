package annotate

import (
	"fmt"
	"math"
	"sort"

	"github.com/skybias/skybias/seeds"
	"github.com/skybias/skybias/sky"
)

// Selection is the galaxies a catalog lists and how they were chosen.
type Selection struct {
	Galaxies []sky.Galaxy
	// Excluded counts galaxies of the regions left out because the
	// networks were trained on them.
	Excluded int
	// Balanced counts galaxies left out to keep the classes as balanced
	// in each field as before the training galaxies were taken out.
	Balanced int
	// Available is how many were left to choose from; Subset the size of
	// the seeded subset drawn (0: all of them).
	Available, Subset int
}

// MaxGalaxies bounds a catalog, so that a typo cannot ask for years of
// work.
const MaxGalaxies = 50_000_000

// Select lists the galaxies of a source's regions (all of it when regions
// is empty), of any class, in the source's order, leaving out those whose
// IDs are in exclude (the networks' training galaxies). Leaving out
// training galaxies drawn by class from some part of the sky would tilt
// the catalog's true class mix there (fewer spirals where the spirals were
// trained) and fake a dipole of its own; so, field by field (a synthetic
// survey's fields; the whole source for a real catalog), as many galaxies
// of the other class are left out too, chosen seeded, and the mix is as it
// was. With n > 0 it draws n of what remains, seeded, keeping the source's
// order.
func Select(src sky.Source, regions []*sky.Region, exclude map[string]bool, n int, seed uint64) (*Selection, error) {
	if n < 0 || n > MaxGalaxies {
		return nil, fmt.Errorf("annotate: %d galaxies: want 1..%d", n, MaxGalaxies)
	}
	all := src.Galaxies()
	sel := &Selection{}
	var idx []int
	for i := range all {
		g := &all[i]
		in := len(regions) == 0
		for _, r := range regions {
			ok, err := r.Contains(g)
			if err != nil {
				return nil, fmt.Errorf("annotate: region %s: %w", r.Name, err)
			}
			if ok {
				in = true
				break
			}
		}
		if !in {
			continue
		}
		if exclude[g.ID] {
			sel.Excluded++
			continue
		}
		if math.IsNaN(g.RA) || math.IsNaN(g.Dec) {
			return nil, fmt.Errorf("annotate: galaxy %s of %s has no RA/Dec; a catalog for the sky needs positions", g.ID, src.Name())
		}
		idx = append(idx, i)
	}
	idx, sel.Balanced = balance(all, idx, exclude, seed)
	sel.Available = len(idx)
	if len(idx) == 0 {
		return nil, fmt.Errorf("annotate: no galaxies in %s to annotate in %s (%d left out as training galaxies)", src.Name(), regionsOrAll(regions), sel.Excluded)
	}
	if n > 0 {
		if n > len(idx) {
			return nil, fmt.Errorf("annotate: %d galaxies asked for; %s holds %d in %s (after leaving out %d training galaxies)", n, src.Name(), len(idx), regionsOrAll(regions), sel.Excluded)
		}
		r := seeds.Rand(seed, "annotate-subset")
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:n]
		sort.Ints(idx)
		sel.Subset = n
	}
	sel.Galaxies = make([]sky.Galaxy, len(idx))
	for k, i := range idx {
		sel.Galaxies[k] = all[i]
	}
	return sel, nil
}

func regionsOrAll(rs []*sky.Region) string {
	if len(rs) == 0 {
		return "the whole source"
	}
	return sky.RegionNames(rs)
}

// balance leaves out, in each field, galaxies of each class until every
// class has lost as many to exclude there as the class that lost most.
func balance(all []sky.Galaxy, idx []int, exclude map[string]bool, seed uint64) ([]int, int) {
	if len(exclude) == 0 {
		return idx, 0
	}
	type key struct {
		field string
		class sky.Class
	}
	lost := map[key]int{}
	fields := map[string]bool{}
	for i := range all {
		if exclude[all[i].ID] {
			lost[key{all[i].Region, all[i].Class}]++
			fields[all[i].Region] = true
		}
	}
	drop := map[int]bool{}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		most := 0
		for _, c := range sky.Classes {
			most = max(most, lost[key{f, c}])
		}
		for _, c := range sky.Classes {
			need := most - lost[key{f, c}]
			if need == 0 {
				continue
			}
			var pool []int
			for _, i := range idx {
				if all[i].Region == f && all[i].Class == c {
					pool = append(pool, i)
				}
			}
			r := seeds.Rand(seed, "annotate-balance", f, c.String())
			r.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
			for _, i := range pool[:min(need, len(pool))] {
				drop[i] = true
			}
		}
	}
	if len(drop) == 0 {
		return idx, 0
	}
	kept := idx[:0:0]
	for _, i := range idx {
		if !drop[i] {
			kept = append(kept, i)
		}
	}
	return kept, len(drop)
}
