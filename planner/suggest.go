package planner

import (
	"strings"
	"unicode/utf8"
)

// EditDistance is the Levenshtein distance between a and b, counted in
// runes.
func EditDistance(a, b string) int {
	return EditDistanceWithin(a, b, max(len(a), len(b)))
}

// EditDistanceWithin is the Levenshtein distance between a and b,
// counted in runes, when it is at most limit, and limit+1 otherwise. It
// looks only at the diagonal band |i-j| <= limit and stops as soon as a
// whole row exceeds limit, so its cost is O(min(len) * limit) whatever
// the lengths: suggestions for a 100,000-character name stay instant.
func EditDistanceWithin(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	limit = max(limit, 0)
	inf := limit + 1
	if len(ra)-len(rb) > limit {
		return inf
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = min(j, inf)
	}
	for i := 1; i <= len(ra); i++ {
		lo, hi := max(1, i-limit), min(len(rb), i+limit)
		cur[lo-1] = inf
		if lo == 1 {
			cur[0] = min(i, inf)
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost, inf)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < len(rb) {
			cur[hi+1] = inf
		}
		if rowMin >= inf {
			return inf
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// maxSuggestEdits caps how many edits a suggestion may be away: a name
// farther than that from every candidate is not a typo of one of them.
const maxSuggestEdits = 8

// SuggestLimit is the largest edit distance at which a candidate counts
// as a likely typo of name: a third of its length, at least 2, at most
// maxSuggestEdits. The connectors' option suggestions use it too.
func SuggestLimit(name string) int {
	return min(max(2, utf8.RuneCountInString(name)/3), maxSuggestEdits)
}

// closest returns the candidate nearest to name if it is close enough to
// be a likely typo, or "".
func closest(name string, candidates []string) string {
	best := ""
	limit := SuggestLimit(name)
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := EditDistanceWithin(lower, strings.ToLower(c), limit); d <= limit {
			best, limit = c, d-1
			if limit < 0 {
				break
			}
		}
	}
	return best
}

// didYouMean formats a suggestion suffix: ` (did you mean "x"?)`, or the
// list of candidates when none is close (what says what they are).
func didYouMean(name string, candidates []string, what string) string {
	if c := closest(name, candidates); c != "" {
		return ` (did you mean "` + c + `"?)`
	}
	if len(candidates) == 0 || what == "" {
		return ""
	}
	seen := map[string]bool{}
	var uniq []string
	for _, c := range candidates {
		if !seen[c] {
			seen[c] = true
			uniq = append(uniq, c)
		}
	}
	if len(uniq) > 30 {
		uniq = append(uniq[:30], "...")
	}
	return " (available " + what + ": " + strings.Join(uniq, ", ") + ")"
}
