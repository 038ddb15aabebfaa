// Package classify understands a review: its language, kind, topics and the
// action the playbook recommends (PLAYBOOK section 1). The knowledge lives
// in one embedded lexicon file per language (lexicon/<lang>.json); the code
// here knows no language.
package classify

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/calmreply/calmreply/shared/review"
)

// Input is one review to classify; it mirrors a line of `agent classify`.
type Input struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Rating   *int    `json:"rating"`
	Author   *string `json:"author"`
	Platform string  `json:"platform"`
	PageLang string  `json:"page_lang"`
}

// commonLang names the lexicon of signals shared by every language
// (emoji, "lol", "top"); it is matched beside the review's own language
// and is never a detected language.
const commonLang = "xx"

// Classifier holds the loaded lexicons. It is safe for concurrent use.
type Classifier struct {
	langs  map[string]*language
	common *language
	det    *detector
}

// New loads every embedded lexicon.
func New() (*Classifier, error) {
	langs, err := loadLanguages()
	if err != nil {
		return nil, err
	}
	common, ok := langs[commonLang]
	if !ok {
		return nil, fmt.Errorf("classify: lexicon/%s.json missing", commonLang)
	}
	return &Classifier{langs: langs, common: common, det: newDetector(langs)}, nil
}

// Languages lists the detectable languages.
func (c *Classifier) Languages() []string { return append([]string(nil), c.det.codes...) }

var (
	defaultOnce sync.Once
	defaultC    *Classifier
)

// Classify classifies with the package's shared Classifier. The lexicons are
// compiled into the binary, so failing to load them is a build defect that
// the package's tests catch; it panics rather than guess.
func Classify(in Input) review.Analysis {
	defaultOnce.Do(func() {
		c, err := New()
		if err != nil {
			panic(err)
		}
		defaultC = c
	})
	return defaultC.Classify(in)
}

// Classify reads one review.
func (c *Classifier) Classify(in Input) review.Analysis {
	src := in.Text
	if findLink(src) != "" {
		src = stripLinks(src)
	}
	t := tokenize(src)
	lang, margin := c.det.detect(t.tokens, in.PageLang)
	l := c.langs[lang]
	if l == nil {
		l = c.langs["en"]
	}
	hits := l.index.match(t.tokens, nil)
	hits = c.common.index.match(t.tokens, hits)
	ev := gather(t, hits, l.index.negAft)
	ev.spamSignals(in.Text, t)
	ev.maskedSwears(in.Text)
	a := decide(ev, in.Rating)
	a.Lang = lang
	switch {
	case len(t.tokens) == 0:
	case margin < 0.5 && normalizeLang(in.PageLang) == lang:
		a.Reasons = append(a.Reasons, "language: little evidence, the page's language decided")
	case margin < 0.5:
		a.Reasons = append(a.Reasons, "language: little evidence")
		a.Confidence = clamp(a.Confidence * 0.9)
	}
	return a
}

// evidence is what the lexicons found in one review.
type evidence struct {
	pos, neg             float64
	posWords, negWords   []string
	problems, weak       map[review.Topic][]string
	anchors              map[review.Topic][]hit
	negClauses           map[int]bool
	questions, qStart    int
	suggestion, why      bool
	negators             int
	troll                float64
	insult, obscene      []string
	threat, demand, cond []string
	threatAt, demandAt   []int
	trollWords           []string
	spam                 float64
	spamWords            []string
	rhetoric             bool
	words                int
	// noExp: "never been here"; offtopic: politics and the like.
	noExp, offtopic []string
	// irony is the weight of praise that mocks when the stars are low
	// ("Great, ... Thanks a lot."); ironyToks the words it spans.
	irony      float64
	ironyToks  int
	worth      bool
	posClauses map[int]bool
	// problemClauses holds the clauses that report a problem; negAt the
	// first word of each negative phrase. An area named in a clause that
	// reports another problem ("fel storlek skickad") is that problem's
	// setting unless a negative word sits right by it.
	problemClauses map[int]bool
	negAt          []int
}

