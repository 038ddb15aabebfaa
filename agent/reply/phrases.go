package reply

import (
	"embed"
	"sort"
	"strings"
	"unicode"

	"github.com/calmreply/calmreply/agent/langdata"
)

// The wording lives in one data file per language so that adding a language
// or rephrasing a slot is a data change with a test, not a code change.
//
//go:embed phrases/*.json
var phraseFiles embed.FS

// toned holds the alternatives of one slot per tone ("formal", "informal").
// A language without a tone distinction (English) fills only "formal".
type toned map[string][]string

// aspect is something a happy customer can praise (packaging, speed...):
// the words that reveal it and the phrases that thank for it.
type aspect struct {
	Words   []string `json:"words"`
	Phrases toned    `json:"phrases"`
}

// itemRules find the customer's own name for the product ("the mug",
// "meine Tasse") so a draft can say "your mug" instead of "your order".
type itemRules struct {
	// Determiners map the customer's determiner to the shop's, per tone:
	// "my" -> "your", "meine" -> "Ihre"/"deine"; "number": "plural" marks
	// one that only goes with a plural ("these", "mina").
	Determiners map[string]map[string]string `json:"determiners"`
	// Verbs may directly follow the item ("the mug arrived", "die Tasse kam").
	Verbs []string `json:"verbs"`
	// Stop words can never be part of an item.
	Stop []string `json:"stop"`
	// NounCapital: nouns are capitalised (German), which marks the item's end.
	NounCapital bool `json:"noun_capital"`
	// PluralVerbs follow a plural item ("were", "kamen") and SingularVerbs
	// a singular one; between them the noun's ending decides: PluralEndings
	// ("s") unless a SingularEndings one ("ss") matches.
	PluralVerbs     []string `json:"plural_verbs,omitempty"`
	SingularVerbs   []string `json:"singular_verbs,omitempty"`
	PluralEndings   []string `json:"plural_endings,omitempty"`
	SingularEndings []string `json:"singular_endings,omitempty"`
	// DefiniteEndings are suffixed articles (Swedish "-en", "-na"): such a
	// noun right before a verb is the item without a determiner.
	DefiniteEndings []string `json:"definite_endings,omitempty"`
	// Prepositions before a determiner put the item inside a phrase ("the
	// quality of the towels is"): the verb then says nothing of its number.
	Prepositions []string `json:"prepositions,omitempty"`
	// NonItems are nouns that are never the product: messages, answers,
	// the service, the delivery, the box. Such a noun before a verb
	// closes the clause ("die Lieferung kam beschädigt an" names no
	// product), and it also matches as the end of a compound.
	NonItems []string `json:"non_items,omitempty"`
	// stop and nonItems are Stop and NonItems as sets, and nonItemEnds
	// the NonItems that can end a compound, built once at load (not per
	// draft).
	stop, nonItems map[string]bool
	nonItemEnds    []string
}

func stopSet(words []string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, s := range words {
		set[s] = true
	}
	return set
}

