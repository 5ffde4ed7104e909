package executor

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/runner"
)

// Executor brings jobs' results into a result store (by training here,
// by submitting to a cluster, or by checking they are there) and runs
// skybias commands as separate processes (an annotation's shards). What
// reads the results afterwards needs only the store.
type Executor interface {
	// Name is how the executor is asked for (see Names).
	Name() string
	// Run brings every job's result into the store. It returns the ids
	// of submissions left running (a cluster told not to wait); none
	// when every result is stored.
	Run(ctx context.Context, w Work) (pending []string, err error)
	// Wait follows submissions a Run of this executor left running until
	// every task has ended, and fails naming each that left no result.
	Wait(ctx context.Context, pending []string) error
	// RunTasks runs skybias commands, one process each, and fails naming
	// every task whose Done is false afterwards; what names the batch in
	// logs and file names.
	RunTasks(ctx context.Context, what string, tasks []Task) error
	// ReadOnly reports whether the executor only reads the store: it
	// runs nothing, and everything must already be there.
	ReadOnly() bool
}

// Work is what an executor is asked to bring into the store.
type Work struct {
	Jobs []*dsl.Job
	// Cluster is the experiment files' cluster: settings (nil for none);
	// executors that submit nothing ignore it.
	Cluster *dsl.Cluster
}

// Task is one skybias command of a RunTasks batch: its arguments (after
// the executable), a name and a label for logs, and how to tell that it
// succeeded.
type Task struct {
	Name  string
	Label string
	Args  []string
	Done  func() bool
}

// Settings are what every executor is made from: the run's options (the
// store first), cluster settings from flags (laid over the files'
// cluster: block by executors that submit), and whether a submitting
// executor returns without waiting.
type Settings struct {
	runner.Options
	Cluster dsl.Cluster
	NoWait  bool
}

// Factory makes an executor of settings whose Store is set.
type Factory func(Settings) Executor

var (
	mu       sync.Mutex
	registry = map[string]Factory{}
)

// Register makes an executor known by name; each executor's file
// registers itself. A name registered twice is a programming error.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup || name == "" {
		panic("executor: " + name + " registered twice")
	}
	registry[name] = f
}

// Default is the executor of a run that names none.
const Default = "local"

// Names lists the registered executors, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the executor of a name (Default when empty) over s.Store.
func New(name string, s Settings) (Executor, error) {
	if name == "" {
		name = Default
	}
	if s.Store == nil {
		return nil, fmt.Errorf("executor %s: no result store", name)
	}
	mu.Lock()
	f, ok := registry[name]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("executor %q: want one of %s", name, strings.Join(Names(), ", "))
	}
	return f(s), nil
}

// IsReadOnly reports whether the named executor (Default when empty)
// only reads the store; false for a name not registered.
func IsReadOnly(name string) bool {
	if name == "" {
		name = Default
	}
	mu.Lock()
	f, ok := registry[name]
	mu.Unlock()
	return ok && f(Settings{}).ReadOnly()
}

// noPending is the Wait of executors that leave nothing running.
func noPending(name string, pending []string) error {
	if len(pending) == 0 {
		return nil
	}
	return fmt.Errorf("executor %s leaves nothing running, but the run names submissions %s; collect it with the executor that submitted them", name, strings.Join(clipList(slices.Clone(pending), 5), ", "))
}

func clipList(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
}
