package classify

// Hand-written scanners for the promotional signals: a regexp engine cost
// a third of the classifier's time on long reviews.

import (
	"regexp"
	"strings"
)

// tlds are the endings that make "word.tld" a web address.
var tlds = map[string]bool{
	"com": true, "net": true, "org": true, "de": true, "nl": true, "se": true, "dk": true, "no": true,
	"fr": true, "pl": true, "it": true, "es": true, "eu": true, "be": true, "at": true, "ch": true,
	"co": true, "uk": true, "shop": true, "store": true, "info": true, "biz": true, "ly": true,
	"io": true, "xyz": true, "online": true,
}

// findLink returns the first link: http(s)://, www., or a lower-case bare
// domain ("shop-name.de"). "gut.Es" is a missing space, not a site.
func findLink(s string) string {
	for _, p := range []string{"https://", "http://", "www."} {
		if containsFold(s, p) {
			return p
		}
	}
	for i := 2; i < len(s)-2; i++ {
		if s[i] != '.' {
			continue
		}
		j := i - 1
		for j >= 0 && isDomainByte(s[j]) {
			j--
		}
		if i-j-1 < 2 {
			continue
		}
		k := i + 1
		for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
			k++
		}
		if k < len(s) && (isDomainByte(s[k]) || s[k] >= 'A' && s[k] <= 'Z') {
			continue
		}
		if tlds[s[i+1:k]] {
			return s[j+1 : k]
		}
	}
	return ""
}

func isDomainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

// hasHandle reports an @name of three or more characters that starts a word.
func hasHandle(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || i > 0 && s[i-1] != ' ' && s[i-1] != '\n' && s[i-1] != '\t' {
			continue
		}
		n := 0
		for k := i + 1; k < len(s); k++ {
			c := s[k]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' {
				n++
				continue
			}
			break
		}
		if n >= 3 {
			return true
		}
	}
	return false
}

// hasPhone reports a run of eight or more digits in at most four groups
// joined by single spaces, dashes or slashes, optionally after a '+'.
func hasPhone(s string) bool {
	digits, groups := 0, 0
	prevDigit := false
	for i := 0; i <= len(s); i++ {
		var c byte
		if i < len(s) {
			c = s[i]
		}
		switch {
		case c >= '0' && c <= '9':
			if !prevDigit {
				groups++
			}
			digits++
			prevDigit = true
			continue
		case prevDigit && (c == ' ' || c == '-' || c == '/') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			prevDigit = false
			continue
		}
		if digits >= 8 && groups <= 4 {
			return true
		}
		digits, groups, prevDigit = 0, 0, false
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII p, in any
// case, without copying s.
func containsFold(s, p string) bool {
	for i := 0; i+len(p) <= len(s); i++ {
		j := 0
		for ; j < len(p); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != p[j] {
				break
			}
		}
		if j == len(p) {
			return true
		}
	}
	return false
}

// stripLinks blanks out every web address in s, so the words of a domain
// ("top-reviews-cheap.com") are not read as praise or a problem.
func stripLinks(s string) string {
	for n := 0; n < 8; n++ {
		m := findLink(s)
		if m == "" {
			return s
		}
		i := indexFold(s, m)
		if i < 0 {
			return s
		}
		j := i + len(m)
		if m == "www." || strings.HasPrefix(m, "http") {
			for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' {
				j++
			}
		}
		s = s[:i] + " " + s[j:]
	}
	return s
}

// indexFold is strings.Index for a lower-case ASCII p, ignoring case in s.
func indexFold(s, p string) int {
	for i := 0; i+len(p) <= len(s); i++ {
		if containsFold(s[i:i+len(p)], p) {
			return i
		}
	}
	return -1
}

// maskedSwears adds swear words written with asterisks ("f***ing", "sh*t",
// "Sch***e"): the writer hides the letters, not the intent. A lone "*" or
// "**" for emphasis is not one.
func (ev *evidence) maskedSwears(s string) {
	if !strings.Contains(s, "*") {
		return
	}
	for _, m := range maskedRe.FindAllString(s, 3) {
		ev.obscene = append(ev.obscene, m)
	}
}

var maskedRe = regexp.MustCompile(`\b\pL{1,4}\*{1,4}\pL{0,8}`)
