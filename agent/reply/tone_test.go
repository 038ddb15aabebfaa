package reply

import (
	"strings"
	"testing"
)

// TestToneConsistency: a draft never mixes the formal and informal address.
// Every alternative of a tone must avoid the other tone's pronouns. Formal
// pronouns that are capitalised only as address (Italian Lei, Danish De) are
// matched case-sensitively; the rest ignore case. Italian "La" is left out:
// it is also the article at a sentence start.
func TestToneConsistency(t *testing.T) {
	markers := map[string]struct {
		formal, informal []string
		formalCase       bool
	}{
		"de": {[]string{"Sie", "Ihnen", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer"}, []string{"du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner"}, true},
		"fr": {[]string{"vous", "votre", "vos"}, []string{"tu", "te", "toi", "ton", "ta", "tes", "t"}, false},
		"es": {[]string{"usted", "le", "su", "sus"}, []string{"tú", "tu", "tus", "te", "ti", "contigo"}, false},
		"it": {[]string{"Lei", "Le", "Suo", "Sua", "Suoi", "Sue"}, []string{"tu", "ti", "te", "tuo", "tua", "tuoi", "tue"}, true},
		"pl": {[]string{"Państwo", "Państwa", "Państwu", "Państwem"}, []string{"Ci", "Cię", "Ciebie", "Tobą", "Twoje", "Twoja", "Twoją", "Twoim", "Twoich", "Twojej", "Twoimi"}, true},
		"da": {[]string{"De", "Dem", "Deres"}, []string{"du", "dig", "din", "dit", "dine"}, true},
		"no": {[]string{"De", "Dem", "Deres"}, []string{"du", "deg", "din", "ditt", "dine"}, true},
	}
	for lang, m := range markers {
		b := books[lang]
		if b == nil {
			t.Errorf("no phrase book for %s", lang)
			continue
		}
		check := func(where, tone, text string) {
			other, caseSensitive := m.informal, false
			if tone == "informal" {
				other, caseSensitive = m.formal, m.formalCase
			}
			for _, tok := range tokenize(text) {
				for _, w := range other {
					if caseSensitive && tok.word == w || !caseSensitive && tok.lower == strings.ToLower(w) {
						t.Errorf("%s %s (%s): %q uses %q", lang, where, tone, text, w)
					}
				}
			}
		}
		all := map[string]toned{}
		for k, v := range b.Slots {
			all[k] = v
		}
		for k, v := range b.Topics {
			all["topic."+k] = v
		}
		for k, a := range b.Aspects {
			all["aspect."+k] = a.Phrases
		}
		for where, tn := range all {
			for _, tone := range []string{"formal", "informal"} {
				for _, s := range append(tn.alternatives(tone), tn.pluralAlternatives(tone)...) {
					check(where, tone, strings.ReplaceAll(s, "'", " ")) // t'envoyer, l'abbia
				}
			}
		}
	}
}
