package analysis

import (
	"fmt"

	"github.com/skybias/skybias/stats"
)

// FamilyAlpha is the family-wise error rate the verdict holds: across all
// the comparisons of one report, the chance of calling any shift where no
// design has one is at most 5% (Holm's method).
const FamilyAlpha = 0.05

// Verdict is what a report concludes about one comparison.
type Verdict int

// The verdicts.
const (
	// NoShift: the effect's interval, adjusted for the family, holds 0.
	NoShift Verdict = iota
	// ShiftFound: the design pulled the answers the way the paper found.
	ShiftFound
	// Reverse: a shift against the paper's direction.
	Reverse
)

// String names the verdict as the report prints it.
func (v Verdict) String() string {
	switch v {
	case ShiftFound:
		return "shift"
	case Reverse:
		return "reverse shift"
	}
	return "no shift"
}

// ParseVerdict reads a verdict as String writes it (summary.json keeps
// them as words); false for any other word.
func ParseVerdict(s string) (Verdict, bool) {
	for _, v := range []Verdict{NoShift, ShiftFound, Reverse} {
		if v.String() == s {
			return v, true
		}
	}
	return NoShift, false
}

// MarshalText writes the verdict as String does, so summary.json and
// the CSV tables hold words, not numbers.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a verdict as MarshalText writes it, refusing any
// other word.
func (v *Verdict) UnmarshalText(b []byte) error {
	got, ok := ParseVerdict(string(b))
	if !ok {
		return fmt.Errorf("verdict %.40q: want one of %q, %q, %q", b, NoShift.String(), ShiftFound.String(), Reverse.String())
	}
	*v = got
	return nil
}

// Decision is one comparison's verdict within its family.
type Decision struct {
	// P is the effect's two-sided P; PHolm the Holm-adjusted one.
	P, PHolm float64
	Verdict  Verdict
}

// Decide applies Holm's adjustment across a family of effects and calls a
// shift where the adjusted P is below alpha (equivalently, where the
// effect's interval at the Holm-adjusted level excludes zero); its sign
// says which way.
func Decide(es []Effect, alpha float64) []Decision {
	ps := make([]float64, len(es))
	for i, e := range es {
		ps[i] = e.P
	}
	adj := stats.Holm(ps)
	out := make([]Decision, len(es))
	for i, e := range es {
		d := Decision{P: e.P, PHolm: adj[i]}
		if adj[i] < alpha {
			d.Verdict = ShiftFound
			if e.Estimate < 0 {
				d.Verdict = Reverse
			}
		}
		out[i] = d
	}
	return out
}

// Rate is how often a repeated study's verdict called a shift, with the
// exact (Clopper-Pearson) 95% interval of the rate: the false-positive
// rate of a study with no bias by construction, the detection rate (power)
// of one with a bias.
type Rate struct {
	Calls, Repeats int
	Rate, Lo, Hi   float64
}

// NewRate counts calls out of repeats.
func NewRate(calls, repeats int) Rate {
	r := Rate{Calls: calls, Repeats: repeats}
	if repeats > 0 {
		r.Rate = float64(calls) / float64(repeats)
		r.Lo, r.Hi = stats.ClopperPearson(calls, repeats, 1-Level)
	}
	return r
}

// String writes the rate as "3 of 100 = 0.030 [0.006, 0.085]".
func (r Rate) String() string {
	return fmt.Sprintf("%d of %d = %.3f [%.3f, %.3f]", r.Calls, r.Repeats, r.Rate, r.Lo, r.Hi)
}

// PaperLevel is the threshold the paper reported its tests at.
const PaperLevel = 1e-5
