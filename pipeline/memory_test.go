package pipeline

import (
	"context"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/skybias/skybias/sky"
)

// liveHeap is the live Go heap now (as of the last collection).
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// heapPeak samples the live Go heap (what the last collection found
// reachable: runtime/metrics' /gc/heap/live:bytes) every few milliseconds
// until stop is called, and returns the largest value seen. Unlike the
// heap's size, which the collector lets grow towards the memory limit, it
// counts only what the program holds.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// TestMemoryBudget runs a multi-job study (the null calibration design, 6
// repeats: 12 jobs of 4-network ensembles, side by side) under a soft
// memory limit and an image cache budget, and fails if the Go heap ever
// goes over the limit. A per-job leak (a network's graph, a job's images
// or predictions kept after its result is stored) would grow the heap job
// after job and break it.
func TestMemoryBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 48 small networks (about 20 seconds on 2 cores)")
	}
	const (
		limit = 128 << 20 // the soft limit the run is held to
		cache = 32 << 20  // the shared image cache's budget
	)
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"calibrate-null.yaml", "calibrate-null-baseline.yaml"} {
		files = append(files, studyCopy(t, dir, name, "\nrepeat: 100\n", "\nrepeat: 6\n"))
	}
	oldCache := sky.Shared.Stats().Budget
	sky.Shared.SetBudget(cache)
	defer sky.Shared.SetBudget(oldCache)
	// What earlier tests of this package left reachable (open sources,
	// cached images) is the base; the run is held to the limit above it.
	runtime.GC()
	base := liveHeap()
	old := debug.SetMemoryLimit(int64(base) + limit)
	defer debug.SetMemoryLimit(old)

	stop := heapPeak()
	spec, err := NewSpec("memory budget", files, "calibrate", filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(context.Background(), spec, "", Options{Executor: "local"})
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	if n := Jobs(rep); n != 12 {
		t.Fatalf("%d jobs, want 12", n)
	}
	st := sky.Shared.Stats()
	peak -= min(peak, base)
	t.Logf("peak heap %.0f MB above the %.0f MB held before the run (limit %.0f MB); %s", float64(peak)/(1<<20), float64(base)/(1<<20), float64(limit)/(1<<20), st)
	if st.Bytes > cache {
		t.Errorf("the image cache holds %d bytes, over its budget of %d", st.Bytes, cache)
	}
	if peak > limit {
		t.Errorf("the heap peaked at %.0f MB, over the %.0f MB limit", float64(peak)/(1<<20), float64(limit)/(1<<20))
	}
}
