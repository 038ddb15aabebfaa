package reply

import (
	"strings"
	"unicode/utf8"
)

// fits reports whether s is within a byte limit and a character limit
// (0 = no limit). Google counts UTF-8 bytes: "ä" costs two.
func fits(s string, maxBytes, maxChars int) bool {
	return (maxBytes <= 0 || len(s) <= maxBytes) && (maxChars <= 0 || utf8.RuneCountInString(s) <= maxChars)
}

// fit renders m within the limits. When it is too long it keeps the sign-off
// and cuts the text before it at the last sentence end that fits; only when
// no sentence fits does it cut at a word, and never inside a UTF-8 rune.
// cut reports whether anything was removed.
func fit(m message, maxBytes, maxChars int) (s string, cut bool) {
	s = m.String()
	if fits(s, maxBytes, maxChars) {
		return s, false
	}
	var closing string
	if n := len(m); n > 0 && m[n-1].role == "closing" {
		closing, m = m[n-1].text, m[:n-1]
	}
	body := m.String()
	join := func(b string) string {
		if closing == "" {
			return b
		}
		return b + "\n\n" + closing
	}
	if !fits(join(""), maxBytes, maxChars) {
		closing = "" // a sign-off longer than the limit: drop it, keep the words
	}
	best := -1
	for i, r := range body {
		if r != '.' && r != '!' && r != '?' && r != ',' {
			continue
		}
		end := i + 1
		if end < len(body) && body[end] != ' ' && body[end] != '\n' {
			continue // "3.5" or a quote mark: not a sentence end
		}
		if r == ',' { // a greeting line ends in a comma; nothing else may end there
			if end < len(body) && body[end] != '\n' {
				continue
			}
		}
		if !fits(join(body[:end]), maxBytes, maxChars) {
			break
		}
		best = end
	}
	if best > 0 && strings.ContainsAny(body[:best], ".!?") {
		return join(body[:best]), true
	}
	// No whole sentence fits: cut at the last space that does.
	const ellipsis = "…"
	last := 0
	for i, r := range body {
		if r == ' ' || r == '\n' {
			if !fits(join(body[:i]+ellipsis), maxBytes, maxChars) {
				break
			}
			last = i
		}
	}
	if last == 0 {
		// One enormous word: cut at a rune boundary.
		for i := range body {
			if !fits(body[:i]+ellipsis, maxBytes, maxChars) {
				break
			}
			last = i
		}
		return body[:last] + ellipsis, true
	}
	return join(body[:last] + ellipsis), true
}
