package classify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/calmreply/calmreply/shared/review"
)

// Thresholds of the rules below, named so tuning reads as data.
const (
	spamMin   = 2.0 // a link alone, or two promotional signals
	trollMin  = 2.0 // one specific provocation phrase, or two short cues
	clearText = 1.0 // text sentiment margin that overrules the stars
	// bargainSpan is how many words may lie between threat and demand.
	bargainSpan = 20
	// waitSpan is how many words from a wait may name what was waited for.
	waitSpan   = 10
	maxReasons = 6
)

// ratingLean is how much the stars alone lean towards praise (+) or
// complaint (-); 3 stars usually carry a reservation.
var ratingLean = map[int]float64{1: -2, 2: -1.3, 3: -0.4, 4: 0.8, 5: 1.2}

// decide applies the playbook's table: the special kinds first (they need
// their own handling whatever the stars say), then question, then praise
// against complaint from text and rating together.
func decide(ev *evidence, rating *int) review.Analysis {
	a := review.Analysis{Topics: []review.Topic{}}
	var reasons []string
	nProblems := len(ev.problems)
	stars := 0
	if rating != nil && *rating >= 1 && *rating <= 5 {
		stars = *rating
	}
	set := func(k review.Kind, conf float64, why ...string) {
		a.Kind, a.Confidence = k, conf
		reasons = append(reasons, why...)
	}
	switch {
	case ev.isSpam(nProblems):
		set(review.Spam, clamp(0.55+0.12*ev.spam), "promotion: "+strings.Join(ev.spamWords, ", "))
	case ev.isExtortion():
		set(review.Extortion, clamp(0.6+0.1*float64(len(ev.threat)+len(ev.cond))),
			"threat: "+quoteAll(ev.threat), "demand: "+quoteAll(ev.demand))
		a.Topics, _ = ev.namedProblemTopics()
	case ev.isAbusive(nProblems):
		words := append(append([]string(nil), ev.insult...), ev.obscene...)
		set(review.Abusive, clamp(0.55+0.15*float64(len(words))), "insult or threat: "+quoteAll(words))
	case ev.troll >= trollMin && nProblems == 0 && ev.pos < 2 && ev.words <= 40:
		set(review.Troll, clamp(0.45+0.1*ev.troll), "provocation, no experience described: "+quoteAll(ev.trollWords))
	case len(ev.noExp) > 0 && ev.pos < 2 && ev.words <= 40 && ev.onlyHearsay():
		set(review.Troll, 0.6, "no experience, only a verdict: "+quoteAll(ev.noExp))
	case len(ev.offtopic) > 0 && len(ev.anchors) == 0 && nProblems <= 1 && ev.pos < 1 && ev.words <= 30:
		set(review.Troll, 0.55, "off-topic: "+quoteAll(ev.offtopic))
	case ev.troll >= 1 && nProblems == 0 && len(ev.weak) == 0 && len(ev.anchors) == 0 && ev.pos < 1 && !ev.why &&
		(ev.words <= 6 || ev.questions > 0 && ev.words <= 20):
		// "First! lol", "Handmade? haha sure": mockery and nothing else.
		set(review.Troll, 0.5, "mockery, no experience described: "+quoteAll(ev.trollWords))
	case len(ev.obscene) > 0 && nProblems == 0 && len(ev.weak) == 0 && ev.pos < 1:
		set(review.Abusive, clamp(0.5+0.1*float64(len(ev.obscene))), "obscenity without a reported problem: "+quoteAll(ev.obscene))
	case ev.isQuestion(nProblems, stars):
		why := "asks something"
		if ev.suggestion {
			why = "makes a suggestion"
		}
		set(review.Question, clamp(0.6+0.1*float64(ev.qStart)), why)
		a.Topics, _ = ev.namedTopics()
	default:
		if ev.why && (ev.negators > 0 || ev.rhetoric) {
			ev.neg++ // "Why does nobody answer?!" complains
			reasons = append(reasons, "rhetorical question")
		}
		reasons = append(reasons, ev.sentiment(&a, stars)...)
	}
	if a.Kind == review.Complaint {
		var tr []string
		a.Topics, tr = ev.topics()
		reasons = append(reasons, tr...)
	}
	a.Confidence = clamp(a.Confidence)
	a.Action = review.ActionFor(a.Kind)
	if len(reasons) > maxReasons {
		reasons = reasons[:maxReasons]
	}
	a.Reasons = reasons
	return a
}

