// Package text tidies the strings scrapers read out of review markup: white
// space as a reader sees it, lengths bounded, the full text chosen over a
// shortened preview. Platforms whose markup needs more (Google's line
// structure) keep their own rules.
package text

import (
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
)

// Squash collapses runs of white space, no-break spaces included, to one
// space and trims the ends: source indentation and line wrapping are not
// part of what the reviewer wrote.
func Squash(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// Clip cuts s to at most n runes (never inside a rune), trimming the white
// space the cut leaves at the end.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// maxCandidates bounds Longest on hostile pages.
const maxCandidates = 100

// Longest returns the longest squashed text among the first elements of
// sel: where a page shows a shortened preview beside the full text, the
// full text wins.
func Longest(sel *goquery.Selection) string {
	best := ""
	sel.EachWithBreak(func(i int, e *goquery.Selection) bool {
		if t := Squash(e.Text()); len(t) > len(best) {
			best = t
		}
		return i < maxCandidates
	})
	return best
}
