package reply

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/calmreply/calmreply/shared/review"
)

// This file reads the details a draft weaves in: the customer's first name,
// their own word for the product, how long they waited, their question, and
// what they liked. Each finder is conservative: a missing detail falls back
// to neutral wording, a wrong one would make the draft look careless.

// notNames are author labels platforms show for anonymous or generic buyers.
var notNames = map[string]bool{
	"anonymous": true, "anonym": true, "anoniem": true, "anonym kund": true, "customer": true,
	"kunde": true, "klant": true, "kund": true, "buyer": true, "käufer": true, "koper": true,
	"köpare": true, "guest": true, "gast": true, "user": true, "a": true, "google": true,
	"etsy": true, "client": true, "cliente": true, "klient": true, "kunden": true,
	"anonyme": true, "anónimo": true, "anónima": true, "anonimo": true, "anonima": true, "anonim": true,
	"anonimowy": true, "anonymt": true, "acheteur": true, "acheteuse": true, "comprador": true,
	"acquirente": true, "kupujący": true, "klientka": true, "køber": true, "kjøper": true, "utilisateur": true,
	"usuario": true, "utente": true, "użytkownik": true, "bruger": true, "bruker": true,
}

// FirstName returns the first name to greet a reviewer by ("Anna K." ->
// "Anna"), or "" when the author label is not a usable name (initials,
// user names, "Anonymous").
func FirstName(author *string) string {
	if author == nil {
		return ""
	}
	fields := strings.Fields(*author)
	if len(fields) == 0 {
		return ""
	}
	first := strings.TrimRight(fields[0], ",.")
	if notNames[strings.ToLower(first)] || utf8.RuneCountInString(first) < 2 {
		return ""
	}
	for i, r := range first {
		switch {
		case i == 0 && !unicode.IsUpper(r):
			return "" // "coolcat88", "j.smith": a user name, not a first name
		case unicode.IsLetter(r), r == '-', r == '\'':
		default:
			return ""
		}
	}
	if strings.ToUpper(first) == first {
		return "" // "ANNA" or "AK": shouting or initials; stay neutral
	}
	return first
}

// token is one word of a text with its sentence number.
type token struct {
	word     string // as written
	lower    string
	sentence int
}

func tokenize(text string) []token {
	var out []token
	sentence := 0
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			w := cur.String()
			out = append(out, token{word: w, lower: strings.ToLower(w), sentence: sentence})
			cur.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'':
			cur.WriteRune(r)
		case r == '.' || r == '!' || r == '?' || r == '\n' || r == ';':
			flush()
			sentence++
		default:
			flush()
		}
	}
	flush()
	return out
}

// hasWord reports whether any token starts with one of the words; a word
// with a space matches across tokens ("took ages").
func hasWord(toks []token, words []string) bool {
	for _, w := range words {
		if wordAt(toks, w) >= 0 {
			return true
		}
	}
	return false
}

// wordAt returns the index of the first token where w begins, or -1.
func wordAt(toks []token, w string) int {
	parts := strings.Fields(strings.ToLower(w))
	if len(parts) == 0 {
		return -1
	}
	for i := range toks {
		if i+len(parts) > len(toks) {
			break
		}
		if partsAt(toks[i:], parts) {
			return i
		}
	}
	return -1
}

// partsAt says whether the words of a lower-cased, split w begin at toks[0].
func partsAt(toks []token, parts []string) bool {
	if len(parts) > len(toks) {
		return false
	}
	for j, p := range parts {
		t := toks[j].lower
		last := j == len(parts)-1
		if (last && !strings.HasPrefix(t, p)) || (!last && t != p) {
			return false
		}
	}
	return true
}

// inferTopics finds complaint topics in the text when the analysis has none.
func inferTopics(b *book, toks []token) []review.Topic {
	var out []review.Topic
	for _, t := range review.Topics {
		if hasWord(toks, b.TopicWords[string(t)]) {
			out = append(out, t)
		}
	}
	return out
}

