package dsl

import (
	"sort"
	"strings"
)

// suggest returns " (did you mean X?)" when a known word is close to the
// unknown one, else "".
func suggest(word string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		if d := editDistance(strings.ToLower(word), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && bestD <= max(1, len(word)/3) {
		return " (did you mean " + best + "?)"
	}
	return ""
}

// oneOf lists known words for a message: "a, b or c".
func oneOf(known []string) string {
	k := append([]string(nil), known...)
	sort.Strings(k)
	switch len(k) {
	case 0:
		return "(none)"
	case 1:
		return k[0]
	}
	return strings.Join(k[:len(k)-1], ", ") + " or " + k[len(k)-1]
}

// editDistance is the optimal-string-alignment distance between two
// strings: insertions, deletions, substitutions and swaps of neighbours
// each cost one ("trian" is one step from "train").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Suggest is the did-you-mean of every skybias message: " (did you mean
// X?)" when one of known is close to word (an edit or two), else "".
func Suggest(word string, known []string) string { return suggest(word, known) }
