package sky

import (
	"math"
	"slices"
)

// ImageStatNames are the per-image statistics a catalog can carry beside
// its labels (skybias annotate writes them), in column order: sky_level,
// the median grey level of the cutout's border (0..1), and sky_noise,
// the border's robust standard deviation (1.4826 times its median
// absolute deviation, 0..1). A network that learned the sky could follow
// either; fitted as covariates, they let an anisotropy test ask whether
// the labels follow the images' conditions rather than the direction.
var ImageStatNames = []string{"sky_level", "sky_noise"}

// ImageStats computes ImageStatNames for an image (in that order) from
// the pixels within a tenth of the side of its edge, where a centred
// galaxy leaves mostly sky.
func (m *Image) ImageStats() []float64 {
	n := m.Size
	w := max(1, n/10)
	grey := make([]float64, 0, 4*w*n)
	for y := range n {
		for x := range n {
			if x >= w && x < n-w && y >= w && y < n-w {
				continue
			}
			p := m.Pix[3*(y*n+x):]
			grey = append(grey, (float64(p[0])+float64(p[1])+float64(p[2]))/(3*255))
		}
	}
	if len(grey) == 0 {
		return []float64{math.NaN(), math.NaN()}
	}
	med := median(grey)
	for i, g := range grey {
		grey[i] = math.Abs(g - med)
	}
	return []float64{med, 1.4826 * median(grey)}
}

// median sorts xs in place and returns its median.
func median(xs []float64) float64 {
	slices.Sort(xs)
	k := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[k]
	}
	return (xs[k-1] + xs[k]) / 2
}
