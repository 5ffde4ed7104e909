package sky

import (
	"bytes"
	"errors"
	"testing"
)

// countingSource renders a fixed pattern per galaxy and counts the calls.
type countingSource struct {
	Source
	calls int
	fail  string
}

func (c *countingSource) Image(g *Galaxy, size int) (*Image, error) {
	c.calls++
	if g.ID == c.fail {
		return nil, ErrBadImage
	}
	img := NewImage(size)
	for i := range img.Pix {
		img.Pix[i] = uint8(len(g.ID) + i)
	}
	return img, nil
}

func TestCacheImages(t *testing.T) {
	inner := &countingSource{fail: "bad"}
	size := 4 // 48 bytes an image
	c := CacheImages(inner, 100)
	a, b, d := &Galaxy{ID: "a"}, &Galaxy{ID: "bb"}, &Galaxy{ID: "ccc"}
	steps := []struct {
		g     *Galaxy
		calls int // the inner source's calls after this step
	}{
		{a, 1}, {a, 1}, // cached
		{b, 2}, {a, 2}, // both fit (96 bytes)
		{d, 3},         // evicts b, the least recently used
		{a, 3}, {b, 4}, // a stayed, b comes back
	}
	for i, s := range steps {
		img, err := c.Image(s.g, size)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := (&countingSource{}).Image(s.g, size)
		if !bytes.Equal(img.Pix, want.Pix) {
			t.Fatalf("step %d: cached pixels differ", i)
		}
		if inner.calls != s.calls {
			t.Fatalf("step %d (%s): %d renders, want %d", i, s.g.ID, inner.calls, s.calls)
		}
	}
	// Other sizes are other images; errors are not kept.
	if _, err := c.Image(a, 2); err != nil || inner.calls != 5 {
		t.Errorf("another size: %v, %d renders", err, inner.calls)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.Image(&Galaxy{ID: "bad"}, size); !errors.Is(err, ErrBadImage) {
			t.Errorf("bad image: %v", err)
		}
	}
	if inner.calls != 7 {
		t.Errorf("a failing image was cached: %d renders", inner.calls)
	}
	// An image larger than the whole cache is returned, not kept.
	if img, err := c.Image(a, 10); err != nil || len(img.Pix) != 300 {
		t.Errorf("large image: %v", err)
	}
}

// One cache serves several sources within one budget, each source keeping
// its own entries, and reports what it holds.
func TestImageCacheSharedBudget(t *testing.T) {
	c := NewImageCache(100) // two 48-byte images
	a, b := &countingSource{}, &countingSource{}
	ca, cb := c.Wrap(a), c.Wrap(b)
	g := &Galaxy{ID: "x"}
	for _, src := range []Source{ca, cb, ca, cb} {
		if _, err := src.Image(g, 4); err != nil {
			t.Fatal(err)
		}
	}
	if a.calls != 1 || b.calls != 1 {
		t.Errorf("renders: %d and %d, want 1 each (the same galaxy ID in two sources is two images)", a.calls, b.calls)
	}
	st := c.Stats()
	if st.Images != 2 || st.Bytes != 96 || st.Hits != 2 || st.Misses != 2 {
		t.Errorf("stats %+v", st)
	}
	if _, err := ca.Image(&Galaxy{ID: "y"}, 4); err != nil { // a third image evicts one
		t.Fatal(err)
	}
	if st := c.Stats(); st.Bytes > st.Budget || st.Images != 2 {
		t.Errorf("over budget: %+v", st)
	}
	c.SetBudget(0)
	if st := c.Stats(); st.Bytes != 0 || st.Images != 0 {
		t.Errorf("a zero budget keeps %+v", st)
	}
}