// isSpam: promotion that outweighs any experience told. A review that
// reports a problem or complains clearly needs more than one signal: bank
// customers quote promo codes and link the bank's own site.
func (ev *evidence) isSpam(nProblems int) bool {
	if nProblems > 0 || ev.neg >= 2 {
		return ev.spam >= 2*spamMin
	}
	return ev.spam >= spamMin
}

// onlyHearsay: a review that says it has no experience judges only prices
// or authenticity, never a delivery, item or service it actually had.
func (ev *evidence) onlyHearsay() bool {
	for tp := range ev.problems {
		if tp != review.Price && tp != review.NotAsDescribed {
			return false
		}
	}
	return true
}

// isExtortion: leverage (bad reviews, press) plus a demand, tied by a
// condition ("if", "or") or by two threats, close enough together to be one
// sentence's bargain.
func (ev *evidence) isExtortion() bool {
	if len(ev.threatAt) == 0 || len(ev.demandAt) == 0 || len(ev.cond) == 0 && len(ev.threat) < 2 {
		return false
	}
	for _, t := range ev.threatAt {
		for _, d := range ev.demandAt {
			if t-d <= bargainSpan && d-t <= bargainSpan {
				return true
			}
		}
	}
	return false
}

// isAbusive: insults aimed at people. One insult inside a long account of a
// real problem ("these clueless people lost my parcel") is an angry
// complaint; two insults, or one with obscenity or in a short text, abuse.
func (ev *evidence) isAbusive(nProblems int) bool {
	switch {
	case len(ev.insult) > 1:
		return true
	case len(ev.insult) == 1:
		return len(ev.obscene) > 0 || nProblems == 0 && len(ev.weak) == 0 && ev.neg < 2 && ev.words <= 30
	}
	return false
}

// isQuestion: a question mark or suggestion with no reported problem, and
// not a rhetorical "why did nobody answer?!".
func (ev *evidence) isQuestion(nProblems, stars int) bool {
	if ev.questions == 0 && !ev.suggestion {
		return false
	}
	if ev.why && (ev.negators > 0 || ev.rhetoric || ev.neg > 0) {
		return false
	}
	if nProblems > 0 || ev.neg >= 2 && ev.neg > ev.pos {
		return false
	}
	// A long review with an opinion that asks in passing ("teurer? im
	// Einkauf ja") or ends with a tip is an opinion, not a question; one
	// or two stars with any complaint in it ask "where is my order?!".
	if ev.words > 40 && ev.pos+ev.neg > 0 {
		return false
	}
	if stars >= 1 && stars <= 2 && (ev.neg > 0 || len(ev.weak) > 0 || ev.words > 20 || ev.rhetoric) {
		return false
	}
	return ev.qStart > 0 || ev.suggestion || ev.pos+ev.neg == 0
}