// book is one language's phrase data.
type book struct {
	Lang        string    `json:"lang"`
	DefaultTone string    `json:"default_tone"`
	Quotes      [2]string `json:"quotes"`
	// LowerAfterGreeting: the text after "Hallo Anna," starts in lower case
	// (German letter convention), except the words in KeepCapital.
	LowerAfterGreeting bool             `json:"lower_after_greeting,omitempty"`
	KeepCapital        []string         `json:"keep_capital,omitempty"`
	Slots              map[string]toned `json:"slots"`
	// Topics name each complaint topic as a clause that follows
	// "sorry that ..." in the customer's terms; {item} is the product.
	// "formal_plural" wordings agree with a plural item; "formal_again"
	// ones follow another problem without naming the order a second time.
	Topics map[string]toned `json:"topics"`
	// TopicWords find the sentence of the review that talks about a topic
	// (and stand in for the classifier's topics when it found none).
	TopicWords map[string][]string `json:"topic_words"`
	Aspects    map[string]aspect   `json:"aspects"`
	Item       itemRules           `json:"item"`
	// Durations: number words and time units ("three weeks").
	Numbers []string `json:"numbers"`
	Units   []string `json:"units"`
	// LateWords after a waiting time make it a delay ("a week late"), not
	// the whole wait, so the draft does not quote it as one.
	LateWords []string `json:"late_words,omitempty"`
	// WaitWords say a time is the wait for the order ("took", "waited",
	// "angekommen", "efter ... kom"): a duration counts only with one of
	// them right before it or a few words after it, so "took a day off"
	// or "a customer for 2 years" is never read as a delivery time.
	WaitWords []string `json:"wait_words,omitempty"`
	// NotWaitBefore right before the number and NotWaitAfter right after
	// the unit make a time something else: a time ago ("vor drei Wochen",
	// "three weeks ago"), a delay past a date ("3 days after the promised
	// date"), time off, a time of use ("two weeks of use").
	NotWaitBefore []string `json:"not_wait_before,omitempty"`
	NotWaitAfter  []string `json:"not_wait_after,omitempty"`
	// DelayWords state that the order was slow ("waited", "late",
	// "weeks"): without one, a delivery topic is not named as a delay.
	DelayWords []string `json:"delay_words,omitempty"`
	// VisitWords reveal a review of a visit (a meal, a stay, a haircut);
	// OrderWords one of an order, which wins over them ("die Tischdecke
	// kam", "my order").
	VisitWords []string `json:"visit_words,omitempty"`
	OrderWords []string `json:"order_words,omitempty"`
	// NeutralOne: the formal address is plural ("Państwo"), so a review by
	// one named person gets the greeting without the name and wordings
	// without that plural; NeutralMarks are the plural's words.
	NeutralMarks []string `json:"neutral_marks,omitempty"`
	// Check lists phrases a reply must never contain, by problem code.
	Check map[string][]string `json:"check"`
	// OfferWords reveal a promise of each offer (refund, replacement...).
	OfferWords map[string][]string `json:"offer_words"`
	// Refine names a topic more precisely when the review says more: a
	// delivery that never arrived is not a slow one. The first refinement
	// whose words occur picks its own topic phrases, if the book has them.
	Refine map[string][]refinement `json:"refine,omitempty"`
	// Voice lists the words that show who speaks: "i" one person ("ich",
	// "mir", Spanish "lamento"), "we" the shop ("wir", "uns",
	// "lamentamos"). A draft keeps to one voice, so alternatives that use
	// the other are skipped and those that use both are never chosen.
	Voice map[string][]string `json:"voice,omitempty"`
	// Voices are the voices every slot has wordings for; a draft asks for
	// "i" only where it is listed (the test holds the data to this).
	Voices []string `json:"voices,omitempty"`
	// voiceOf is the voice bits of every built-in alternative, read once
	// at load; listVoice has them per stored list, keyed by the list's
	// first element, so a draft looks a list up once, not each wording.
	voiceOf   map[string]uint8
	listVoice map[*string][]uint8
	// topicParts is TopicWords split by splitWords, once at load: every
	// draft searches the review for them.
	topicParts map[string][][]string
	// topicFirst is topicIndex, built once at load.
	topicFirst *[256][]topicWord
}

// refinement is a narrower topic key and the words that reveal it.
type refinement struct {
	Key   string   `json:"key"`
	Words []string `json:"words"`
	// Also: one of these words must occur too ("waited" and "ignored").
	Also []string `json:"also,omitempty"`
	// Visit: the refinement fits only a review of a visit (waiting for a
	// table is not waiting for an e-mail).
	Visit bool `json:"visit,omitempty"`
}

// topicWordParts returns a topic's words lower-cased and split into parts.
func (b *book) topicWordParts(topic string) [][]string {
	if p, ok := b.topicParts[topic]; ok {
		return p
	}
	return splitWords(b.TopicWords[topic])
}

