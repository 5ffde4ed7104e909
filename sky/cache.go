package sky

import (
	"container/list"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// DefaultCacheBytes is the shared image cache's budget unless changed
// (SetCacheBudget, the command line's --cache): enough for every test
// galaxy of the paper's quick profile at 48x48, a small part of a laptop's
// memory.
const DefaultCacheBytes int64 = 256 << 20

// ImageCache keeps images (a galaxy of a source at a size) up to a byte
// budget of pixels over every source it serves, the least recently used
// going first. Experiments that share test galaxies (a paper's tables
// test on the same fields) then render or decode each one once per
// process. Sources' images must be deterministic, as every Source's are;
// callers must not modify a returned image.
type ImageCache struct {
	mu     sync.Mutex
	max    int64
	used   int64
	byKey  map[imageKey]*list.Element
	order  *list.List // front: most recently used
	hits   atomic.Int64
	misses atomic.Int64
}

// NewImageCache returns an empty cache with a budget of maxBytes.
func NewImageCache(maxBytes int64) *ImageCache {
	return &ImageCache{max: max(0, maxBytes), byKey: map[imageKey]*list.Element{}, order: list.New()}
}

// Shared is the process's image cache, which every source opened by Open
// goes through.
var Shared = NewImageCache(DefaultCacheBytes)

// CacheStats is what a cache holds and how well it served.
type CacheStats struct {
	Budget, Bytes int64
	Images        int
	Hits, Misses  int64
}

// String is a one-line account, for logs.
func (s CacheStats) String() string {
	return fmt.Sprintf("image cache: %d images, %.0f of %.0f MB; %d hits, %d misses",
		s.Images, float64(s.Bytes)/1e6, float64(s.Budget)/1e6, s.Hits, s.Misses)
}

// Stats reports the cache's budget, use and hit counts.
func (c *ImageCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Budget: c.max, Bytes: c.used, Images: len(c.byKey), Hits: c.hits.Load(), Misses: c.misses.Load()}
}

// SetBudget changes the budget, evicting what no longer fits; 0 keeps
// nothing.
func (c *ImageCache) SetBudget(maxBytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = max(0, maxBytes)
	c.evict(0)
}

// evict drops the least recently used images until n more bytes fit;
// c.mu is held.
func (c *ImageCache) evict(n int64) {
	for c.used+n > c.max && c.order.Len() > 0 {
		last := c.order.Back()
		old := last.Value.(*cachedImage)
		c.order.Remove(last)
		delete(c.byKey, old.key)
		c.used -= int64(len(old.img.Pix))
	}
}

// wrapped numbers the sources wrapped by any cache, so that each keeps
// its own entries: two catalogs with one digest may still read different
// image folders.
var wrapped atomic.Int64

// Wrap returns src with its images going through the cache.
func (c *ImageCache) Wrap(src Source) Source {
	return &cachedSource{Source: src, cache: c, id: wrapped.Add(1)}
}

// CacheImages wraps a source with a cache of its own of maxBytes (tests
// and single-source tools; the pipeline shares Shared).
func CacheImages(src Source, maxBytes int64) Source { return NewImageCache(maxBytes).Wrap(src) }

type imageKey struct {
	source int64
	id     string
	size   int
}

type cachedImage struct {
	key imageKey
	img *Image
}

type cachedSource struct {
	Source
	cache *ImageCache
	id    int64
}

// Image returns the cached image or asks the wrapped source for it.
// Errors are not cached.
func (s *cachedSource) Image(g *Galaxy, size int) (*Image, error) {
	c := s.cache
	k := imageKey{s.id, g.ID, size}
	c.mu.Lock()
	if e, ok := c.byKey[k]; ok {
		c.order.MoveToFront(e)
		img := e.Value.(*cachedImage).img
		c.mu.Unlock()
		c.hits.Add(1)
		return img, nil
	}
	c.mu.Unlock()
	c.misses.Add(1)
	img, err := s.Source.Image(g, size)
	if err != nil {
		return nil, err
	}
	n := int64(len(img.Pix))
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		return img, nil
	}
	if _, ok := c.byKey[k]; ok { // another goroutine got there first
		return img, nil
	}
	c.evict(n)
	c.byKey[k] = c.order.PushFront(&cachedImage{k, img})
	c.used += n
	return img, nil
}

// Unwrap returns the wrapped source.
func (s *cachedSource) Unwrap() Source { return s.Source }

// opened keeps the sources Open has opened by path, size and modification
// time, so a batch of experiments over one survey lists its galaxies once.
var opened = struct {
	sync.Mutex
	m map[string]Source
}{m: map[string]Source{}}

// Open opens a source definition file (see OpenSource), reusing the
// source already open while the file is unchanged (same size and
// modification time). Its images go through the Shared cache.
func Open(path string) (Source, error) { return OpenWith(path, "") }

// OpenWith is Open with overrides: a YAML mapping laid over the file's
// survey: block key by key ("contrast: 0.4", "fields: {f2: {sky: {stars:
// 5}}}"), as an experiment's sweep over source keys asks. Overrides apply
// to synthetic surveys only.
func OpenWith(path, overrides string) (Source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // names the path
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	key := fmt.Sprintf("%s|%d|%d|%s", path, st.Size(), st.ModTime().UnixNano(), overrides)
	opened.Lock()
	defer opened.Unlock()
	if s, ok := opened.m[key]; ok {
		return s, nil
	}
	var s Source
	if overrides == "" {
		s, err = OpenSource(path)
	} else {
		s, err = openOverridden(path, overrides)
	}
	if err != nil {
		return nil, err
	}
	s = Shared.Wrap(s)
	opened.m[key] = s
	return s, nil
}
