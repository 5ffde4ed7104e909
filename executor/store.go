package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/skybias/skybias/results"
	"github.com/skybias/skybias/runner"
)

// Store is the name of the executor that runs nothing (StoreOnly): a
// report rebuilt from the store asks for it.
const Store = "store"

func init() { Register(Store, func(s Settings) Executor { return &StoreOnly{Store: s.Store} }) }

// StoreOnly runs nothing: it checks that every job's result is stored, and
// names those that are not.
type StoreOnly struct{ Store *results.Store }

// Name is Store.
func (s *StoreOnly) Name() string { return Store }

// ReadOnly is true.
func (s *StoreOnly) ReadOnly() bool { return true }

// Run fails, listing the missing jobs, unless every result is stored.
func (s *StoreOnly) Run(_ context.Context, w Work) ([]string, error) {
	var missing []string
	for _, j := range runner.Unique(w.Jobs) {
		if !s.Store.Has(j.Hash()) {
			missing = append(missing, j.ShortHash()+" "+runner.Label(j))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%d of %d jobs have no result in %s (run the experiments first): %s",
			len(missing), len(runner.Unique(w.Jobs)), s.Store.Dir, strings.Join(clipList(missing, 5), "; "))
	}
	return nil, nil
}

// Wait has nothing to wait for.
func (s *StoreOnly) Wait(_ context.Context, pending []string) error {
	return noPending(s.Name(), pending)
}

// RunTasks refuses: the store executor runs nothing.
func (s *StoreOnly) RunTasks(_ context.Context, what string, tasks []Task) error {
	if len(tasks) == 0 {
		return nil
	}
	return errors.New(what + ": the store executor runs nothing; choose one that runs tasks")
}
