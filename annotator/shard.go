package annotator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/skybias/skybias/annotate"
	"github.com/skybias/skybias/executor"
)

// MaxShards bounds the shards a catalog is cut into.
const MaxShards = 1000

// Shards writes a catalog as n shards, shard k (1..n) by the skybias
// command argsOf(k) that the executor runs as its own process, then
// merges the shards in order into out: the same bytes as one unbroken
// run. Shards already written are not run again.
func Shards(ctx context.Context, ex executor.Executor, out string, n int, argsOf func(k int) []string) (*annotate.Catalog, error) {
	if n < 1 || n > MaxShards {
		return nil, fmt.Errorf("annotate: %d shards: want 1 to %d", n, MaxShards)
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(absOut), 0o755); err != nil {
		return nil, fmt.Errorf("annotate: %w", err)
	}
	var tasks []executor.Task
	for k := 1; k <= n; k++ {
		path := annotate.ShardPath(absOut, k, n)
		tasks = append(tasks, executor.Task{
			Name:  fmt.Sprintf("shard-%d-of-%d", k, n),
			Label: fmt.Sprintf("catalog %s shard %d/%d", filepath.Base(out), k, n),
			Args:  argsOf(k),
			Done:  func() bool { st, err := os.Stat(path); return err == nil && st.Mode().IsRegular() },
		})
	}
	if err := ex.RunTasks(ctx, "annotate", tasks); err != nil {
		return nil, err
	}
	if err := annotate.Merge(absOut, n); err != nil {
		return nil, err
	}
	return annotate.Open(absOut)
}
