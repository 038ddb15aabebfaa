package classify

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/calmreply/calmreply/agent/langdata"
	"github.com/calmreply/calmreply/shared/review"
)

//go:embed lexicon/*.json
var lexiconFS embed.FS

// lexiconFile is one language's knowledge, as written in lexicon/<lang>.json.
// Every list holds phrases: words separated by spaces, where "word*" matches
// any word starting with word, "*word" any word ending in it, and "_" skips
// up to four words of the same clause. A problem cue starting with "~" is
// weak: it names its topic only when no other topic was found.
type lexiconFile struct {
	Lang string `json:"lang"`
	// Stopwords are frequent function words: language evidence only.
	Stopwords []string `json:"stopwords"`
	// Grams are letter sequences typical of the language, with weights,
	// for words no list knows.
	Grams map[string]float64 `json:"grams"`
	// NegationAfter: the language also negates after the verb
	// ("gefällt mir nicht").
	NegationAfter bool `json:"negation_after"`

	Negators     []string `json:"negators"`
	Contrast     []string `json:"contrast"`
	Intensifiers []string `json:"intensifiers"`
	Positive     []string `json:"positive"`
	Negative     []string `json:"negative"`
	Question     []string `json:"question"`   // words that open a question
	Suggestion   []string `json:"suggestion"` // "Vorschlag:", "tip"
	Why          []string `json:"why"`        // opens a rhetorical complaint with a negation
	Troll        []string `json:"troll"`
	Insult       []string `json:"insult"`  // aimed at people, threats of harm
	Obscene      []string `json:"obscene"` // swearing, also used as mere emphasis
	Threat       []string `json:"threat"`  // leverage: bad reviews, press, social media
	Demand       []string `json:"demand"`  // refund, free item, voucher, discount
	Condition    []string `json:"condition"`
	Spam         []string `json:"spam"`
	// NoExperience: "never been here": what follows is no experience.
	NoExperience []string `json:"no_experience"`
	// Offtopic: politics and other subjects no shop is reviewed for.
	Offtopic []string `json:"offtopic"`
	// Irony: thanks and cheers that mock when the stars are low.
	Irony []string `json:"irony"`
	// Otherwise: "otherwise fine": what came before was a reservation.
	Otherwise []string `json:"otherwise"`
	// Worth: "worth every penny": the price is accepted, not complained of.
	Worth []string `json:"worth"`
	// Concession: doubt before a contrast ("I was sceptical, but ..."): the
	// clause after the contrast is the verdict, and it is a good one.
	Concession []string `json:"concession"`
	// Comparison: "like", "als", "som": an insult or curse after it describes
	// how something was ("treated me like an idiot", "dry as hell").
	Comparison []string `json:"comparison"`
	// Waiting: cues of waiting ("gewartet") are delivery problems unless
	// the same sentence names what was waited for at a table or counter
	// (service) or money (refund).
	Waiting struct {
		Cues    []string `json:"cues"`
		Service []string `json:"service"`
		Refund  []string `json:"refund"`
	} `json:"waiting"`

	Topics map[review.Topic]struct {
		Problem []string `json:"problem"` // a problem in this area by itself
		Anchor  []string `json:"anchor"`  // names the area; needs a negative nearby
	} `json:"topics"`
}

// cat is what a lexicon phrase signals.
type cat uint8

const (
	catStop cat = iota
	catNegator
	catContrast
	catIntens
	catPos
	catNeg
	catQuestion
	catSuggestion
	catWhy
	catTroll
	catInsult
	catObscene
	catThreat
	catDemand
	catCond
	catSpam
	catProblem
	catAnchor
	catNoExp
	catOfftopic
	catIrony
	catOtherwise
	catWorth
	catConcession
	catComparison
	catWaitCtx // topic says what a wait nearby is about
)

const (
	partExact = iota
	partPrefix
	partSuffix
	partGap
)

type part struct {
	s      string
	kind   uint8
	marked bool // the lexicon spells it with diacritics
}

type phrase struct {
	parts   []part
	cat     cat
	topic   review.Topic
	weak    bool
	negated bool // the phrase itself holds a negator ("keine Antwort")
	wait    bool // a waiting cue: its topic depends on what was waited for
	src     string
}

