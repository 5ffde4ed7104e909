package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/results"
)

// Executor brings jobs' results into a result store: by training here, by
// submitting to a cluster, or (store-only) by checking they are there.
// What reads the results afterwards needs only the store.
type Executor interface {
	// Name is how the executor is asked for: local, slurm or store.
	Name() string
	// Run brings every job's result into the store. It returns the IDs
	// of submissions left running (Slurm told not to wait); none when
	// every result is stored.
	Run(ctx context.Context, w Work) (submitted []string, err error)
}

// Work is what an executor is asked to bring into the store.
type Work struct {
	Jobs []*dsl.Job
	// Cluster is the experiment files' cluster: settings (nil for none);
	// executors that submit nothing ignore it.
	Cluster *dsl.Cluster
}

// Executors names the executors NewExecutor knows.
var Executors = []string{"local", "slurm", "store"}

// NewExecutor returns the executor of a name (see Executors) over
// opts.Store. With slurm, cluster settings given here (from flags) are laid
// over the files' cluster: block, and noWait returns once submitted.
func NewExecutor(name string, opts Options, cluster dsl.Cluster, noWait bool) (Executor, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("executor %s: no result store", name)
	}
	switch name {
	case "local", "":
		return &Local{Options: opts}, nil
	case "slurm":
		return &Slurm{Store: opts.Store, Cluster: cluster, Log: opts.Log, NoWait: noWait}, nil
	case "store":
		return &StoreOnly{Store: opts.Store}, nil
	}
	return nil, fmt.Errorf("executor %q: want one of %s", name, strings.Join(Executors, ", "))
}

// Local trains the jobs on this machine (see Run).
type Local struct{ Options }

// Name is "local".
func (l *Local) Name() string { return "local" }

// Run trains every job whose result is missing.
func (l *Local) Run(ctx context.Context, w Work) ([]string, error) {
	return nil, Run(ctx, w.Jobs, l.Options)
}

// StoreOnly runs nothing: it checks that every job's result is stored, and
// names those that are not.
type StoreOnly struct{ Store *results.Store }

// Name is "store".
func (s *StoreOnly) Name() string { return "store" }

// Run fails, listing the missing jobs, unless every result is stored.
func (s *StoreOnly) Run(_ context.Context, w Work) ([]string, error) {
	var missing []string
	for _, j := range Unique(w.Jobs) {
		if !s.Store.Has(j.Hash()) {
			missing = append(missing, j.ShortHash()+" "+label(j))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%d of %d jobs have no result in %s (run the experiments first): %s",
			len(missing), len(Unique(w.Jobs)), s.Store.Dir, strings.Join(clipList(missing, 5), "; "))
	}
	return nil, nil
}

func clipList(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
}

// Name is "slurm".
func (sl *Slurm) Name() string { return "slurm" }

// Run submits the jobs whose results are missing as one array (cluster
// settings: sl.Cluster laid over w.Cluster) and, unless NoWait, follows
// it until every task has finished.
func (sl *Slurm) Run(ctx context.Context, w Work) ([]string, error) {
	run := *sl
	run.Cluster = mergeCluster(w.Cluster, sl.Cluster)
	sub, err := run.Submit(ctx, w.Jobs)
	if err != nil || sub == nil {
		return nil, err
	}
	if sl.NoWait {
		return []string{sub.ArrayID}, nil
	}
	return nil, run.Wait(ctx, sub)
}

// mergeCluster lays flag settings over a file's cluster: block.
func mergeCluster(file *dsl.Cluster, f dsl.Cluster) dsl.Cluster {
	var c dsl.Cluster
	if file != nil {
		c = *file
	}
	if f.Partition != "" {
		c.Partition = f.Partition
	}
	if f.Time != "" {
		c.Time = f.Time
	}
	if f.CPUs != 0 {
		c.CPUs = f.CPUs
	}
	if f.Mem != "" {
		c.Mem = f.Mem
	}
	if f.Account != "" {
		c.Account = f.Account
	}
	if file != nil {
		c.Sbatch = append(append([]string(nil), file.Sbatch...), f.Sbatch...)
	} else {
		c.Sbatch = append([]string(nil), f.Sbatch...)
	}
	return c
}