func gather(t text, hits []hit, negAfter bool) *evidence {
	ev := &evidence{
		problems: map[review.Topic][]string{}, weak: map[review.Topic][]string{},
		anchors: map[review.Topic][]hit{}, negClauses: map[int]bool{}, problemClauses: map[int]bool{},
		questions: t.questions, rhetoric: t.rhetoric, words: len(t.tokens),
	}
	// What was waited for decides a wait's topic: the table or counter
	// (service) or money (refund); else the parcel.
	type waitCtx struct {
		at    int
		topic review.Topic
	}
	var waits []waitCtx
	for _, h := range hits {
		if h.p.cat == catWaitCtx {
			waits = append(waits, waitCtx{h.start, h.p.topic})
		}
	}
	waitTopic := func(h hit) review.Topic {
		best := review.Delivery
		for _, w := range waits {
			if w.at >= h.start-waitSpan && w.at < h.end+waitSpan && (best == review.Delivery || w.topic == review.Refund) {
				best = w.topic
			}
		}
		return best
	}
	toks := t.tokens
	negAt := make([]bool, len(toks))
	intensAt := make([]bool, len(toks))
	firstContrast := -1
	likeAt := make([]bool, len(toks))
	var concessionAt []int
	for _, h := range hits {
		switch h.p.cat {
		case catComparison:
			likeAt[h.end-1] = true
		case catConcession:
			concessionAt = append(concessionAt, h.start)
		case catNegator:
			negAt[h.start] = true
			negAt[h.end-1] = true
			ev.negators++
		case catIntens:
			intensAt[h.end-1] = true
		case catContrast:
			if firstContrast < 0 || h.start < firstContrast {
				firstContrast = h.start
			}
		}
	}
	// A contrast word starts a new clause: "nöjd men inte denna gång"
	// negates what follows "men", not "nöjd".
	cl := make([]int, len(toks))
	contrastAt := make([]bool, len(toks))
	for _, h := range hits {
		if h.p.cat == catContrast {
			contrastAt[h.start] = true
		}
	}
	shift := 0
	afterSeg := map[int]bool{} // segments that open with a contrast word
	for i := range toks {
		if contrastAt[i] {
			shift++
		}
		cl[i] = toks[i].clause*64 + shift
		if contrastAt[i] {
			afterSeg[cl[i]] = true
		}
	}
	// A negator that governs the word after it ("ingen problem") is used
	// up and does not also negate the word before it ("Ok ingen problem").
	usedNeg := make([]bool, len(toks))
	for _, h := range hits {
		switch h.p.cat {
		case catPos, catNeg, catProblem:
			c := cl[h.start]
			for i := h.start - 1; i >= 0 && i >= h.start-3 && cl[i] == c; i-- {
				if negAt[i] {
					usedNeg[i] = true
					break
				}
			}
		}
	}
	// negated reports a negator up to before words ahead of the phrase (or,
	// in languages that negate after the verb, up to after words behind
	// it), within the same clause.
	negated := func(h hit, before, after int) bool {
		if h.p.negated {
			return false
		}
		if contrastAt[h.start] {
			return false // "leider nicht" negates what follows, not "leider"
		}
		c := cl[h.start]
		// Intensifiers between do not count: "nicht allzu teuer".
		for i, n := h.start-1, 0; i >= 0 && n < before && cl[i] == c; i-- {
			if negAt[i] {
				return true
			}
			if !intensAt[i] {
				n++
			}
		}
		if negAfter {
			for i := h.end; i < len(toks) && i < h.end+after && cl[i] == c; i++ {
				if negAt[i] && !usedNeg[i] {
					return true
				}
			}
		}
		return false
	}
	// The longest sentiment phrase claims its words: "nicht schlecht" is
	// read once, not also as "schlecht".
	slices.SortStableFunc(hits, func(a, b hit) int { return (b.end - b.start) - (a.end - a.start) })
	claimed := make([]bool, len(toks))
	problemAt := make([]bool, len(toks))
	reported := make([]bool, len(toks)) // words of problems reported
	posClauses := map[int]bool{}
	ev.posClauses = posClauses
	firstClauseLen := 0
	for firstClauseLen < len(toks) && toks[firstClauseLen].clause == toks[0].clause {
		firstClauseLen++
	}
	var otherwiseAt []int
	trollAt := make([]bool, len(toks))
	var afterContrast []hit
	words := func(h hit) string {
		var b strings.Builder
		for i := h.start; i < h.end; i++ {
			if i > h.start {
				b.WriteByte(' ')
			}
			b.WriteString(toks[i].raw)
		}
		return b.String()
	}
	for _, h := range hits {
		start := h.start == 0 || toks[h.start-1].clause != toks[h.start].clause
		switch h.p.cat {
		case catPos, catNeg, catIrony, catWorth:
			free := true
			for i := h.start; i < h.end; i++ {
				free = free && !claimed[i]
			}
			if !free {
				continue
			}
			for i := h.start; i < h.end; i++ {
				claimed[i] = true
			}
			w := 1.0
			if h.start > 0 && intensAt[h.start-1] {
				w = 1.5
			}
			if firstContrast >= 0 {
				if h.start > firstContrast {
					w *= 1.3
				} else {
					w *= 0.8
				}
			}
			positive := h.p.cat != catNeg
			if negated(h, 3, 2) {
				positive, w = !positive, w*0.8
			} else if h.p.cat == catWorth {
				w *= 1.5
				ev.worth = true
			}
			// Thanks that may mock, or praise standing alone before the
			// account ("Great, it came in February."), is weighed by the
			// stars later.
			if positive && (h.p.cat == catIrony || h.start == 0 && firstClauseLen <= 2 && h.end == firstClauseLen) {
				ev.irony += w
				ev.ironyToks += h.end - h.start
			}
			if positive {
				ev.pos += w
				ev.posWords = append(ev.posWords, words(h))
				posClauses[cl[h.start]] = true
			} else {
				ev.neg += w
				ev.negWords = append(ev.negWords, words(h))
				ev.negClauses[cl[h.start]] = true
				ev.negAt = append(ev.negAt, h.start)
			}
		case catProblem:
			// Inside a provocation ("fake reviews lol") a cue is no problem.
			inTroll := false
			for i := h.start; i < h.end; i++ {
				inTroll = inTroll || trollAt[i]
			}
			if inTroll {
				continue
			}
			topic := h.p.topic
			if h.p.wait {
				topic = waitTopic(h)
			} else if topic == review.Delivery && waitTopic(h) == review.Refund {
				// "the money still hasn't arrived": what is missing is the
				// refund, not a parcel.
				topic = review.Refund
			}
			// Only a negator right beside a problem undoes it ("no damage",
			// "nicht kaputt"); "if I do not get my money back" stays one.
			// The longest problem phrase claims its words, so "haven't
			// received my refund" is not also a delivery problem, and a
			// negated "zu teuer" leaves no "teuer" behind.
			taken := false
			for i := h.start; i < h.end; i++ {
				taken = taken || problemAt[i]
			}
			if taken {
				continue
			}
			if !h.p.weak { // a weak cue never hides a strong one inside it
				for i := h.start; i < h.end; i++ {
					problemAt[i] = true
				}
			}
			if negated(h, 1, 1) {
				ev.pos += 0.5
				continue
			}
			if h.p.weak {
				ev.weak[topic] = append(ev.weak[topic], words(h))
			} else {
				ev.problems[topic] = append(ev.problems[topic], words(h))
				for i := h.start; i < h.end; i++ {
					reported[i] = true
				}
				ev.problemClauses[cl[h.start]] = true
			}
		case catAnchor:
			// A word inside a problem phrase ("fel storlek skickad") is
			// part of that problem, not an area of its own.
			inProblem := false
			for i := h.start; i < h.end; i++ {
				inProblem = inProblem || reported[i]
			}
			if inProblem {
				continue
			}
			h.clauseID = cl[h.start]
			ev.anchors[h.p.topic] = append(ev.anchors[h.p.topic], h)
			if afterSeg[cl[h.start]] && len(toks) <= 30 {
				afterContrast = append(afterContrast, h)
			}
		case catQuestion:
			if start {
				ev.qStart++
			}
		case catSuggestion:
			// A lone word ("Tipp", "förslag") suggests only when it opens
			// a clause ("Tipp: ..."); phrases suggest anywhere.
			if start || len(h.p.parts) > 1 {
				ev.suggestion = true
			}
		case catWhy:
			if start {
				ev.why = true
			}
		case catTroll:
			for i := h.start; i < h.end; i++ {
				trollAt[i] = true
			}
			n := 0
			for _, pt := range h.p.parts {
				if pt.kind != partGap {
					n++
				}
			}
			ev.troll += min(2, float64(n))
			ev.trollWords = append(ev.trollWords, words(h))
		case catInsult, catObscene:
			// "treated me like an idiot", "dry as hell": a comparison
			// describes what happened; it is a complaint's anger, not abuse.
			compared := false
			for i := h.start - 1; i >= 0 && i >= h.start-4 && cl[i] == cl[h.start]; i-- {
				compared = compared || likeAt[i]
			}
			switch {
			case compared:
				ev.neg++
				ev.negWords = append(ev.negWords, words(h))
				ev.negClauses[cl[h.start]] = true
			case h.p.cat == catInsult:
				ev.insult = append(ev.insult, words(h))
			default:
				ev.obscene = append(ev.obscene, words(h))
			}
		case catThreat:
			ev.threat = append(ev.threat, words(h))
			ev.threatAt = append(ev.threatAt, h.start)
		case catDemand:
			ev.demand = append(ev.demand, words(h))
			ev.demandAt = append(ev.demandAt, h.start)
		case catCond:
			ev.cond = append(ev.cond, words(h))
		case catNoExp:
			for i := h.start; i < h.end; i++ {
				trollAt[i] = true
			}
			ev.noExp = append(ev.noExp, words(h))
		case catOfftopic:
			ev.offtopic = append(ev.offtopic, words(h))
		case catOtherwise:
			if start && h.start > 0 {
				otherwiseAt = append(otherwiseAt, h.start)
			}
		case catSpam:
			if w := words(h); !slices.Contains(ev.spamWords, w) { // once each
				ev.spam++
				ev.spamWords = append(ev.spamWords, w)
			}
		}
	}
	// "The stool wobbles. Otherwise fine.": what comes before "otherwise"
	// is a reservation, unless all of it praises.
	for _, at := range otherwiseAt {
		var before []int
		for i := 0; i < at; i++ {
			if !posClauses[cl[i]] && !slices.Contains(before, cl[i]) {
				before = append(before, cl[i])
			}
		}
		if len(before) > 0 {
			ev.neg += 1.5
			ev.negWords = append(ev.negWords, "… "+toks[at].raw)
			for _, c := range before {
				ev.negClauses[c] = true
			}
			break
		}
	}
	// "Pricey but worth every penny" accepts the price.
	if ev.worth {
		delete(ev.problems, review.Price)
		delete(ev.weak, review.Price)
		delete(ev.anchors, review.Price)
	}
	// "Looks great, but after a week the plating came off": in a short
	// review, a contrast followed by words that do not praise reports a
	// problem even when no lexicon names it.
	// Doubt before the contrast ("I was sceptical, but ...") turns it
	// the other way: what follows is the good verdict.
	conceded := false
	for _, at := range concessionAt {
		conceded = conceded || firstContrast >= 0 && at < firstContrast
	}
	if conceded {
		ev.pos++
		ev.posWords = append(ev.posWords, "doubt … but")
	}
	if len(toks) <= 40 && len(ev.problems) == 0 && !conceded {
		for seg := range afterSeg {
			n, praised := 0, posClauses[seg]
			for i := range toks {
				if cl[i] == seg {
					n++
				}
			}
			if n >= 4 && !praised {
				ev.neg += 2
				ev.negWords = append(ev.negWords, "but …")
				ev.negClauses[seg] = true
				break
			}
		}
	}
	// "Lovely bag, but the delivery was a letdown": in a short review, an
	// area named right after a contrast, in a clause that complains and does
	// not praise, is the problem being reported.
	named := len(ev.problems) > 0
	for _, h := range afterContrast {
		// Who says they were never here names no area they had trouble with.
		if !named && len(ev.noExp) == 0 && ev.negClauses[h.clauseID] && !posClauses[h.clauseID] {
			ev.problems[h.p.topic] = append(ev.problems[h.p.topic], "but … "+words(h))
		}
	}
	if happy, sad := emoticons(t.src); happy+sad > 0 {
		ev.pos += float64(happy)
		ev.neg += float64(sad)
		if happy > 0 {
			ev.posWords = append(ev.posWords, "smiley")
		}
		if sad > 0 {
			ev.negWords = append(ev.negWords, "sad smiley")
		}
	}
	return ev
}

