package filelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A second TryLock on a held lock fails with ErrLocked and the holder's
// PID is readable; after Unlock it succeeds. Wait waits, and stops when
// its context is cancelled.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.lock")
	a, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	if h := Holder(path); h != os.Getpid() {
		t.Errorf("holder %d, want %d", h, os.Getpid())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var told int
	if _, err := Wait(ctx, path, 10*time.Millisecond, func(h int) { told = h }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait on a held lock: %v", err)
	}
	if told != os.Getpid() {
		t.Errorf("waiting told holder %d", told)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		a.Unlock()
	}()
	b, err := Wait(context.Background(), path, 10*time.Millisecond, nil)
	if err != nil {
		t.Fatalf("wait after unlock: %v", err)
	}
	b.Unlock()
	b.Unlock() // twice is harmless
}
