// Package dose analyses a dose-response study: a design's effect measured
// at several strengths of one survey condition (a field contrast, a sky
// colour), with repeats at each. It tests for a trend (is the effect
// rising with the dose?), fits the effect as a non-decreasing function of
// the dose, and brackets the dose at which that function reaches a stated
// effect, with the bracket's confidence. It knows nothing of networks or
// the sky: its inputs are numbers.
package dose
