package reply

import (
	"strings"
	"unicode"

	"github.com/calmreply/calmreply/shared/review"
)

// Problem is something a reply must not say, found by Check.
type Problem struct {
	// Code is "defensive" (contradicting or lecturing the customer),
	// "blame" (pointing at the courier, the customer or anyone else),
	// "promotion" (advertising in an answer to criticism), "promise" (an
	// offer the seller has not enabled) or "placeholder" (unfilled {slot}).
	Code   string `json:"code"`
	Phrase string `json:"phrase"`
}

// Check lists the problems in a reply written in lang: defensive, blaming or
// promotional phrases, and promises of offers not enabled in offers. The
// built-in phrases must pass it, and a language model's draft that fails it
// is replaced by the built-in one. English phrases are checked in every
// language, since mixed-in English is common in model output.
func Check(text, lang string, offers review.Offers) []Problem {
	norm := normalize(text)
	var out []Problem
	seen := map[string]bool{}
	add := func(code, phrase string) {
		if !seen[code+phrase] {
			seen[code+phrase] = true
			out = append(out, Problem{Code: code, Phrase: phrase})
		}
	}
	enabled := map[string]bool{
		"refund": offers.Refund, "replacement": offers.Replacement,
		"discount_code": offers.DiscountCode, "free_shipping": offers.FreeShipping,
	}
	langs := []string{strings.ToLower(lang)}
	if langs[0] != "en" {
		langs = append(langs, "en")
	}
	for _, l := range langs {
		b, ok := books[l]
		if !ok {
			continue
		}
		for _, code := range []string{"defensive", "blame", "promotion"} {
			for _, p := range b.Check[code] {
				if containsPhrase(norm, p) {
					add(code, p)
				}
			}
		}
		for offer, words := range b.OfferWords {
			if enabled[offer] {
				continue
			}
			for _, p := range words {
				if containsPhrase(norm, p) {
					add("promise", p)
				}
			}
		}
	}
	if i := strings.IndexAny(text, "{["); i >= 0 {
		if j := strings.IndexAny(text[i:], "}]"); j > 0 {
			add("placeholder", text[i:i+j+1])
		}
	}
	return out
}

// normalize lowercases and turns everything but letters and digits into
// single spaces, padded, so phrases match at word starts.
func normalize(s string) string {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '%' {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// containsPhrase matches a phrase at a word start; a phrase ending in "*"
// also matches longer words ("erstatt*").
func containsPhrase(norm, phrase string) bool {
	prefix := strings.HasSuffix(phrase, "*")
	p := strings.TrimSpace(normalize(strings.TrimSuffix(phrase, "*")))
	if p == "" {
		return false
	}
	if prefix {
		return strings.Contains(norm, " "+p)
	}
	return strings.Contains(norm, " "+p+" ")
}