// index finds a language's phrases in tokens.
type index struct {
	exact  map[string][]*phrase
	prefix map[string][]*phrase
	suffix map[string][]*phrase
	fuzzy  map[string][]*phrase // one-deletion variants of long single words
	stop   map[string]bool
	negAft bool
	// The stem lengths present, so matching tries only those, and a filter
	// of the stems' first (last) three letters, so most words try none.
	prefixLens, suffixLens []int
	pre3, suf3             *tri
}

// tri is a bit set over hashed three-letter sequences.
type tri [1 << 12]uint64

func triHash(s string) uint32 {
	return (uint32(s[0])*961 + uint32(s[1])*31 + uint32(s[2])) & (1<<18 - 1)
}

func (t *tri) add(s string) { h := triHash(s); t[h>>6] |= 1 << (h & 63) }

// has reports whether some stem may share s's three letters (s has >= 3).
func (t *tri) has(s string) bool { h := triHash(s); return t[h>>6]&(1<<(h&63)) != 0 }

func newIndex() *index {
	return &index{
		exact:  map[string][]*phrase{},
		prefix: map[string][]*phrase{},
		suffix: map[string][]*phrase{},
		fuzzy:  map[string][]*phrase{},
		stop:   map[string]bool{},
	}
}

// add parses src and files it under its first word.
func (ix *index) add(src string, c cat, topic review.Topic) error {
	_, err := ix.addPhrase(src, c, topic)
	return err
}

func (ix *index) addPhrase(src string, c cat, topic review.Topic) (*phrase, error) {
	p := &phrase{cat: c, topic: topic, src: src}
	s := strings.TrimSpace(src)
	if strings.HasPrefix(s, "~") {
		p.weak = true
		s = s[1:]
	}
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if w == "_" {
			p.parts = append(p.parts, part{kind: partGap})
			continue
		}
		kind := uint8(partExact)
		switch {
		case strings.HasSuffix(w, "*") && len(w) > 1:
			kind, w = partPrefix, strings.TrimSuffix(w, "*")
		case strings.HasPrefix(w, "*") && len(w) > 1:
			kind, w = partSuffix, strings.TrimPrefix(w, "*")
		}
		// Words split the way review text splits ("doesn't" → doesn t).
		sub := tokenize(w).tokens // "&" or ":" vanish as they do in text
		for i, t := range sub {
			k := uint8(partExact)
			if (i == 0 && kind == partSuffix || i == len(sub)-1 && kind == partPrefix) && len(t.key) >= 3 {
				k = kind // shorter stems would match half the language
			}
			p.parts = append(p.parts, part{s: t.key, kind: k, marked: !t.plain})
		}
	}
	if len(p.parts) == 0 || p.parts[0].kind == partGap {
		return nil, fmt.Errorf("phrase %q: must start with a word", src)
	}
	first := p.parts[0]
	switch first.kind {
	case partExact:
		ix.exact[first.s] = append(ix.exact[first.s], p)
		if n := fuzzyCat[c]; len(p.parts) == 1 && !first.marked && n > 0 && len(first.s) >= n {
			for _, d := range deletions(first.s) {
				ix.fuzzy[d] = append(ix.fuzzy[d], p)
			}
		}
	case partPrefix:
		ix.prefix[first.s] = append(ix.prefix[first.s], p)
	case partSuffix:
		ix.suffix[first.s] = append(ix.suffix[first.s], p)
	}
	return p, nil
}

// Typo tolerance: words of at least fuzzyMin letters, in categories where a
// near miss costs little, may be one letter off, but never in the first
// letter ("härlig" is not "dårlig"). Problem cues stay exact: a near miss
// there names a wrong topic and turns praise into a complaint.
const fuzzyMin = 6

var fuzzyCat = map[cat]int{catPos: fuzzyMin, catNeg: fuzzyMin, catAnchor: fuzzyMin}

