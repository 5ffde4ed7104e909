package sky

import (
	"container/list"
	"sync"
)

// CacheImages wraps a source so that each image it returns (a galaxy at a
// size) is kept, up to maxBytes of pixels, the least recently used going
// first. Experiments that share test galaxies (a paper's tables test on
// the same fields) then render or decode each one once per process. The
// source's images must be deterministic, as every Source's are; callers
// must not modify a returned image.
func CacheImages(src Source, maxBytes int64) Source {
	return &cachedSource{Source: src, max: maxBytes, byKey: map[imageKey]*list.Element{}, order: list.New()}
}

type imageKey struct {
	id   string
	size int
}

type cachedImage struct {
	key imageKey
	img *Image
}

type cachedSource struct {
	Source
	max   int64
	mu    sync.Mutex
	used  int64
	byKey map[imageKey]*list.Element
	order *list.List // front: most recently used
}

// Image returns the cached image or asks the wrapped source for it.
// Errors are not cached.
func (c *cachedSource) Image(g *Galaxy, size int) (*Image, error) {
	k := imageKey{g.ID, size}
	c.mu.Lock()
	if e, ok := c.byKey[k]; ok {
		c.order.MoveToFront(e)
		img := e.Value.(*cachedImage).img
		c.mu.Unlock()
		return img, nil
	}
	c.mu.Unlock()
	img, err := c.Source.Image(g, size)
	if err != nil {
		return nil, err
	}
	n := int64(len(img.Pix))
	if n > c.max {
		return img, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[k]; ok { // another goroutine got there first
		return img, nil
	}
	for c.used+n > c.max {
		last := c.order.Back()
		old := last.Value.(*cachedImage)
		c.order.Remove(last)
		delete(c.byKey, old.key)
		c.used -= int64(len(old.img.Pix))
	}
	c.byKey[k] = c.order.PushFront(&cachedImage{k, img})
	c.used += n
	return img, nil
}

// Unwrap returns the wrapped source.
func (c *cachedSource) Unwrap() Source { return c.Source }