// spamSignals adds links, @handles, phone numbers and promo codes. A link
// inside a long review that tells an experience is a source, not an ad:
// it then needs a second promotional signal.
func (ev *evidence) spamSignals(s string, t text) {
	if m := findLink(s); m != "" {
		// An explicit web address in a short text sells; a bare domain
		// ("shopname.se did it again") or a link in a long account tells.
		w := 1.0
		switch {
		case ev.words > 25:
		case strings.HasPrefix(m, "http") || m == "www.":
			w = 2
		case strings.ContainsAny(m, "-0123456789"):
			w = 2 // "seo-boost24.net" is made up to sell, not a shop's name
		default:
			w = 1.5
		}
		ev.spam += w
		ev.spamWords = append(ev.spamWords, "link "+m)
	}
	if hasHandle(s) {
		ev.spam++
		ev.spamWords = append(ev.spamWords, "@handle")
	}
	if hasPhone(s) {
		ev.spam++
		ev.spamWords = append(ev.spamWords, "phone number")
	}
	if t.promo {
		ev.spam++
		ev.spamWords = append(ev.spamWords, "promo code")
	}
}

// topics lists the topics of a complaint: problems named outright, areas
// named in a clause that complains, and weak cues only when nothing else.
func (ev *evidence) topics() ([]review.Topic, []string) {
	found := map[review.Topic]string{}
	for tp, ws := range ev.problems {
		found[tp] = ws[0]
	}
	for tp, hs := range ev.anchors {
		if _, ok := found[tp]; ok {
			continue
		}
		for _, h := range hs {
			if ev.negClauses[h.clause()] && (!ev.problemClauses[h.clause()] || ev.negNear(h)) {
				found[tp] = h.p.src
				break
			}
		}
	}
	// "no answer about my refund": a silence about a return or refund is a
	// refund problem too.
	if _, ok := found[review.Service]; ok {
		if _, ok := found[review.Refund]; !ok {
			for _, h := range ev.anchors[review.Refund] {
				if !ev.posClauses[h.clause()] {
					found[review.Refund] = h.p.src
					break
				}
			}
		}
	}
	if len(found) == 0 {
		for tp, ws := range ev.weak {
			found[tp] = ws[0]
		}
	}
	// A complaint that names no problem outright is about the areas it
	// mentions ("stuck in customs" → the parcel), but not those it praises
	// ("fast delivery, but the pendant tarnished").
	if len(found) == 0 {
		for tp, hs := range ev.anchors {
			for _, h := range hs {
				if !ev.posClauses[h.clause()] {
					found[tp] = h.p.src
					break
				}
			}
		}
	}
	return sortTopics(found)
}

