package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// PlainEvery is the least time between two plain progress lines of one
// task.
var PlainEvery = 30 * time.Second

// Display draws the progress of tasks to one writer.
type Display struct {
	w    io.Writer
	live *mpb.Progress // nil: plain lines
	mu   sync.Mutex    // serialises plain lines
}

// IsTerminal reports whether w is a terminal (a character device).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// New returns a display on w: live bars when w is a terminal, plain lines
// otherwise. A nil w gives a nil display, which shows nothing.
func New(w io.Writer) *Display {
	if w == nil {
		return nil
	}
	d := &Display{w: w}
	if IsTerminal(w) {
		d.live = mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond))
	}
	return d
}

// Plain returns a display that writes plain lines to w whatever w is
// (nil for a nil w).
func Plain(w io.Writer) *Display {
	if w == nil {
		return nil
	}
	return &Display{w: w}
}

// Println writes a line: above the bars when they are live.
func (d *Display) Println(format string, args ...any) {
	if d == nil {
		return
	}
	line := fmt.Sprintf(format, args...) + "\n"
	if d.live != nil {
		if _, err := d.live.Write([]byte(line)); err == nil {
			return
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	io.WriteString(d.w, line)
}

// Close stops drawing: unfinished bars are dropped. Call it once, when no
// task is running any more.
func (d *Display) Close() {
	if d == nil || d.live == nil {
		return
	}
	d.live.Shutdown()
}

// Task is one piece of long work with a number of steps.
type Task struct {
	d        *Display
	name     string
	bar      *mpb.Bar
	mu       sync.Mutex
	status   string
	total    int
	start    time.Time
	lastLine time.Time
	done     bool
}

// Live reports whether the display draws live bars (a terminal); false
// for plain lines and for a nil display.
func (d *Display) Live() bool { return d != nil && d.live != nil }

// Task starts a task named name of total steps (0 when not yet known: see
// Step).
func (d *Display) Task(name string, total int) *Task {
	if d == nil {
		return nil
	}
	t := &Task{d: d, name: name, total: total, start: time.Now()}
	t.lastLine = t.start
	if d.live != nil {
		t.bar = d.live.AddBar(int64(max(total, 1)),
			mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				t.mu.Lock()
				defer t.mu.Unlock()
				return t.status
			}, decor.WCSyncSpace), decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "")),
			mpb.BarRemoveOnComplete())
	}
	return t
}

// Step moves the task to done of total steps with a status (a running
// loss, a rate). Plain displays write it at most every PlainEvery.
func (t *Task) Step(done, total int, status string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.status = status
	changed := total != t.total
	t.total = total
	now := time.Now()
	plain := t.bar == nil && now.Sub(t.lastLine) >= PlainEvery
	if plain {
		t.lastLine = now
	}
	t.mu.Unlock()
	if t.bar != nil {
		if changed {
			t.bar.SetTotal(int64(max(total, 1)), false)
		}
		t.bar.SetCurrent(int64(done))
		return
	}
	if plain {
		t.d.Println("%s: %d/%d %s", t.name, done, total, status)
	}
}

// Line writes a line about the task (an epoch's summary).
func (t *Task) Line(format string, args ...any) {
	if t == nil {
		return
	}
	t.d.Println("%s: %s", t.name, fmt.Sprintf(format, args...))
}

// Done ends the task, with a closing line unless summary is empty.
func (t *Task) Done(summary string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	already := t.done
	t.done = true
	t.mu.Unlock()
	if already {
		return
	}
	if t.bar != nil {
		t.bar.Abort(true)
		t.bar.Wait()
	}
	if summary != "" {
		t.Line("%s (%s)", summary, time.Since(t.start).Round(100*time.Millisecond))
	}
}
