package sky

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Part asks for N galaxies of a class from the union of some regions.
type Part struct {
	Regions []*Region
	N       int
}

func (p Part) describe() string { return RegionNames(p.Regions) }

// TestSet asks for N galaxies of each class from the union of some regions.
type TestSet struct {
	Name    string
	Regions []*Region
	N       int
}

// DrawPlan says what one split draws: per class, the training parts (drawn
// one after the other, so a class may mix regions in set proportions), and
// the named test sets.
type DrawPlan struct {
	Train map[Class][]Part
	Tests []TestSet
	// TrainSeed, when not 0, seeds the draw of training galaxies in place
	// of Draw's seed, which then seeds the test sets alone: two plans with
	// one seed and different TrainSeeds are tested on the same galaxies
	// and trained on different ones.
	TrainSeed uint64
}

// Split is the outcome of a draw: indices into the galaxy list, per class
// for training and per test set and class for testing. Test galaxies never
// appear in training.
type Split struct {
	Train map[Class][]int
	Tests map[string]map[Class][]int
}

// Draw selects disjoint training and test galaxies, seeded.
//
// Test sets are drawn first, each from its own seeded permutation of its
// pool, so the same test regions, size and seed give the same test galaxies
// whatever the training set is: two experiments that differ only in their
// training data are tested on identical galaxies (the paired design that
// McNemar's test needs). Training galaxies are then drawn from what the
// test sets left. Asking for more galaxies than a region holds is an error
// that says how many it holds.
func Draw(gals []Galaxy, plan DrawPlan, seed uint64) (*Split, error) {
	sp := &Split{Train: map[Class][]int{}, Tests: map[string]map[Class][]int{}}
	inTest := map[int]string{}
	for _, ts := range plan.Tests {
		if ts.N <= 0 {
			return nil, fmt.Errorf("test set %s: asks for %d galaxies per class (want > 0)", ts.Name, ts.N)
		}
		if _, dup := sp.Tests[ts.Name]; dup {
			return nil, fmt.Errorf("test set %s is listed twice", ts.Name)
		}
		sp.Tests[ts.Name] = map[Class][]int{}
		for _, c := range Classes {
			pool, err := Select(gals, ts.Regions, c)
			if err != nil {
				return nil, fmt.Errorf("test set %s: %w", ts.Name, err)
			}
			if len(pool) < ts.N {
				return nil, fmt.Errorf("test set %s: asks for %d %ss from %s, which holds %d",
					ts.Name, ts.N, c, RegionNames(ts.Regions), len(pool))
			}
			permute(pool, seed, "test", c.String(), regionKey(ts.Regions))
			pick := slices.Clone(pool[:ts.N])
			sort.Ints(pick)
			sp.Tests[ts.Name][c] = pick
			for _, i := range pick {
				inTest[i] = ts.Name
			}
		}
	}
	trainSeed := seed
	if plan.TrainSeed != 0 {
		trainSeed = plan.TrainSeed
	}
	for _, c := range Classes {
		parts := plan.Train[c]
		if len(parts) == 0 {
			return nil, fmt.Errorf("no training selection for class %s", c)
		}
		used := map[int]bool{}
		var train []int
		for k, p := range parts {
			if p.N <= 0 {
				return nil, fmt.Errorf("training %ss from %s: asks for %d galaxies (want > 0)", c, p.describe(), p.N)
			}
			pool, err := Select(gals, p.Regions, c)
			if err != nil {
				return nil, fmt.Errorf("training %ss: %w", c, err)
			}
			all := len(pool)
			free := pool[:0]
			for _, i := range pool {
				if _, t := inTest[i]; !t && !used[i] {
					free = append(free, i)
				}
			}
			if len(free) < p.N {
				return nil, fmt.Errorf("training %ss from %s: asks for %d, the region holds %d of which %d are free (not in test sets or earlier parts)",
					c, p.describe(), p.N, all, len(free))
			}
			permute(free, trainSeed, "train", c.String(), itoa(k), regionKey(p.Regions))
			for _, i := range free[:p.N] {
				used[i] = true
				train = append(train, i)
			}
		}
		sort.Ints(train)
		sp.Train[c] = train
	}
	if err := sp.CheckDisjoint(gals); err != nil {
		return nil, err
	}
	return sp, nil
}

// CheckDisjoint returns an error naming the first galaxy (by ID, so that a
// catalog listing one object twice is caught too) that is both in training
// and in a test set.
func (s *Split) CheckDisjoint(gals []Galaxy) error {
	train := map[string]bool{}
	for _, c := range Classes {
		for _, i := range s.Train[c] {
			train[gals[i].ID] = true
		}
	}
	names := make([]string, 0, len(s.Tests))
	for n := range s.Tests {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, c := range Classes {
			for _, i := range s.Tests[n][c] {
				if train[gals[i].ID] {
					return fmt.Errorf("galaxy %s is in both the training set and test set %s", gals[i].ID, n)
				}
			}
		}
	}
	return nil
}

func regionKey(rs []*Region) string {
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = r.Name + "{" + r.Describe() + "}"
	}
	sort.Strings(keys)
	return strings.Join(keys, "|")
}

// permute shuffles idx in place with a Fisher-Yates shuffle seeded from
// seed and the path; the input order must itself be deterministic.
func permute(idx []int, seed uint64, path ...string) {
	r := NewRand(seed, path...)
	for i := len(idx) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// ProbeSplit is a region probe's draw: per region (the probe's label, in
// the order given), the indexes of its training and held-out galaxies.
type ProbeSplit struct {
	Train, Test [][]int
}

// DrawProbe draws a region probe's galaxies: from each region and each of
// the classes, test galaxies first, then n training galaxies from the
// rest, each from its own seeded permutation, so that a larger n keeps the
// same held-out galaxies. Regions must not share galaxies of the classes.
func DrawProbe(gals []Galaxy, regions []*Region, classes []Class, n, test int, seed uint64) (*ProbeSplit, error) {
	if len(regions) < 2 {
		return nil, fmt.Errorf("a probe tells regions apart: it needs two or more, not %d", len(regions))
	}
	if n <= 0 || test <= 0 {
		return nil, fmt.Errorf("a probe needs training and held-out galaxies in each region (n %d, test %d)", n, test)
	}
	sp := &ProbeSplit{Train: make([][]int, len(regions)), Test: make([][]int, len(regions))}
	owner := map[int]int{}
	for k, r := range regions {
		for _, c := range classes {
			pool, err := Select(gals, []*Region{r}, c)
			if err != nil {
				return nil, fmt.Errorf("probe region %s: %w", r.Name, err)
			}
			for _, i := range pool {
				if o, ok := owner[i]; ok && o != k {
					return nil, fmt.Errorf("probe regions %s and %s overlap (galaxy %s lies in both); a probe's regions must be disjoint", regions[o].Name, r.Name, gals[i].ID)
				}
				owner[i] = k
			}
			if len(pool) < n+test {
				return nil, fmt.Errorf("region %s holds %d %ss, the probe asks for %d (%d to train, %d held out)", r.Name, len(pool), c, n+test, n, test)
			}
			permute(pool, seed, "probe", r.Name, c.String(), regionKey([]*Region{r}))
			te, tr := slices.Clone(pool[:test]), slices.Clone(pool[test:test+n])
			sort.Ints(te)
			sort.Ints(tr)
			sp.Test[k] = append(sp.Test[k], te...)
			sp.Train[k] = append(sp.Train[k], tr...)
		}
	}
	return sp, nil
}
