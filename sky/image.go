package sky

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// Image is a square RGB image stored as bytes, row-major, three bytes a
// pixel: the form every image keeps until a training batch is built.
type Image struct {
	Size int
	Pix  []uint8
}

// NewImage allocates a black size x size image.
func NewImage(size int) *Image {
	return &Image{Size: size, Pix: make([]uint8, size*size*3)}
}

// RGBA converts the image to an image.RGBA, for encoding and display.
func (m *Image) RGBA() *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, m.Size, m.Size))
	for i, j := 0, 0; i < len(m.Pix); i, j = i+3, j+4 {
		out.Pix[j], out.Pix[j+1], out.Pix[j+2], out.Pix[j+3] = m.Pix[i], m.Pix[i+1], m.Pix[i+2], 255
	}
	return out
}

// ErrBadImage marks errors from images that are missing, unreadable or
// corrupt, which a source with skip_bad may count and skip.
var ErrBadImage = errors.New("bad image")

// The limits on an image file, checked before it is read or decoded: a
// device such as /dev/zero, a huge file or a small file that decodes to
// gigabytes of pixels fails at once, naming the path.
const (
	// MaxImageBytes is the largest image file read.
	MaxImageBytes = 64 << 20
	// MaxImagePixels is the largest image decoded (width x height, from
	// the file's header).
	MaxImagePixels = 40_000_000
)

// DecodeImageFile reads a JPEG or PNG file (chosen by its content, not its
// name): a regular file of at most MaxImageBytes whose header declares at
// most MaxImagePixels. Every error names the path and wraps ErrBadImage.
func DecodeImageFile(path string) (image.Image, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s: not a regular file", ErrBadImage, path)
	}
	if st.Size() > MaxImageBytes {
		return nil, fmt.Errorf("%w: %s: %d bytes, more than the %d an image may have", ErrBadImage, path, st.Size(), MaxImageBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	return decodeImageBytes(path, data)
}

func decodeImageBytes(path string, data []byte) (image.Image, error) {
	if len(data) > MaxImageBytes {
		return nil, fmt.Errorf("%w: %s: %d bytes, more than the %d an image may have", ErrBadImage, path, len(data), MaxImageBytes)
	}
	var cfg image.Config
	var err error
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err == nil && int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%w: %s: %dx%d pixels, more than the %d an image may have", ErrBadImage, path, cfg.Width, cfg.Height, MaxImagePixels)
	}
	var img image.Image
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		img, err = jpeg.Decode(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		img, err = png.Decode(bytes.NewReader(data))
	default:
		return nil, fmt.Errorf("%w: %s: not a JPEG or PNG file", ErrBadImage, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadImage, path, err)
	}
	if b := img.Bounds(); b.Dx() < 2 || b.Dy() < 2 {
		return nil, fmt.Errorf("%w: %s: image is %dx%d", ErrBadImage, path, b.Dx(), b.Dy())
	}
	return img, nil
}

// FromImage centre-crops img to a square holding the given fraction of its
// shorter side (1 keeps it all) and resamples it to size x size by area
// averaging (each output pixel is the mean of the input pixels it covers),
// which neither aliases when shrinking nor depends on the platform.
func FromImage(img image.Image, size int, crop float64) *Image {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	if crop > 0 && crop < 1 {
		side = max(1, int(float64(side)*crop+0.5))
	}
	x0 := b.Min.X + (b.Dx()-side)/2
	y0 := b.Min.Y + (b.Dy()-side)/2
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Rect != image.Rect(x0, y0, x0+side, y0+side) {
		rgba = image.NewRGBA(image.Rect(0, 0, side, side))
		draw.Draw(rgba, rgba.Rect, img, image.Pt(x0, y0), draw.Src)
	}
	src := make([]float32, side*side*3)
	for y := 0; y < side; y++ {
		row := rgba.Pix[y*rgba.Stride:]
		for x := 0; x < side; x++ {
			o := (y*side + x) * 3
			src[o], src[o+1], src[o+2] = float32(row[4*x]), float32(row[4*x+1]), float32(row[4*x+2])
		}
	}
	return resampleFloat(src, side, size)
}

// Resample returns the image at another size (area averaging down,
// bilinear-free box weights up), or the image itself when the size matches.
func (m *Image) Resample(size int) *Image {
	if size == m.Size {
		return m
	}
	src := make([]float32, len(m.Pix))
	for i, v := range m.Pix {
		src[i] = float32(v)
	}
	return resampleFloat(src, m.Size, size)
}

// resampleFloat resamples a square RGB float image of side n to side m with
// exact box-filter weights, separably.
func resampleFloat(src []float32, n, m int) *Image {
	wts := boxWeights(n, m)
	tmp := make([]float32, n*m*3) // n rows, m columns
	for y := 0; y < n; y++ {
		for x := 0; x < m; x++ {
			var r, g, b float32
			for _, w := range wts[x] {
				o := (y*n + w.i) * 3
				r += w.w * src[o]
				g += w.w * src[o+1]
				b += w.w * src[o+2]
			}
			o := (y*m + x) * 3
			tmp[o], tmp[o+1], tmp[o+2] = r, g, b
		}
	}
	out := NewImage(m)
	for y := 0; y < m; y++ {
		for x := 0; x < m; x++ {
			var r, g, b float32
			for _, w := range wts[y] {
				o := (w.i*m + x) * 3
				r += w.w * tmp[o]
				g += w.w * tmp[o+1]
				b += w.w * tmp[o+2]
			}
			o := (y*m + x) * 3
			out.Pix[o], out.Pix[o+1], out.Pix[o+2] = clamp8(r), clamp8(g), clamp8(b)
		}
	}
	return out
}