// sentiment settles praise against complaint. A real problem makes a
// complaint whatever else the review says; clear text beats the stars;
// otherwise both are weighed.
func (ev *evidence) sentiment(a *review.Analysis, stars int) []string {
	var reasons []string
	// At one or two stars, praise that is all thanks or a lone opening
	// "Great," around an account of what happened mocks.
	if stars >= 1 && stars <= 2 && ev.irony > 0 && ev.irony >= ev.pos && ev.words-ev.ironyToks >= 4 {
		ev.neg += ev.pos
		ev.pos = 0
		reasons = append(reasons, fmt.Sprintf("ironic praise at %d★: %s", stars, quoteAll(ev.posWords)))
		ev.posWords = nil
	}
	// Weak problem cues ("waited", "broken") pull towards complaint and
	// undo sarcastic praise ("Great, just great. Waited a month...").
	textScore := ev.pos - ev.neg - 0.75*float64(len(ev.weak))
	if len(ev.posWords) > 0 {
		reasons = append(reasons, "positive: "+quoteAll(ev.posWords))
	}
	if len(ev.negWords) > 0 {
		reasons = append(reasons, "negative: "+quoteAll(ev.negWords))
	}
	// In a long review the stars say more than a count of lexicon words:
	// the stars' pull grows with length, and text must be clearer to
	// overrule them ("1 star. Love it!" still does).
	length := float64(min(ev.words, 100))
	lean := ratingLean[stars] * (1 + length/50)
	clear := clearText
	if lean != 0 {
		clear += length / 30
	}
	starNote := func() {
		if stars > 0 {
			reasons = append(reasons, fmt.Sprintf("rating %d★", stars))
		}
	}
	switch {
	case len(ev.problems) > 0:
		a.Kind = review.Complaint
		a.Confidence = clamp(0.7 + 0.05*float64(len(ev.problems)) - 0.05*ev.pos)
		if stars >= 4 {
			reasons = append(reasons, fmt.Sprintf("rating %d★ but the text reports a problem", stars))
			a.Confidence -= 0.1
		} else {
			starNote()
		}
	case textScore >= clear || textScore <= -clear || lean == 0 && abs(textScore) >= clearText:
		a.Kind = review.Praise
		if textScore < 0 {
			a.Kind = review.Complaint
		}
		a.Confidence = clamp(0.6 + 0.1*abs(textScore))
		if lean*textScore < 0 && abs(ratingLean[stars]) >= 1 {
			if a.Kind == review.Praise {
				reasons = append(reasons, fmt.Sprintf("rating %d★ disagrees with the text: likely a mistaken rating", stars))
			} else {
				reasons = append(reasons, fmt.Sprintf("rating %d★ but the text complains", stars))
			}
			a.Confidence -= 0.2
		} else {
			starNote()
		}
	default:
		score := textScore + lean
		a.Kind = review.Praise
		if score < 0 || score == 0 && lean < 0 {
			a.Kind = review.Complaint
		}
		a.Confidence = clamp(0.35 + 0.12*abs(score))
		switch {
		case stars > 0 && textScore == 0:
			reasons = append(reasons, fmt.Sprintf("rating %d★ (the text says little)", stars))
		case stars > 0:
			starNote()
		case textScore == 0 && ev.negators == 0 && len(ev.anchors) == 0 && len(ev.weak) == 0 && ev.words > 0:
			// Nothing negated, no area named, no rating: an account that
			// went smoothly in words no list knows.
			reasons = append(reasons, "no negative signal and no rating; read as praise")
			a.Confidence = 0.3
		case textScore == 0:
			// Thanking someone for a complaint hurts more than asking a
			// happy customer what went wrong.
			a.Kind = review.Complaint
			reasons = append(reasons, "no clear signal and no rating; read as a complaint")
			a.Confidence = 0.3
		}
	}
	if a.Confidence < 0.2 {
		a.Confidence = 0.2
	}
	return reasons
}

// namedProblemTopics lists the problems an extortion names outright, and
// refund when it demands money back.
func (ev *evidence) namedProblemTopics() ([]review.Topic, []string) {
	found := map[review.Topic]string{}
	for tp, ws := range ev.problems {
		found[tp] = ws[0]
	}
	if hs := ev.anchors[review.Refund]; len(hs) > 0 {
		found[review.Refund] = hs[0].p.src
	}
	return sortTopics(found)
}

func quoteAll(ws []string) string {
	var b strings.Builder
	n := 0
	for i, w := range ws {
		if n == 4 || slices.Contains(ws[:i], w) {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(w))
		n++
	}
	return b.String()
}

func clamp(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 0.95:
		return 0.95
	}
	return float64(int(x*100+0.5)) / 100
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
