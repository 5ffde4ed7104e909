package probe

import (
	"math"
	"slices"
)

// FeatureNames names Features' values, in order.
var FeatureNames = []string{
	"mean_r", "mean_g", "mean_b",
	"sky_r", "sky_g", "sky_b",
	"noise_r", "noise_g", "noise_b",
	"stars", "texture", "blockiness",
}

// Features measures simple statistics of an RGB image (side x side,
// row-major, 3 bytes a pixel), on a 0-1 scale: the per-channel mean; the
// sky background (per-channel median of the outer border, a fifth of the
// side wide) and its noise (1.4826 x the median absolute deviation there);
// a star-count proxy (the fraction of border pixels brighter than the sky
// by 5 noise in the summed channels); fine-scale texture (the mean absolute
// Laplacian of the summed channels); and JPEG blockiness (the mean step
// across 8-pixel block edges over the mean step within blocks, 1 for an
// image without a block grid).
func Features(img []uint8, side int) []float64 {
	n := side * side
	out := make([]float64, 0, len(FeatureNames))
	for c := 0; c < 3; c++ {
		var s float64
		for i := 0; i < n; i++ {
			s += float64(img[3*i+c])
		}
		out = append(out, s/float64(n)/255)
	}
	b := max(1, side/5)
	border := func(x, y int) bool { return x < b || y < b || x >= side-b || y >= side-b }
	var sky, noise [3]float64
	vals := make([]float64, 0, n)
	for c := 0; c < 3; c++ {
		vals = vals[:0]
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				if border(x, y) {
					vals = append(vals, float64(img[3*(y*side+x)+c])/255)
				}
			}
		}
		sky[c] = median(vals)
		for i := range vals {
			vals[i] = math.Abs(vals[i] - sky[c])
		}
		noise[c] = 1.4826 * median(vals)
	}
	out = append(out, sky[0], sky[1], sky[2], noise[0], noise[1], noise[2])
	sum := make([]float64, n)
	for i := range sum {
		sum[i] = (float64(img[3*i]) + float64(img[3*i+1]) + float64(img[3*i+2])) / 255
	}
	level := sky[0] + sky[1] + sky[2]
	sigma := math.Sqrt(noise[0]*noise[0]+noise[1]*noise[1]+noise[2]*noise[2]) + 1.0/255
	bright, count := 0, 0
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			if border(x, y) {
				count++
				if sum[y*side+x] > level+5*sigma {
					bright++
				}
			}
		}
	}
	out = append(out, float64(bright)/float64(max(count, 1)))
	var lap float64
	for y := 1; y < side-1; y++ {
		for x := 1; x < side-1; x++ {
			i := y*side + x
			lap += math.Abs(4*sum[i] - sum[i-1] - sum[i+1] - sum[i-side] - sum[i+side])
		}
	}
	out = append(out, lap/float64(max(1, (side-2)*(side-2))))
	var edge, inner float64
	var ne, ni int
	for y := 0; y < side; y++ {
		for x := 1; x < side; x++ {
			d := math.Abs(sum[y*side+x] - sum[y*side+x-1])
			if x%8 == 0 {
				edge, ne = edge+d, ne+1
			} else {
				inner, ni = inner+d, ni+1
			}
		}
	}
	blocky := 1.0
	if ne > 0 && ni > 0 && inner > 0 {
		blocky = (edge / float64(ne)) / (inner / float64(ni))
	}
	return append(out, blocky)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
