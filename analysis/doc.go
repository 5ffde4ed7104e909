// Package analysis turns predictions into the numbers a verdict rests on,
// with no knowledge of how or where the networks ran: the effect of a
// training design (the design-by-field interaction, or the paired shift
// on one field) with an interval that covers training noise as well as
// test sampling, Holm's adjustment across a report's family of
// comparisons, the verdict, the paper's own binomial test, and the
// false-positive or detection rate of a repeated calibration study with
// its exact interval.
//
// Its inputs are plain data (Calls: which galaxies each network called
// spiral), so notebooks and other tools can call it on predictions from
// anywhere.
package analysis