func splitWords(words []string) [][]string {
	out := make([][]string, len(words))
	for i, w := range words {
		out[i] = strings.Fields(strings.ToLower(w))
	}
	return out
}

var books = mustLoadBooks()

func mustLoadBooks() map[string]*book {
	out, err := loadBooks()
	if err != nil {
		panic("reply: " + err.Error()) // embedded data is part of the build
	}
	return out
}

func loadBooks() (map[string]*book, error) {
	out, err := langdata.Load(phraseFiles, "phrases", func(b *book) string { return b.Lang })
	if err != nil {
		return nil, err
	}
	for _, b := range out {
		b.Item.stop = stopSet(b.Item.Stop)
		b.Item.nonItems = stopSet(b.Item.NonItems)
		b.Item.nonItemEnds = compoundEnds(b.Item.NonItems)
		b.topicParts = map[string][][]string{}
		for t, words := range b.TopicWords {
			b.topicParts[t] = splitWords(words)
		}
		b.topicFirst = topicIndex(b)
		b.voiceOf, b.listVoice = voiceIndex(b)
	}
	return out, nil
}

// Languages lists the languages the composer writes, sorted.
func Languages() []string {
	out := make([]string, 0, len(books))
	for l := range books {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// pluralAlternatives returns the wordings of a topic that agree with a
// plural item ("formal_plural"), or nil when the tone has none: the caller
// then names the order instead, in the singular.
func (t toned) pluralAlternatives(tone string) []string {
	if alts := t[tone+"_plural"]; len(alts) > 0 {
		return alts
	}
	if len(t[tone]) > 0 {
		return nil // this tone has its own words, but none for a plural
	}
	for _, k := range []string{"formal", "informal"} {
		if len(t[k]) > 0 {
			return t[k+"_plural"]
		}
	}
	return nil
}

// alternatives returns the wordings of a slot in a tone, falling back to the
// other tone when a language words it the same way in both.
func (t toned) alternatives(tone string) []string {
	if alts := t[tone]; len(alts) > 0 {
		return alts
	}
	for _, k := range []string{"formal", "informal"} {
		if alts := t[k]; len(alts) > 0 {
			return alts
		}
	}
	return nil
}

// Voice bits: who speaks in a phrase. A phrase with neither suits both
// voices; one with both (voiceI|voiceWe) suits none.
const (
	voiceI uint8 = 1 << iota
	voiceWe
)

// voiceIndex reads the voice of every alternative of every slot, topic and
// aspect.
func voiceIndex(b *book) (map[string]uint8, map[*string][]uint8) {
	marks := voiceMarks(b)
	out := map[string]uint8{}
	lists := map[*string][]uint8{}
	add := func(t toned) {
		for _, alts := range t {
			if len(alts) == 0 {
				continue
			}
			bits := make([]uint8, len(alts))
			for i, a := range alts {
				bits[i] = phraseVoice(marks, a)
				out[a] = bits[i]
			}
			lists[&alts[0]] = bits
		}
	}
	for _, t := range b.Slots {
		add(t)
	}
	for _, t := range b.Topics {
		add(t)
	}
	for _, a := range b.Aspects {
		add(a.Phrases)
	}
	return out, lists
}

// phraseVoice returns the voice bits of the words of s; apostrophes split
// words ("I'm", "j'ai").
func phraseVoice(marks map[string]uint8, s string) uint8 {
	var v uint8
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		v |= marks[w]
	}
	return v
}

// voiceMarks is b.Voice as word bits, for a phrase read after load.
func voiceMarks(b *book) map[string]uint8 {
	marks := map[string]uint8{}
	for name, bit := range map[string]uint8{"i": voiceI, "we": voiceWe} {
		for _, w := range b.Voice[name] {
			marks[strings.ToLower(w)] |= bit
		}
	}
	return marks
}
