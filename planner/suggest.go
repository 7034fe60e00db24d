package planner

import (
	"strings"
)

// EditDistance is the Levenshtein distance between a and b, counted in
// runes. The connectors' option suggestions use it too.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to name if it is close enough to
// be a likely typo, or "".
func closest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	limit := max(2, len([]rune(name))/3)
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := EditDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD && d <= limit {
			best, bestD = c, d
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