// findItem returns the customer's name for the product turned to the shop's
// point of view ("my mug arrived" -> "your mug"): the noun phrase nearest
// before a word of one of the topics, in the same sentence; or "".
func findItem(b *book, toks []token, topics []review.Topic, tone string) string {
	type candidate struct {
		text string
		end  int // index of the verb after the item
	}
	var cands []candidate
	stop := b.Item.stop
	if stop == nil {
		stop = stopSet(b.Item.Stop)
	}
	for i, t := range toks {
		det, ok := b.Item.Determiners[t.lower]
		if !ok {
			continue
		}
		// The item is one to three words after the determiner, ending
		// right before a verb: "the blue mug arrived", "die Tasse war".
		for n := 1; n <= 3; n++ {
			next := i + 1 + n
			if next >= len(toks) {
				break
			}
			words := toks[i+1 : next]
			if toks[next].sentence != t.sentence || !isVerb(toks[next].lower, b.Item.Verbs) || !itemWords(words, stop, b.Item.NounCapital) {
				continue
			}
			shopDet := det[tone]
			if shopDet == "" {
				shopDet = det["formal"]
			}
			parts := []string{shopDet}
			for _, w := range words {
				word := w.word
				if !b.Item.NounCapital && !isAllUpper(word) {
					word = lowerFirst(word)
				}
				parts = append(parts, word)
			}
			cands = append(cands, candidate{strings.Join(parts, " "), next})
			break
		}
	}
	for _, tp := range topics {
		// The first mention of the topic decides; the item is the noun
		// phrase closest before it in the same sentence.
		first := -1
		for _, parts := range b.topicWordParts(string(tp)) {
			for at := range topicHits(toks, parts) {
				if first < 0 || at < first {
					first = at
				}
				break
			}
		}
		if first < 0 {
			continue
		}
		best, bestEnd := "", -1
		for _, c := range cands {
			if c.end <= first && toks[c.end].sentence == toks[first].sentence && c.end > bestEnd {
				best, bestEnd = c.text, c.end
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}

// topicHits yields every token index where a word begins, given as its
// lower-cased parts (see splitWords).
func topicHits(toks []token, parts []string) func(func(int) bool) {
	return func(yield func(int) bool) {
		if len(parts) == 0 {
			return
		}
		for i := range toks {
			if partsAt(toks[i:i+1+min(len(toks)-i-1, 4)], parts) && !yield(i) {
				return
			}
		}
	}
}

func isVerb(w string, verbs []string) bool {
	for _, v := range verbs {
		if w == v {
			return true
		}
	}
	return false
}

// itemWords checks the words between determiner and verb look like a noun
// phrase: no stop words, no digits; in German the last one is a noun.
func itemWords(words []token, stop map[string]bool, nounCapital bool) bool {
	for k, w := range words {
		if stop[w.lower] || utf8.RuneCountInString(w.word) < 2 {
			return false
		}
		for _, r := range w.word {
			if unicode.IsDigit(r) {
				return false
			}
		}
		r, _ := utf8.DecodeRuneInString(w.word)
		last := k == len(words)-1
		if nounCapital && last && !unicode.IsUpper(r) {
			return false
		}
		if nounCapital && !last && unicode.IsUpper(r) {
			return false // two nouns in a row is not one item
		}
	}
	return true
}

func isAllUpper(s string) bool { return strings.ToUpper(s) == s }

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// shortTitle cuts a listing title to its first part: shop titles are long
// keyword lists ("Ceramic mug, blue glaze, gift for her").
func shortTitle(title string) string {
	title = strings.TrimSpace(title)
	if i := strings.IndexAny(title, ",|–—(/"); i > 0 {
		title = title[:i]
	}
	if i := strings.Index(title, " - "); i > 0 {
		title = title[:i]
	}
	words := strings.Fields(title)
	if len(words) > 6 {
		words = words[:6]
	}
	return strings.Join(words, " ")
}

// findDuration returns a waiting time the customer named ("three weeks",
// "10 Tage"), normalised to the form the templates need, or "".
func findDuration(b *book, toks []token) string {
	for i := 0; i+1 < len(toks); i++ {
		num, unit := toks[i], toks[i+1]
		if num.sentence != unit.sentence {
			continue
		}
		u := lookupForm(b.Units, unit.lower)
		if u == "" {
			continue
		}
		if isNumber(num.word) {
			return num.word + " " + u
		}
		if n := lookupForm(b.Numbers, num.lower); n != "" {
			return n + " " + u
		}
	}
	return ""
}

// lookupForm reads "form=normal" pairs ("tagen=Tage"); a bare entry is its
// own normal form.
func lookupForm(pairs []string, w string) string {
	for _, p := range pairs {
		form, norm, ok := strings.Cut(p, "=")
		if !ok {
			norm = form
		}
		if strings.ToLower(form) == w {
			return norm
		}
	}
	return ""
}

func isNumber(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// findQuestion returns the customer's first question sentence when it is
// short enough to quote, else "".
func findQuestion(text string) string {
	end := strings.IndexRune(text, '?')
	if end < 0 {
		return ""
	}
	start := strings.LastIndexAny(text[:end], ".!\n") + 1
	q := strings.TrimSpace(text[start : end+1])
	if n := utf8.RuneCountInString(q); n < 8 || n > 160 {
		return ""
	}
	return q
}

// findAspect returns the first thing a happy customer praised, by the order
// of the aspect words in the text, or "".
func findAspect(b *book, toks []token) string {
	best, bestAt := "", len(toks)
	for name, a := range b.Aspects {
		for _, w := range a.Words {
			if i := wordAt(toks, w); i >= 0 && (i < bestAt || i == bestAt && name < best) {
				best, bestAt = name, i
			}
		}
	}
	return best
}
