package deadline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every promise pattern starts with one of its language's lead words
// ("within", "innerhalb von") at a word start, followed by white space.
// Running ten case-folding regexps over every draft cost more than the rest
// of the deadline work together, so one pass over the text first finds which
// languages have a lead word there at all, and where the first one is; only
// their regexps run, in the same order as before, each from its first lead
// word on. No match can start earlier, and the regexp's ^ stands in for the
// non-letter before the lead word, so the result is the same.
//
// The check mirrors the regexp exactly where it matters: a word start is the
// text's start or a position after a rune that is not a letter (\pL); letters
// compare by Unicode simple folding, as (?i) does; a space in a lead word
// stands for one or more white-space bytes (\s+).

// leadRef is one lead word of one rule.
type leadRef struct {
	rule int
	lead string
	skip int // bytes of lead's first rune
}

var (
	// leadsASCII and leadsOther index lead words by the fold key of their
	// first rune.
	leadsASCII [utf8.RuneSelf][]leadRef
	leadsOther = map[rune][]leadRef{}
	// unfiltered marks rules whose leads the filter cannot vouch for; they
	// always run.
	unfiltered uint64
)

// indexLeads builds the lead index; init calls it after the rules exist.
func indexLeads() {
	for i, r := range promises {
		if i >= maxFiltered {
			break // beyond the mask: those rules always run
		}
		for _, lead := range r.words.Lead {
			first, _ := utf8.DecodeRuneInString(lead)
			if lead == "" || strings.TrimSpace(lead) != lead || first == utf8.RuneError || isSpace(first) {
				unfiltered |= 1 << i
				continue
			}
			ref := leadRef{rule: i, lead: lead, skip: utf8.RuneLen(first)}
			if k := foldKey(first); k < utf8.RuneSelf {
				leadsASCII[k] = append(leadsASCII[k], ref)
			} else {
				leadsOther[k] = append(leadsOther[k], ref)
			}
		}
	}
}

// maxFiltered is how many rules the filter tracks; later ones always run.
const maxFiltered = 64

// candidates returns, as a bit per rule, the rules that may match text, and
// for each the byte offset of its first lead word (0 for rules it cannot
// vouch for).
func candidates(text string) (mask uint64, from [maxFiltered]int) {
	mask = unfiltered
	prevLetter := false
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !prevLetter {
			var refs []leadRef
			if r < utf8.RuneSelf {
				refs = leadsASCII[foldKey(r)]
			} else if k := foldKey(r); k < utf8.RuneSelf {
				refs = leadsASCII[k]
			} else {
				refs = leadsOther[k]
			}
			for _, ref := range refs {
				// The first rune folds to the lead's: compare from the second.
				if mask&(1<<ref.rule) == 0 && leadAt(text[i+size:], ref.lead[ref.skip:]) {
					mask |= 1 << ref.rule
					from[ref.rule] = i
				}
			}
		}
		if r < utf8.RuneSelf {
			prevLetter = 'a' <= r|0x20 && r|0x20 <= 'z'
		} else {
			prevLetter = unicode.IsLetter(r)
		}
		i += size
	}
	return mask, from
}

// leadAt says whether s starts with lead (folded, spaces as \s+) followed
// by at least one white-space byte.
func leadAt(s, lead string) bool {
	for lead != "" {
		lr, n := utf8.DecodeRuneInString(lead)
		lead = lead[n:]
		if lr == ' ' {
			if s == "" || !isSpace(rune(s[0])) {
				return false
			}
			for s != "" && isSpace(rune(s[0])) {
				s = s[1:]
			}
			continue
		}
		sr, m := utf8.DecodeRuneInString(s)
		if s == "" || !equalFold(sr, lr) {
			return false
		}
		s = s[m:]
	}
	return s != "" && isSpace(rune(s[0]))
}

// isSpace is the regexp's \s: ASCII white space without \v.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

// equalFold compares two runes the way (?i) does: same simple-fold orbit.
func equalFold(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		// ASCII letters fold only to each other within ASCII.
		a, b = a|0x20, b|0x20
		return a == b && 'a' <= a && a <= 'z'
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// foldKey is the smallest rune of r's simple-fold orbit, the same for every
// rune that equalFold matches with r.
func foldKey(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A' // orbits of ASCII letters start with the capital
		}
		return r
	}
	k := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		k = min(k, f)
	}
	return k
}