// deletions lists s with one rune (not the first) removed, each once.
func deletions(s string) []string {
	r := []rune(s)
	out := make([]string, 0, len(r))
	for i := 1; i < len(r); i++ {
		if r[i] == r[i-1] {
			continue
		}
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// hit is one phrase found at tokens [start, end).
type hit struct {
	p          *phrase
	start, end int
	clauseID   int
}

// match finds every phrase of ix in toks. A word that matches nothing and
// is long enough is tried once more with one letter off, for typos.
func (ix *index) match(toks []token, hits []hit) []hit {
	for i := range toks {
		before := len(hits)
		k := toks[i].key
		for _, p := range ix.exact[k] {
			hits = ix.verify(p, toks, i, hits)
		}
		for _, n := range ix.prefixLens {
			if n > len(k) || !ix.pre3.has(k[:3]) {
				break
			}
			if ps, ok := ix.prefix[k[:n]]; ok {
				for _, p := range ps {
					hits = ix.verify(p, toks, i, hits)
				}
			}
		}
		for _, n := range ix.suffixLens {
			if n >= len(k) || !ix.suf3.has(k[len(k)-3:]) {
				break
			}
			if ps, ok := ix.suffix[k[len(k)-n:]]; ok {
				for _, p := range ps {
					hits = ix.verify(p, toks, i, hits)
				}
			}
		}
		if len(hits) == before && len(k) >= fuzzyMin && !toks[i].known && !ix.stop[k] {
			hits = ix.matchFuzzy(toks, i, hits)
		}
	}
	return hits
}

func (ix *index) matchFuzzy(toks []token, i int, hits []hit) []hit {
	k := toks[i].key
	if !toks[i].plain {
		return hits
	}
	var seen []*phrase
	add := func(p *phrase) {
		for _, q := range seen {
			if q == p {
				return
			}
		}
		seen = append(seen, p)
		hits = append(hits, hit{p: p, start: i, end: i + 1, clauseID: toks[i].clause})
	}
	for _, p := range ix.fuzzy[k] { // the text misses a letter
		add(p)
	}
	// One letter wrong or too many: drop each letter but the first in turn
	// (the key is ASCII here, so bytes are letters). The lookups convert
	// the buffer without allocating.
	var arr [64]byte
	if len(k) > len(arr) {
		return hits
	}
	for j := 1; j < len(k); j++ {
		if k[j] == k[j-1] {
			continue
		}
		buf := append(append(arr[:0], k[:j]...), k[j+1:]...)
		for _, p := range ix.fuzzy[string(buf)] {
			add(p)
		}
		if len(buf) >= fuzzyMin {
			for _, p := range ix.exact[string(buf)] {
				if n := fuzzyCat[p.cat]; len(p.parts) == 1 && !p.parts[0].marked && n > 0 && len(buf) >= n {
					add(p)
				}
			}
		}
	}
	return hits
}

func (ix *index) verify(p *phrase, toks []token, i int, hits []hit) []hit {
	if end, ok := matchParts(p.parts, toks, i, ix.stop); ok {
		hits = append(hits, hit{p: p, start: i, end: end, clauseID: toks[i].clause})
	}
	return hits
}

// matchParts matches parts against toks from position i and returns the
// end of the match. A gap takes 0-4 words of the clause it starts in.
func matchParts(parts []part, toks []token, i int, stop map[string]bool) (int, bool) {
	if len(parts) == 0 {
		return i, true
	}
	pt := parts[0]
	if pt.kind == partGap {
		for skip := 0; skip <= 4 && i+skip <= len(toks); skip++ {
			if skip > 0 && toks[i+skip-1].clause != toks[i-1].clause {
				break
			}
			if end, ok := matchParts(parts[1:], toks, i+skip, stop); ok {
				return end, true
			}
		}
		return 0, false
	}
	if i >= len(toks) || !partMatches(pt, toks[i].key) {
		return 0, false
	}
	if pt.marked && toks[i].plain || !pt.marked && toks[i].accented {
		return 0, false // "vanlig" is not "vänlig", "höra" is not "hora"
	}
	return matchParts(parts[1:], toks, i+1, stop)
}

func partMatches(pt part, k string) bool {
	switch pt.kind {
	case partPrefix:
		return strings.HasPrefix(k, pt.s)
	case partSuffix:
		return len(k) > len(pt.s) && strings.HasSuffix(k, pt.s)
	}
	return k == pt.s
}

// language is one loaded lexicon file.
type language struct {
	code  string
	file  lexiconFile
	index *index
}

// loadLanguages reads every embedded lexicon file.
func loadLanguages() (map[string]*language, error) {
	files, err := langdata.Load(lexiconFS, "lexicon", func(f *lexiconFile) string { return f.Lang })
	if err != nil {
		return nil, err
	}
	out := make(map[string]*language, len(files))
	for code, f := range files {
		ix, err := buildIndex(f)
		if err != nil {
			return nil, fmt.Errorf("lexicon %s: %w", code, err)
		}
		out[code] = &language{code: code, file: *f, index: ix}
	}
	return out, nil
}

func buildIndex(f *lexiconFile) (*index, error) {
	ix := newIndex()
	ix.negAft = f.NegationAfter
	lists := []struct {
		words []string
		c     cat
	}{
		{f.Negators, catNegator}, {f.Contrast, catContrast}, {f.Intensifiers, catIntens},
		{f.Positive, catPos}, {f.Negative, catNeg}, {f.Question, catQuestion},
		{f.Suggestion, catSuggestion}, {f.Why, catWhy}, {f.Troll, catTroll},
		{f.Insult, catInsult}, {f.Obscene, catObscene}, {f.Threat, catThreat},
		{f.Demand, catDemand}, {f.Condition, catCond}, {f.Spam, catSpam},
		{f.NoExperience, catNoExp}, {f.Offtopic, catOfftopic}, {f.Irony, catIrony},
		{f.Otherwise, catOtherwise}, {f.Worth, catWorth},
		{f.Concession, catConcession}, {f.Comparison, catComparison},
	}
	for _, l := range lists {
		for _, w := range l.words {
			if err := ix.add(w, l.c, ""); err != nil {
				return nil, err
			}
		}
	}
	topics := make([]string, 0, len(f.Topics))
	for t := range f.Topics {
		topics = append(topics, string(t))
	}
	sort.Strings(topics)
	for _, name := range topics {
		t := review.Topic(name)
		if !knownTopic(t) {
			return nil, fmt.Errorf("unknown topic %q", name)
		}
		for _, w := range f.Topics[t].Problem {
			if err := ix.add(w, catProblem, t); err != nil {
				return nil, err
			}
		}
		for _, w := range f.Topics[t].Anchor {
			if err := ix.add(w, catAnchor, t); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range f.Waiting.Cues {
		p, err := ix.addPhrase(w, catProblem, review.Delivery)
		if err != nil {
			return nil, err
		}
		p.wait = true
	}
	for _, ctx := range []struct {
		words []string
		t     review.Topic
	}{{f.Waiting.Service, review.Service}, {f.Waiting.Refund, review.Refund}} {
		for _, w := range ctx.words {
			if err := ix.add(w, catWaitCtx, ctx.t); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range f.Stopwords {
		ix.stop[fold(strings.ToLower(w))] = true
	}
	ix.prefixLens, ix.suffixLens = keyLens(ix.prefix), keyLens(ix.suffix)
	ix.pre3, ix.suf3 = &tri{}, &tri{}
	for k := range ix.prefix {
		ix.pre3.add(k[:3]) // stems are 3+ letters
	}
	for k := range ix.suffix {
		ix.suf3.add(k[len(k)-3:])
	}
	// A phrase that carries its own negator ("keine Antwort") is not
	// flipped by it.
	negs := map[string]bool{}
	for _, w := range f.Negators {
		for _, t := range tokenize(w).tokens {
			negs[t.key] = true
		}
	}
	for _, m := range []map[string][]*phrase{ix.exact, ix.prefix, ix.suffix} {
		for _, ps := range m {
			for _, p := range ps {
				for _, pt := range p.parts {
					if pt.kind == partExact && negs[pt.s] && p.cat != catNegator {
						p.negated = true
					}
				}
			}
		}
	}
	return ix, nil
}

func knownTopic(t review.Topic) bool {
	for _, k := range review.Topics {
		if k == t {
			return true
		}
	}
	return false
}

// keyLens lists the distinct key lengths of m, ascending.
func keyLens(m map[string][]*phrase) []int {
	seen := map[int]bool{}
	var out []int
	for k := range m {
		if !seen[len(k)] {
			seen[len(k)] = true
			out = append(out, len(k))
		}
	}
	sort.Ints(out)
	return out
}
