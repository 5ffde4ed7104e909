package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPlainLines(t *testing.T) {
	old := PlainEvery
	defer func() { PlainEvery = old }()
	tests := []struct {
		name  string
		every time.Duration
		want  []string // substrings in order
		lines int
	}{
		{"steps throttled", time.Hour, []string{"job a: epoch 1: loss 0.5", "job a: trained"}, 2},
		{"every step", 0, []string{"job a: 1/3 x", "job a: 2/3 x", "job a: 3/3 x", "job a: epoch 1: loss 0.5", "job a: trained"}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			PlainEvery = tc.every
			var b bytes.Buffer
			d := New(&b) // a buffer is not a terminal: plain lines
			task := d.Task("job a", 3)
			for i := 1; i <= 3; i++ {
				task.Step(i, 3, "x")
			}
			task.Line("epoch %d: loss %.1f", 1, 0.5)
			task.Done("trained")
			task.Done("twice") // a second Done writes nothing
			d.Close()
			out := b.String()
			if n := strings.Count(out, "\n"); n != tc.lines {
				t.Errorf("%d lines, want %d:\n%s", n, tc.lines, out)
			}
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing %q (in order) in:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestNilShowsNothing(t *testing.T) {
	var d *Display = New(nil)
	task := d.Task("x", 1)
	task.Step(1, 1, "")
	task.Line("y")
	task.Done("z")
	d.Println("nothing")
	d.Close()
}

// TestLive: only a terminal gets live bars (and with them the run-level
// bar with its ETA); plain and nil displays do not.
func TestLive(t *testing.T) {
	var b strings.Builder
	for _, tc := range []struct {
		name string
		d    *Display
	}{{"nil", New(nil)}, {"plain", Plain(&b)}, {"not a terminal", New(&b)}} {
		if tc.d.Live() {
			t.Errorf("%s display is live", tc.name)
		}
		tc.d.Close()
	}
}