type weight struct {
	i int
	w float32
}

// boxWeights gives, for each of m output pixels, the input pixels of n that
// it overlaps and the overlap fractions (summing to 1). When enlarging, each
// output pixel takes the single input pixel under its centre.
func boxWeights(n, m int) [][]weight {
	out := make([][]weight, m)
	scale := float64(n) / float64(m)
	for j := 0; j < m; j++ {
		if scale <= 1 {
			i := min(int((float64(j)+0.5)*scale), n-1)
			out[j] = []weight{{i, 1}}
			continue
		}
		lo, hi := float64(j)*scale, float64(j+1)*scale
		for i := int(lo); i < n && float64(i) < hi; i++ {
			a := max(lo, float64(i))
			b := min(hi, float64(i+1))
			if b > a {
				out[j] = append(out[j], weight{i, float32((b - a) / scale)})
			}
		}
	}
	return out
}

func clamp8(v float32) uint8 {
	v += 0.5
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v)
}

// ImageSet holds labelled images of one size as bytes, back to back: the
// memory form of a training or test set (120x120 colour is 43 KB a galaxy).
type ImageSet struct {
	Size   int
	Pix    []uint8
	Labels []Class
	// Galaxies are the galaxies whose images are held, in order.
	Galaxies []Galaxy
	// Bad lists the images skipped as unreadable (only with skip_bad).
	Bad []error
}

// Len is the number of images.
func (s *ImageSet) Len() int { return len(s.Labels) }

// Side is the images' width and height in pixels (Size; for cnn.Images).
func (s *ImageSet) Side() int { return s.Size }

// Label is image i's class as the network's 0/1 target (spiral is 1).
func (s *ImageSet) Label(i int) int { return int(s.Labels[i]) }

// At returns image i's bytes (size*size*3, RGB, row-major).
func (s *ImageSet) At(i int) []uint8 {
	n := s.Size * s.Size * 3
	return s.Pix[i*n : (i+1)*n]
}

// LoadImages renders or reads the images of the given galaxies at the given
// size, in parallel but into fixed positions, so the set is the same on any
// number of cores. A bad image is an error naming its path unless skipBad
// is set, in which case it is left out and listed in Bad.
func LoadImages(ctx context.Context, src Source, gals []Galaxy, size int, skipBad bool) (*ImageSet, error) {
	return LoadImagesWith(ctx, src, gals, size, skipBad, nil)
}

// EachImage reads the images of gals at size x size side by side
// (GOMAXPROCS readers), handing each to use(i, img) from the reader that
// read it, and reports the count done to step (nil: no reports) every few
// images. It returns each galaxy's read error (nil where it read), or
// ctx's error when stopped.
func EachImage(ctx context.Context, src Source, gals []Galaxy, size int, use func(i int, img *Image), step func(done int)) ([]error, error) {
	var done atomic.Int64
	errs := make([]error, len(gals))
	var wg sync.WaitGroup
	next := make(chan int)
	workers := min(runtime.GOMAXPROCS(0), max(1, len(gals)))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				img, err := src.Image(&gals[i], size)
				if err == nil && len(img.Pix) != size*size*3 {
					err = fmt.Errorf("image is %dx%d, want %dx%d", img.Size, img.Size, size, size)
				}
				if err != nil {
					errs[i] = err
					continue
				}
				use(i, img)
				if d := done.Add(1); step != nil && (d%16 == 0 || int(d) == len(gals)) {
					step(int(d))
				}
			}
		}()
	}
	var ctxErr error
feed:
	for i := range gals {
		select {
		case next <- i:
		case <-ctx.Done():
			ctxErr = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return errs, ctxErr
}

// LoadImagesWith is LoadImages that reports how many images are done to
// step (nil: no reports), from the loading goroutines, every few images.
func LoadImagesWith(ctx context.Context, src Source, gals []Galaxy, size int, skipBad bool, step func(done int)) (*ImageSet, error) {
	n := size * size * 3
	pix := make([]uint8, len(gals)*n)
	errs, err := EachImage(ctx, src, gals, size, func(i int, img *Image) { copy(pix[i*n:(i+1)*n], img.Pix) }, step)
	if err != nil {
		return nil, err
	}
	set := &ImageSet{Size: size}
	keep := 0
	for i, err := range errs {
		if err != nil {
			if !skipBad || !errors.Is(err, ErrBadImage) {
				return nil, fmt.Errorf("galaxy %s: %w", gals[i].ID, err)
			}
			set.Bad = append(set.Bad, fmt.Errorf("galaxy %s: %w", gals[i].ID, err))
			continue
		}
		copy(pix[keep*n:(keep+1)*n], pix[i*n:(i+1)*n])
		set.Galaxies = append(set.Galaxies, gals[i])
		set.Labels = append(set.Labels, gals[i].Class)
		keep++
	}
	set.Pix = pix[:keep*n]
	return set, nil
}
