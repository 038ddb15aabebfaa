package reply

import (
	"slices"
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
	"rodzina": true, // Polish greets in the vocative; the label would read wrong
}

// familyWords mark a label that greets a household or a titled person
// ("Familie Jansen", "The Miller Family", "Herr Meier"): the whole label is
// the name to greet by, since the first word alone is not a name.
var familyWords = map[string]bool{
	"familie": true, "family": true, "familj": true, "familjen": true, "familien": true,
	"gezin": true, "famille": true, "familia": true, "famiglia": true,
	"fam": true, "herr": true, "frau": true, "mr": true, "mrs": true, "ms": true,
	"mevrouw": true, "meneer": true, "fru": true, "madame": true, "monsieur": true,
	"señor": true, "señora": true, "signor": true, "signora": true, "pan": true, "pani": true,
}

// FirstName returns the first name to greet a reviewer by ("Anna K." ->
// "Anna"), the whole label for a family or a title ("Familie Jansen"), or
// "" when the author label is not a usable name (initials, user names,
// "Anonymous").
func FirstName(author *string) string {
	if author == nil {
		return ""
	}
	fields := strings.Fields(*author)
	if len(fields) > 0 && strings.EqualFold(fields[0], "the") {
		fields = fields[1:] // "The Miller Family"
	}
	if len(fields) == 0 {
		return ""
	}
	if label := familyLabel(fields); label != "" {
		return label
	}
	first := strings.TrimRight(fields[0], ",.")
	if notNames[strings.ToLower(first)] || utf8.RuneCountInString(first) < 2 {
		return ""
	}
	if familyWords[strings.ToLower(first)] {
		return "" // "Familie" alone names no one
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

// familyLabel returns "Familie Jansen" for a label of a family or title
// word and capitalised names, else "".
func familyLabel(fields []string) string {
	if len(fields) < 2 || len(fields) > 3 {
		return ""
	}
	family := false
	for _, f := range fields {
		w := strings.TrimRight(f, ".,")
		if familyWords[strings.ToLower(w)] {
			family = true
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) || utf8.RuneCountInString(w) < 2 || isAllUpper(w) {
			return ""
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' {
				return ""
			}
		}
	}
	if !family {
		return ""
	}
	return strings.TrimRight(strings.Join(fields, " "), ",")
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

// found is the customer's name for the product, turned to the shop's
// point of view, and whether it is plural ("your mugs"), which picks the
// topic phrases that agree with it.
type found struct {
	text   string
	plural bool
}

// findItem returns the customer's name for the product turned to the shop's
// point of view ("my mug arrived" -> "your mug"): the noun phrase nearest
// before a word of one of the topics, in the same sentence; else the first
// noun phrase of the review; or a zero found.
func findItem(b *book, toks []token, topics []review.Topic, tone string) found {
	type candidate struct {
		found
		start, end int // index of the determiner (or noun) and of the verb after the item
		// other: the noun before the verb is not the product (an e-mail,
		// the delivery, the box): the clause is about something else.
		other bool
	}
	var cands []candidate
	stop := b.Item.stop
	if stop == nil {
		stop = stopSet(b.Item.Stop)
	}
	nonItems, ends := b.Item.nonItems, b.Item.nonItemEnds
	if nonItems == nil {
		nonItems, ends = stopSet(b.Item.NonItems), compoundEnds(b.Item.NonItems)
	}
	// A topic word can close the item as a verb does: "the watch stopped",
	// "muggarna sprack".
	topicAt := b.topicTokens(toks)
	// Each token is looked up once: the scans below ask about the same
	// token for every determiner before it.
	verbs := make([]bool, len(toks))
	for i := range toks {
		verbs[i] = topicAt[i] != 0 || isVerb(toks[i].lower, b.Item.Verbs) || isVerb(toks[i].lower, b.Item.PluralVerbs)
	}
	verbAt := func(i int) bool { return verbs[i] }
	for i, t := range toks {
		det, ok := b.Item.Determiners[t.lower]
		if ok && b.Item.NounCapital && i > 0 && toks[i-1].sentence == t.sentence && toks[i-1].word != toks[i-1].lower && (i < 2 || toks[i-2].sentence == t.sentence) {
			ok = false // "der Akku der Lampe": a genitive, not the subject
		}
		if !ok {
			if c, ok := definiteNoun(b, toks, i, stop, verbAt); ok {
				cands = append(cands, candidate{c, i, i + 1, false})
			} else if i+1 < len(toks) && toks[i+1].sentence == t.sentence && verbAt(i+1) && isNonItem(nonItems, ends, t.lower) {
				cands = append(cands, candidate{start: i, end: i + 1, other: true}) // "leveransen var"
			}
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
			if toks[next].sentence != t.sentence || !verbAt(next) {
				continue
			}
			if slices.ContainsFunc(words, func(w token) bool { return isNonItem(nonItems, ends, w.lower) }) {
				cands = append(cands, candidate{start: i, end: next, other: true})
				break
			}
			if !itemWords(words, stop, b.Item.NounCapital) {
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
			verb := toks[next].lower
			if i > 0 && toks[i-1].sentence == t.sentence && isVerb(toks[i-1].lower, b.Item.Prepositions) {
				// "the quality of the towels is": the verb agrees with
				// another noun, so only the noun's ending can tell.
				if len(b.Item.PluralEndings) == 0 {
					break
				}
				verb = ""
			}
			var plural bool
			switch det["number"] {
			case "plural":
				plural = true
			case "singular": // Dutch "het": never a plural
			default:
				plural = isPlural(b, words[len(words)-1].lower, verb)
			}
			cands = append(cands, candidate{found{strings.Join(parts, " "), plural}, i, next, false})
			break
		}
	}
	triggered := false
	for _, tp := range topics {
		// The first mention of the topic with a noun phrase before it in
		// the same sentence decides ("the quality of the towels is
		// poor": "quality" names none, "poor" has the towels); the
		// closest such phrase is the item.
		var hits []int
		if bit := topicBit(tp); bit != 0 {
			for i, m := range topicAt {
				if m&bit != 0 {
					hits = append(hits, i)
				}
			}
		} else {
			for _, parts := range b.topicWordParts(string(tp)) {
				for at := range topicHits(toks, parts) {
					hits = append(hits, at)
				}
			}
			slices.Sort(hits)
		}
		for _, first := range hits {
			triggered = true
			best := -1
			for k, c := range cands {
				if c.end <= first && toks[c.end].sentence == toks[first].sentence {
					best = k
				}
			}
			if best < 0 && first+2 < len(toks) && isVerb(toks[first+1].lower, b.Item.Prepositions) {
				// The topic word heads the phrase: "de kwaliteit van de
				// handdoeken is", "the quality of the towels".
				for k, c := range cands {
					if c.start == first+2 && toks[c.start].sentence == toks[first].sentence {
						best = k
					}
				}
			}
			switch {
			case best < 0:
				continue
			case cands[best].other:
				// "the delivery arrived damaged, and my e-mail got no
				// answer": this clause names no product, and a noun from
				// another clause would say the wrong thing broke.
				return found{}
			}
			return cands[best].found
		}
	}
	if triggered {
		return found{}
	}
	// The topic was read from other words (the classifier's): the first
	// product the review names is still the customer's own word for what
	// they bought.
	for _, tp := range topics {
		switch tp {
		case review.Damaged, review.Defect, review.Quality, review.NotAsDescribed:
			for _, c := range cands {
				if !c.other {
					return c.found
				}
			}
		}
	}
	return found{}
}

// isNonItem says whether a noun names something other than the product
// (a message, the delivery, the box), as written or as the end of a
// compound ("Kundenservice", "hemleveransen"); ends are the set's words
// long enough to close a compound.
func isNonItem(set map[string]bool, ends []string, w string) bool {
	if set[w] {
		return true
	}
	if len(w) < 7 {
		return false // too short to be a compound of a four-letter end
	}
	for _, n := range ends {
		if len(w) >= len(n)+3 && strings.HasSuffix(w, n) {
			return true
		}
	}
	return false
}

// compoundEnds returns the words of at least four letters.
func compoundEnds(words []string) []string {
	var out []string
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 4 {
			out = append(out, w)
		}
	}
	return out
}

// definiteNoun reads a noun with a suffixed article at toks[i], directly
// before a verb: Swedish "koppen kom", Danish "skålene var". The noun is
// the item as written, since the definite form needs no determiner.
func definiteNoun(b *book, toks []token, i int, stop map[string]bool, verbAt func(int) bool) (found, bool) {
	t := toks[i]
	if len(b.Item.DefiniteEndings) == 0 || i+1 >= len(toks) || toks[i+1].sentence != t.sentence || !verbAt(i+1) {
		return found{}, false
	}
	if i > 0 && toks[i-1].sentence == t.sentence {
		if _, det := b.Item.Determiners[toks[i-1].lower]; det {
			return found{}, false // "min koppen" is not a phrase; the determiner path reads it
		}
	}
	if utf8.RuneCountInString(t.lower) < 5 || stop[t.lower] || isVerb(t.lower, b.Item.Verbs) || isVerb(t.lower, b.Item.PluralVerbs) || !itemWords(toks[i:i+1], stop, false) {
		return found{}, false
	}
	for w := range stop {
		if utf8.RuneCountInString(w) >= 4 && strings.HasPrefix(t.lower, w) {
			return found{}, false // "leveransen", "kundtjänsten": not the product
		}
	}
	for _, e := range b.Item.DefiniteEndings {
		if strings.HasSuffix(t.lower, e) {
			return found{t.lower, isPlural(b, t.lower, toks[i+1].lower)}, true
		}
	}
	return found{}, false
}

// isPlural decides the number of an item from the verb after it ("were",
// "kamen") or, when the verb does not show it, from the noun's ending.
func isPlural(b *book, noun, verb string) bool {
	switch {
	case isVerb(verb, b.Item.PluralVerbs):
		return true
	case isVerb(verb, b.Item.SingularVerbs):
		return false
	}
	for _, e := range b.Item.SingularEndings {
		if strings.HasSuffix(noun, e) {
			return false
		}
	}
	for _, e := range b.Item.PluralEndings {
		if strings.HasSuffix(noun, e) && utf8.RuneCountInString(noun) > utf8.RuneCountInString(e)+2 {
			return true
		}
	}
	return false
}

// topicTokens returns, for every token, the topics (a bit each, see
// topicBit) that have a word beginning there. Words are looked up by their
// first byte (a token can only start a word that shares it), not tried one
// by one at every token.
func (b *book) topicTokens(toks []token) []uint64 {
	index := b.topicFirst
	if index == nil {
		index = topicIndex(b)
	}
	at := make([]uint64, len(toks))
	for i := range toks {
		l := toks[i].lower
		if l == "" {
			continue
		}
		win := toks[i : i+1+min(len(toks)-i-1, 4)]
		for _, w := range index[l[0]] {
			if at[i]&w.bit == 0 && partsAt(win, w.parts) {
				at[i] |= w.bit
			}
		}
	}
	return at
}

// topicWord is one split topic word and its topic's bit.
type topicWord struct {
	parts []string
	bit   uint64
}

// topicBit is a topic's bit in topicTokens' masks, or 0 for a topic past
// the 64th or unknown (searched word by word instead).
func topicBit(tp review.Topic) uint64 {
	for i, t := range review.Topics {
		if t == tp && i < 64 {
			return 1 << i
		}
	}
	return 0
}

// topicIndex groups the split words of every topic by their first byte.
func topicIndex(b *book) *[256][]topicWord {
	var index [256][]topicWord
	for _, t := range review.Topics {
		bit := topicBit(t)
		for _, parts := range b.topicWordParts(string(t)) {
			if len(parts) > 0 && bit != 0 {
				index[parts[0][0]] = append(index[parts[0][0]], topicWord{parts, bit})
			}
		}
	}
	return &index
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

// findDuration returns how long the customer waited for the order, as
// they said it ("took three weeks to arrive", "nach drei Wochen
// angekommen"), normalised to the form the templates need, or "". A number
// and a unit are the wait only beside a word of waiting or arriving, and
// not when the words around them make them a time ago, a delay past a
// date, time off or a time of use.
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
		n := ""
		if isNumber(num.word) {
			n = num.word
		} else if n = lookupForm(b.Numbers, num.lower); n == "" {
			continue
		}
		after := toks[i+2 : min(i+4, len(toks))]
		if hasWord(after, b.LateWords) {
			return "" // "eine Woche zu spät": a delay, not the whole wait
		}
		if i+2 < len(toks) && toks[i+2].sentence == num.sentence && startsWith(toks[i+2:], b.NotWaitAfter) {
			continue // "a day off", "3 days after the promised date", "two weeks ago"
		}
		if endsWith(toks[:i], num.sentence, b.NotWaitBefore) {
			continue // "vor drei Wochen", "hace tres semanas"
		}
		if !waitNear(b, toks, i) {
			continue // "Kunde seit 2 Jahren", "for two days I tried to call"
		}
		return n + " " + u
	}
	return ""
}

// waitNear says whether a word of waiting or arriving stands in the
// number's sentence, at most four words before it ("took three weeks",
// "arrived after two weeks") or five after its unit ("drei Wochen auf die
// Tasse gewartet", "three weeks to arrive").
func waitNear(b *book, toks []token, i int) bool {
	s := toks[i].sentence
	for k := max(i-4, 0); k < min(i+7, len(toks)); k++ {
		if k == i || k == i+1 || toks[k].sentence != s {
			continue
		}
		for _, w := range b.WaitWords {
			if partsAt(toks[k:], strings.Fields(w)) {
				return true
			}
		}
	}
	return false
}

// startsWith says whether one of the words (a prefix for the last part,
// as hasWord) begins at toks[0].
func startsWith(toks []token, words []string) bool {
	for _, w := range words {
		if partsAt(toks, strings.Fields(strings.ToLower(w))) {
			return true
		}
	}
	return false
}

// endsWith says whether one of the words ends right before toks' end,
// within the sentence s ("il y a" before "trois semaines"); each part must
// match whole.
func endsWith(toks []token, s int, words []string) bool {
	for _, w := range words {
		parts := strings.Fields(strings.ToLower(w))
		at := len(toks) - len(parts)
		if len(parts) == 0 || at < 0 {
			continue
		}
		ok := true
		for j, p := range parts {
			if toks[at+j].lower != p || toks[at+j].sentence != s {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
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