// negNear reports a negative phrase within three words of h.
func (ev *evidence) negNear(h hit) bool {
	for _, at := range ev.negAt {
		if at >= h.start-3 && at <= h.end+2 {
			return true
		}
	}
	return false
}

// namedTopics lists the areas a question names: problems named outright
// and the transactional areas it mentions.
func (ev *evidence) namedTopics() ([]review.Topic, []string) {
	found := map[review.Topic]string{}
	for tp, ws := range ev.problems {
		found[tp] = ws[0]
	}
	for tp, hs := range ev.anchors {
		if _, ok := found[tp]; !ok && askable[tp] {
			found[tp] = hs[0].p.src
		}
	}
	return sortTopics(found)
}

// askable are the areas a question names by merely mentioning them; asking
// about fabric or wood is about the product, not a quality problem.
var askable = map[review.Topic]bool{review.Delivery: true, review.Refund: true, review.Price: true, review.Service: true}

func sortTopics(found map[review.Topic]string) ([]review.Topic, []string) {
	out := []review.Topic{}
	var reasons []string
	for _, tp := range review.Topics {
		if w, ok := found[tp]; ok {
			out = append(out, tp)
			reasons = append(reasons, fmt.Sprintf("%s: %q", tp, w))
		}
	}
	return out, reasons
}

func (h hit) clause() int { return h.clauseID }
