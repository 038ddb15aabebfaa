// Package reply drafts the seller's answers to a review: the public reply,
// the first private message and the later check-back, in the review's
// language, following the playbook (calm, specific, never defensive).
//
// Wording comes from one phrase file per language (phrases/*.json) with
// several alternatives per slot. Which alternative a draft uses depends on a
// hash of the review and the variant, so the same review always gets the same
// draft, different reviews get different ones, and "another wording" cycles.
package reply

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// Request is everything a draft depends on.
type Request struct {
	Review   review.Review
	Analysis review.Analysis
	Settings review.Settings
	Policy   site.Policy
	// Variant selects another wording ("Another wording" in the overlay);
	// the same request and variant always give the same draft.
	Variant int
	Now     time.Time
}

// FallbackLang is the language drafted in when the review's language has no
// phrase file.
const FallbackLang = "en"

// Compose drafts the public reply and private messages for a review.
func Compose(req Request) review.Draft {
	d, _ := compose(req)
	return d
}

// part is one sentence of a message and the role it plays in the playbook's
// structure (greeting, apology, action...); tests check the roles.
type part struct {
	role, text string
}

// message is a greeting, body sentences and a sign-off.
type message []part

func (m message) String() string {
	var head, body, tail []string
	for _, p := range m {
		if p.text == "" {
			continue
		}
		switch p.role {
		case "greeting":
			head = append(head, p.text)
		case "closing":
			tail = append(tail, p.text)
		default:
			body = append(body, p.text)
		}
	}
	var blocks []string
	for _, b := range [][]string{head, {strings.Join(body, " ")}, tail} {
		if s := strings.Join(b, "\n"); s != "" {
			blocks = append(blocks, s)
		}
	}
	return strings.Join(blocks, "\n\n")
}

func compose(req Request) (review.Draft, message) {
	d, m, notes := composeNotes(req)
	d.Note = strings.Join(notes, " ")
	return d, m
}

// Notes the language-model path replaces when the reply is the model's.
const (
	noteShortened = "The reply was shortened to fit the platform's length limit; check that it still reads well."
	noteNoBook    = "No built-in wording for language %q yet, so this draft is in English; translate it before posting."
)

// composeNotes is compose with the notes still apart, so ComposeWithModel
// can drop those that no longer apply to a model's reply.
func composeNotes(req Request) (review.Draft, message, []string) {
	w, notes := newWriter(req)
	d := review.Draft{Lang: w.lang, Variant: req.Variant}
	var public message
	kind := req.Analysis.Kind
	if kind == "" {
		kind = review.Complaint // unclassified: the careful answer
	}
	switch kind {
	case review.Praise:
		public = w.praise()
	case review.Question:
		public = w.question()
		notes = append(notes, "A question: if you can answer it in one or two sentences, add the answer to the public reply; other customers may wonder the same.")
	case review.Extortion:
		public = w.extortion()
		d.PrivateMessage = w.extortionPrivate().String()
		notes = append(notes, "This reads as a demand tied to the review: the reply shows understanding and declines politely, without a concession."+w.grounds(" If the platform accepts it, you can also report the review: "))
	case review.Troll:
		notes = append(notes, "Written to provoke rather than to report an experience: no reply is the best answer here. Do not delete or argue; leave it standing.")
	case review.Abusive:
		d.PrivateMessage = w.abusivePrivate().String()
		notes = append(notes, "Abusive content: do not answer it in public. Report it to the platform"+w.grounds(" (grounds it accepts: ")+w.closeParen()+" and, if you want to find the cause, write to the customer privately with the message below.")
	case review.Spam:
		notes = append(notes, "Spam or an advert, not a customer experience: do not reply; report it to the platform"+w.grounds(" (grounds it accepts: ")+w.closeParen()+".")
	default: // complaint
		public = w.complaint()
		d.PrivateMessage = w.complaintPrivate().String()
		d.CheckBack = w.checkBack().String()
	}
	public = w.finish(public)
	d.Reply = public.String()
	d.PrivateMessage = w.finishText(d.PrivateMessage)
	d.CheckBack = w.finishText(d.CheckBack)

	p := req.Policy
	if p.ReplyMaxRating > 0 && req.Review.Rating != nil && *req.Review.Rating > p.ReplyMaxRating && d.Reply != "" {
		if d.PrivateMessage == "" && kind == review.Praise {
			d.PrivateMessage = d.Reply // the thanks can still go as a message
		}
		d.Reply, public = "", nil
		notes = append(notes, fmt.Sprintf("This platform allows a public reply only to reviews of %d stars or fewer, so there is no public reply; use the private message instead.", p.ReplyMaxRating))
	}
	if p.ReplyLocksReview && d.Reply != "" {
		notes = append(notes, "A public reply here stops the customer from editing the review: solve it privately first, ask them to update the review, and post the public reply only if that does not happen before the review window closes.")
	}
	if d.Reply != "" && (p.ReplyMaxBytes > 0 || p.ReplyMaxChars > 0) {
		if fitted, cut := fit(public, p.ReplyMaxBytes, p.ReplyMaxChars); cut {
			d.Reply = fitted
			notes = append(notes, noteShortened)
		}
	}
	return d, public, notes
}

// finish applies the language's letter convention to the first sentence
// after a greeting that ends in a comma.
func (w *writer) finish(m message) message {
	if !w.b.LowerAfterGreeting || len(m) < 2 || m[0].role != "greeting" || !strings.HasSuffix(m[0].text, ",") {
		return m
	}
	m[1].text = w.lowerStart(m[1].text)
	return m
}

// finishText is finish for an already rendered message.
func (w *writer) finishText(s string) string {
	head, body, ok := strings.Cut(s, ",\n\n")
	if !ok || !w.b.LowerAfterGreeting || strings.Contains(head, "\n") {
		return s
	}
	return head + ",\n\n" + w.lowerStart(body)
}

func (w *writer) lowerStart(s string) string {
	first, _, _ := strings.Cut(s, " ")
	for _, k := range w.b.KeepCapital {
		if strings.TrimRight(first, ",.!?") == k {
			return s
		}
	}
	return lowerFirst(s)
}

// writer picks and fills phrases for one request.
type writer struct {
	req       Request
	b         *book
	lang      string
	tone      string
	seed      uint64
	overrides map[string]string
	vars      map[string]string
	toks      []token
	topics    []review.Topic
	// plural: {item} is the customer's plural noun ("your mugs"), so topic
	// phrases must agree with it.
	plural bool
	// voice is who speaks in every message of the draft (voiceI or
	// voiceWe), see voiceFor.
	voice uint8
	// visit: the review is about a visit (a restaurant, hotel, salon),
	// not an order, so there is no order number to ask for.
	visit bool
	// calm: an unhappy review gets the plain greeting and sign-off, not
	// the cheerful ones ("Hejsan! ... Ha det fint!").
	calm bool
	// publicFirst: a public reply exists and is meant to be posted before
	// the private message, so the message may apologise "once again".
	publicFirst bool
	// neutral: one named person where the formal address is plural
	// (Polish "Państwo"): no name in the greeting, no plural wordings.
	neutral bool
	// hidden: the platform allows no public reply to this rating, so the
	// private message must also carry the thanks the reply would have.
	hidden bool
}

func newWriter(req Request) (*writer, []string) {
	var notes []string
	lang := strings.ToLower(req.Analysis.Lang)
	if lang == "" {
		lang = strings.ToLower(req.Review.Lang)
	}
	b, ok := books[lang]
	if !ok {
		if lang != "" {
			notes = append(notes, fmt.Sprintf(noteNoBook, lang))
		}
		lang, b = FallbackLang, books[FallbackLang]
	}
	tone := req.Settings.Tone
	if tone != "formal" && tone != "informal" {
		tone = b.DefaultTone
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s", req.Review.Platform, req.Review.ID, req.Review.Text)
	w := &writer{
		req: req, b: b, lang: lang, tone: tone, seed: h.Sum64(),
		overrides: req.Settings.Phrases[lang],
		toks:      tokenize(req.Review.Text),
		voice:     voiceFor(req.Settings, b),
	}
	w.topics = req.Analysis.Topics
	if len(w.topics) == 0 && (req.Analysis.Kind == review.Complaint || req.Analysis.Kind == "" || req.Analysis.Kind == review.Extortion) {
		w.topics = inferTopics(b, w.toks)
	}
	w.topics = byWeight(w.topics)
	w.visit = isVisit(b, w.toks, req.Review.Platform, w.topics)
	w.calm = isUnhappy(req)
	rating, p := req.Review.Rating, req.Policy
	w.hidden = p.ReplyMaxRating > 0 && rating != nil && *rating > p.ReplyMaxRating
	w.publicFirst = !w.hidden && !p.ReplyLocksReview
	w.vars = map[string]string{
		"name":  FirstName(req.Review.Author),
		"shop":  req.Settings.ShopName,
		"email": req.Settings.Contact.Email,
		"phone": req.Settings.Contact.Phone,
	}
	w.neutral = len(b.NeutralMarks) > 0 && tone == "formal" && w.vars["name"] != "" && !strings.Contains(w.vars["name"], " ")
	w.vars["when"] = w.say("when")
	w.vars["item"] = w.item()
	w.vars["duration"] = findDuration(b, w.toks)
	return w, notes
}

// choose returns the alternative for a slot: stable per review, shifted by
// the variant so "another wording" walks through all of them. Only
// alternatives in the draft's voice take part; if a slot had none (the
// data test forbids it), all would.
func (w *writer) choose(key string, alts []string) string {
	if len(alts) == 0 {
		return ""
	}
	// The alternatives in the draft's voice, by index (slots have a
	// handful, so a fixed array avoids an allocation).
	var in [16]int
	n := 0
	bits, stored := w.b.listVoice[&alts[0]]
	for k, a := range alts {
		if k >= len(in) {
			break
		}
		var v uint8
		if stored && k < len(bits) {
			v = bits[k]
		} else {
			v = w.voiceOf(a)
		}
		if v&^w.voice == 0 {
			in[n] = k
			n++
		}
	}
	if w.neutral {
		// Keep the wordings without the plural address, if any.
		m := 0
		for _, k := range in[:n] {
			if !hasMark(alts[k], w.b.NeutralMarks) {
				in[m] = k
				m++
			}
		}
		if m > 0 {
			n = m
		}
	}
	// The bytes fmt's "%d\x00%s" would write, without fmt's cost.
	buf := make([]byte, 0, 64)
	buf = append(append(strconv.AppendUint(buf, w.seed, 10), 0), key...)
	h := fnv.New64a()
	h.Write(buf)
	if n == 0 {
		return alts[(h.Sum64()+uint64(max(w.req.Variant, 0)))%uint64(len(alts))]
	}
	return alts[in[(h.Sum64()+uint64(max(w.req.Variant, 0)))%uint64(n)]]
}

// voiceOf returns the voice bits of an alternative.
func (w *writer) voiceOf(a string) uint8 {
	v, ok := w.b.voiceOf[a]
	if !ok {
		v = phraseVoice(voiceMarks(w.b), a)
	}
	return v
}

// teamWords in a signature mean the shop signs as a group ("Team
// Tonhaus", "Het team van ...", "Tonhaus GmbH"); joinWords join two
// people ("Anna & Tom", "Anna und Tom").
var (
	teamWords = map[string]bool{
		"team": true, "teamet": true, "teamed": true, "équipe": true, "equipo": true, "squadra": true,
		"zespół": true, "zespol": true, "holdet": true, "staff": true, "crew": true, "gruppe": true,
		"gmbh": true, "ug": true, "ag": true, "kg": true, "ltd": true, "llc": true, "inc": true, "bv": true,
		"ab": true, "as": true, "aps": true, "sarl": true, "srl": true, "sl": true, "spa": true,
		"shop": true, "store": true, "studio": true, "atelier": true, "boutique": true, "webshop": true,
		"winkel": true, "butik": true, "butikk": true, "laden": true, "manufaktur": true, "sklep": true,
	}
	joinWords = map[string]bool{
		"&": true, "+": true, "und": true, "and": true, "en": true, "och": true, "og": true,
		"et": true, "y": true, "e": true, "i": true, "oraz": true,
	}
)

// voiceFor decides who speaks in a draft: one person ("I") when the
// seller signs with a person's name ("Anna from Tonhaus") and the language
// has wordings for it; the shop ("we") otherwise: no signature, the shop's
// name, a team or a family.
func voiceFor(s review.Settings, b *book) uint8 {
	if !slices.Contains(b.Voices, "i") {
		return voiceWe
	}
	sig := strings.TrimSpace(s.Signature)
	for _, f := range strings.Fields(strings.ToLower(sig)) {
		if joinWords[f] {
			return voiceWe
		}
	}
	fields := strings.FieldsFunc(strings.ToLower(sig), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' })
	for _, f := range fields {
		if teamWords[f] || strings.HasSuffix(f, "-team") || familyWords[f] {
			return voiceWe
		}
	}
	name := FirstName(&sig)
	if name == "" || strings.Contains(name, " ") {
		return voiceWe
	}
	if shop := strings.Fields(strings.ToLower(s.ShopName)); len(shop) > 0 && strings.EqualFold(shop[0], name) {
		return voiceWe // the shop's own name, not a person's
	}
	return voiceI
}

// say renders a slot: the seller's override if any, else a built-in
// alternative, with {placeholders} filled.
func (w *writer) say(slot string) string {
	if o, ok := w.overrides[slot]; ok {
		return w.fill(o)
	}
	t, ok := w.b.Slots[slot]
	if !ok {
		panic("reply: phrase slot " + slot + " missing for " + w.lang) // caught by the data test
	}
	return w.fill(w.choose(slot, t.alternatives(w.tone)))
}

func (w *writer) fill(s string) string {
	for strings.Contains(s, "{") {
		i := strings.Index(s, "{")
		j := strings.Index(s[i:], "}")
		if j < 0 {
			break
		}
		key := s[i+1 : i+j]
		s = s[:i] + w.vars[key] + s[i+j+1:]
	}
	return s
}

// item is how the draft refers to the product: the customer's own word, the
// listing title, or "your order".
func (w *writer) item() string {
	if it := findItem(w.b, w.toks, w.topics, w.tone); it.text != "" {
		w.plural = it.plural
		return it.text
	}
	if l := w.req.Review.Listing; l != nil && shortTitle(l.Title) != "" {
		w.vars["title"] = shortTitle(l.Title)
		return w.say("item_title")
	}
	return w.say("item_default")
}

func (w *writer) greeting() part {
	// A single named person is greeted by name even where the body avoids
	// the plural formal address (Polish "Państwo"): the name is what makes
	// the greeting personal.
	if w.vars["name"] != "" {
		return part{"greeting", w.say(w.calmSlot("greet_name"))}
	}
	return part{"greeting", w.say(w.calmSlot("greet_anon"))}
}

// calmSlot is slot's "_calm" wording for an unhappy review, when the
// language has one.
func (w *writer) calmSlot(slot string) string {
	if _, ok := w.b.Slots[slot+"_calm"]; ok && w.calm {
		return slot + "_calm"
	}
	return slot
}

func (w *writer) closing() part {
	c := w.say(w.calmSlot("closing"))
	sig := w.req.Settings.Signature
	if sig == "" && w.req.Settings.ShopName != "" {
		sig = w.say("team")
	}
	if sig == "" {
		return part{"closing", strings.TrimRight(c, ",")}
	}
	return part{"closing", c + "\n" + sig}
}

func (w *writer) invite() part {
	c := w.req.Settings.Contact
	switch {
	case c.Email != "" && c.Phone != "":
		return part{"invite", w.say("invite_email_phone")}
	case c.Email != "":
		return part{"invite", w.say("invite_email")}
	case c.Phone != "":
		return part{"invite", w.say("invite_phone")}
	}
	return part{"invite", w.say("invite_message")}
}

// problem names what went wrong in the customer's terms, as a clause that
// follows "sorry that": one or two topics.
func (w *writer) problem() string {
	var clauses []string
	itemUsed := false
	for _, key := range w.problemKeys() {
		if len(clauses) == 2 {
			break
		}
		c, usedItem := w.topicClause(key, itemUsed)
		if c != "" {
			clauses = append(clauses, c)
			itemUsed = itemUsed || usedItem
		}
	}
	if len(clauses) == 0 {
		return ""
	}
	return strings.Join(clauses, w.say("and_that"))
}

// problemKeys are the topic phrases the problem may name, strongest
// first: each topic refined by what the review says.
func (w *writer) problemKeys() []string {
	var keys []string
	for _, t := range w.topics {
		key := w.refine(t)
		if key == "delivery_neutral" && len(w.topics) > 1 {
			continue // another problem is the one the review describes
		}
		keys = append(keys, key)
	}
	return keys
}

// refine turns a topic into the most precise key the review supports: a
// refinement whose words occur ("never arrived"), a delivery with the
// customer's waiting time, or the topic itself.
func (w *writer) refine(t review.Topic) string {
	for _, r := range w.b.Refine[string(t)] {
		if r.Visit && !w.visit {
			continue
		}
		if _, ok := w.b.Topics[r.Key]; ok && hasWord(w.toks, r.Words) && (len(r.Also) == 0 || hasWord(w.toks, r.Also)) {
			return r.Key
		}
	}
	if t == review.Delivery {
		switch {
		case w.vars["duration"] != "":
			return "delivery_duration"
		case !hasWord(w.toks, w.b.DelayWords) && !hasWord(w.toks, w.b.LateWords):
			// The review names the parcel but no wait ("the pot was
			// broken when I opened the parcel"): saying it took long
			// would invent a delay.
			return "delivery_neutral"
		}
	}
	return string(t)
}

// topicClause renders one topic's clause and says whether it named the
// item. A second clause avoids naming the item again: it prefers wordings
// without {item}, else it says "your order".
func (w *writer) topicClause(key string, again bool) (string, bool) {
	if o, ok := w.overrides["topic."+key]; ok {
		return w.fill(o), strings.Contains(o, "{item}")
	}
	t := w.b.Topics[key]
	item, alts := w.vars["item"], t.alternatives(w.tone)
	if w.plural {
		if pl := t.pluralAlternatives(w.tone); len(pl) > 0 {
			alts = pl
		} else {
			item = w.say("item_default") // singular words must not name a plural
		}
	}
	if ag := t[w.tone+"_again"]; again && len(ag) > 0 {
		// Wordings written to follow another problem without naming the
		// order again ("and that the contents arrived damaged"), for
		// languages where no pronoun fits after "that".
		alts = ag
	} else if again {
		var free []string
		for _, a := range alts {
			if !strings.Contains(a, "{item}") {
				free = append(free, a)
			}
		}
		switch def := w.say("item_default"); {
		case len(free) > 0:
			alts = free
		case item == def && w.say("item_again") != "":
			// "your order took weeks, and that it arrived broken": the
			// pronoun fits only where the item is the clause's subject.
			alts, item = nil, w.say("item_again")
			for _, a := range t.alternatives(w.tone) {
				if strings.HasPrefix(a, "{item}") {
					alts = append(alts, a)
				}
			}
			if len(alts) == 0 {
				item, alts = def, t.alternatives(w.tone)
			}
		default:
			item, alts = def, t.alternatives(w.tone)
		}
	}
	if len(alts) == 0 {
		return "", false
	}
	a := w.choose("topic."+key, alts)
	saved := w.vars["item"]
	w.vars["item"] = item
	defer func() { w.vars["item"] = saved }()
	return w.fill(a), strings.Contains(a, "{item}")
}

// offers lists, as one phrase, what the seller's settings allow for these
// topics; "" when nothing is enabled or nothing fits.
func (w *writer) offers(price bool) string {
	o := w.req.Settings.Offers
	goods := false // a replacement only helps when the item itself is the problem
	for _, t := range w.topics {
		switch t {
		case review.Damaged, review.Defect, review.WrongItem, review.NotAsDescribed, review.Quality:
			goods = true
		}
	}
	var list []string
	if o.Replacement && goods && !price {
		list = append(list, w.say("offer_replacement"))
	}
	if o.Refund && !price {
		list = append(list, w.say("offer_refund"))
	}
	if o.DiscountCode {
		list = append(list, w.say("offer_discount_code"))
	}
	if o.FreeShipping && !price {
		list = append(list, w.say("offer_free_shipping"))
	}
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + w.say("or") + list[len(list)-1]
}

// offerCount is how many offers w.offers(price) lists.
func (w *writer) offerCount(price bool) int {
	saved := w.req.Settings.Offers
	n := 0
	for _, o := range []review.Offers{{Replacement: saved.Replacement}, {Refund: saved.Refund}, {DiscountCode: saved.DiscountCode}, {FreeShipping: saved.FreeShipping}} {
		w.req.Settings.Offers = o
		if w.offers(price) != "" {
			n++
		}
	}
	w.req.Settings.Offers = saved
	return n
}

// aboutGoods: some topic is about the order itself (its delivery or the
// item), not only about service, refunds or the price.
func (w *writer) aboutGoods() bool {
	if len(w.topics) == 0 {
		return true // unknown: the general wordings fit
	}
	for _, t := range w.topics {
		switch t {
		case review.Service, review.Refund, review.Price:
		default:
			return true
		}
	}
	return false
}

// priceOnly: the complaint is about the price (and maybe how it was
// handled), which gets options rather than an apology for a fault.
func (w *writer) priceOnly() bool {
	price := false
	for _, t := range w.topics {
		switch t {
		case review.Price:
			price = true
		case review.Service:
		default:
			return false
		}
	}
	return price
}

func (w *writer) complaint() message {
	m := message{w.greeting()}
	if w.priceOnly() {
		m = append(m, part{"apology", w.say("price_apology")}, part{"action", w.say("price_options")})
		if offers := w.offers(true); offers != "" {
			w.vars["offers"] = offers
			m = append(m, part{"action", w.say("price_offer")})
		}
		return append(m, part{"thanks", w.say("thanks_feedback")}, w.invite(), w.closing())
	}
	if p := w.problem(); p != "" {
		w.vars["problem"] = p
		m = append(m, part{"apology", w.say("apology")})
	} else {
		m = append(m, part{"apology", w.say("apology_generic")})
	}
	empathy := "empathy"
	if !w.aboutGoods() {
		empathy = "empathy_service" // no "you were looking forward to it" for an unanswered e-mail
	}
	m = append(m, part{"empathy", w.say(empathy)})
	if offers, n := w.offers(false), w.offerCount(false); offers != "" {
		w.vars["offers"] = offers
		slot := "action_offer"
		if n == 1 {
			slot = "action_offer_one" // "whichever suits you" needs a choice
		}
		m = append(m, part{"action", w.say(slot)})
	} else {
		m = append(m, part{"action", w.say("action_check")})
	}
	return append(m, part{"thanks", w.say("thanks_feedback")}, w.invite(), w.closing())
}

func (w *writer) complaintPrivate() message {
	m := message{w.greeting(), {"intro", w.say("pm_intro")}}
	switch {
	case w.hidden:
		// No public reply thanks them, so this message does.
		m = append(m, part{"thanks", w.say("pm_thanks_rating")})
	}
	switch {
	case w.vars["problem"] != "" && w.publicFirst:
		m = append(m, part{"apology", w.say("pm_apology_again")}) // "once again": the reply apologised first
	case w.vars["problem"] != "":
		m = append(m, part{"apology", w.say("pm_apology")})
	default:
		m = append(m, part{"apology", w.say("apology_generic")})
	}
	ask := "pm_ask"
	for _, t := range w.topics {
		switch t {
		case review.Damaged, review.Defect, review.WrongItem, review.NotAsDescribed, review.Quality:
			ask = "pm_ask_photo"
		}
	}
	if w.visit {
		ask = "pm_ask_visit" // no order number after a meal or a stay
	}
	m = append(m, part{"ask", w.say(ask)})
	if offers := w.offers(w.priceOnly()); offers != "" {
		w.vars["offers"] = offers
		slot := "pm_offer"
		if w.offerCount(w.priceOnly()) == 1 {
			slot = "pm_offer_one" // one offer leaves nothing to choose between
		}
		m = append(m, part{"action", w.say(slot)})
	} else {
		m = append(m, part{"action", w.say("pm_wish")})
	}
	return append(m, part{"action", w.say("pm_when")}, w.closing())
}

func (w *writer) checkBack() message {
	return message{w.greeting(), {"ask", w.say("cb_ask")}, {"review", w.say("cb_review")}, {"thanks", w.say("cb_thanks")}, w.closing()}
}

func (w *writer) praise() message {
	m := message{w.greeting(), {"thanks", w.say("praise_thanks")}}
	if a := findAspect(w.b, w.toks); a != "" {
		m = append(m, part{"detail", w.fill(w.choose("aspect."+a, w.b.Aspects[a].Phrases.alternatives(w.tone)))})
	} else if l := w.req.Review.Listing; l != nil && shortTitle(l.Title) != "" {
		m = append(m, part{"detail", w.say("praise_item")})
	}
	return append(m, part{"wish", w.say("praise_wish")}, w.closing())
}

func (w *writer) question() message {
	m := message{w.greeting()}
	q := findQuestion(w.req.Review.Text)
	if q == "" {
		// No question mark: a suggestion or idea.
		return append(m, part{"thanks", w.say("idea_thanks")}, part{"answer", w.say("idea_next")}, w.closing())
	}
	w.vars["question"] = w.b.Quotes[0] + q + w.b.Quotes[1]
	m = append(m, part{"thanks", w.say("question_thanks")}, part{"restate", w.say("question_restate")},
		part{"answer", w.say("question_answer")})
	if w.req.Settings.Contact != (review.Contact{}) {
		m = append(m, w.invite())
	}
	return append(m, w.closing())
}

func (w *writer) extortion() message {
	return message{w.greeting(), {"empathy", w.say("extortion_understand")}, {"decline", w.say("extortion_decline")},
		{"invite", w.say("extortion_open")}, w.closing()}
}

func (w *writer) extortionPrivate() message {
	return message{w.greeting(), {"empathy", w.say("extortion_understand")}, {"decline", w.say("pm_extortion")}, w.closing()}
}

func (w *writer) abusivePrivate() message {
	return message{w.greeting(), {"ask", w.say("pm_abusive")}, w.closing()}
}

// grounds words the platform's report grounds after a lead-in, or "".
func (w *writer) grounds(lead string) string {
	g := w.req.Policy.ReportGrounds
	if len(g) == 0 {
		return ""
	}
	s := lead + strings.Join(g, "; ")
	if h := w.req.Policy.ReportHelp; h != "" && !strings.HasSuffix(lead, "(grounds it accepts: ") {
		s += ". " + h
	}
	return s
}

func (w *writer) closeParen() string {
	if len(w.req.Policy.ReportGrounds) == 0 {
		return ""
	}
	return ")"
}

// hasMark says whether s contains one of the words in marks as a word
// start ("Państwo", "Państwa", "Państwu" all start with "Państw").
func hasMark(s string, marks []string) bool {
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, m := range marks {
			if strings.HasPrefix(f, strings.ToLower(m)) {
				return true
			}
		}
	}
	return false
}

// topicWeight orders the problems a draft names: the goods themselves and
// a missing refund first, then a lost parcel, a delay, the service.
var topicWeight = map[review.Topic]int{
	review.WrongItem: 9, review.Damaged: 9, review.Defect: 9, review.Refund: 8,
	review.NotAsDescribed: 7, review.Quality: 6, review.Delivery: 5, review.Service: 4, review.Price: 3,
}

// byWeight returns the topics, strongest first (stable among equals), so
// the two a draft names are the two that matter most to the customer.
func byWeight(topics []review.Topic) []review.Topic {
	out := slices.Clone(topics)
	slices.SortStableFunc(out, func(a, b review.Topic) int { return topicWeight[b] - topicWeight[a] })
	return out
}

// isVisit says whether a review is about a visit (a meal, a stay, an
// appointment) rather than an order: it names a visit, or it is a Google
// review that names no order and no fault of a product; a shipment or
// refund topic always means an order.
func isVisit(b *book, toks []token, platform review.Platform, topics []review.Topic) bool {
	if hasWhole(toks, b.OrderWords) {
		return false
	}
	goods := false
	for _, t := range topics {
		switch t {
		case review.Delivery, review.Refund:
			return false
		case review.Damaged, review.Defect, review.WrongItem, review.NotAsDescribed, review.Quality:
			goods = true
		}
	}
	// A Google review of a faulty thing may still be an order; only the
	// words of a visit tell.
	return hasWhole(toks, b.VisitWords) || (platform == review.Google && !goods)
}

// hasWhole is hasWord for whole words ("table" is not "tablet"); a word
// ending in "*" still matches as a stem ("restauracj*").
func hasWhole(toks []token, words []string) bool {
	for _, w := range words {
		stem, ok := strings.CutSuffix(w, "*")
		if ok {
			if hasWord(toks, []string{stem}) {
				return true
			}
			continue
		}
		parts := strings.Fields(strings.ToLower(w))
		for i := 0; len(parts) > 0 && i+len(parts) <= len(toks); i++ {
			if partsAt(toks[i:], parts) && toks[i+len(parts)-1].lower == parts[len(parts)-1] {
				return true
			}
		}
	}
	return false
}

// isUnhappy: a complaint, demand or insult, or a rating of two stars or
// fewer, which a cheerful greeting would not fit.
func isUnhappy(req Request) bool {
	if r := req.Review.Rating; r != nil && *r <= 2 {
		return true
	}
	switch req.Analysis.Kind {
	case review.Complaint, review.Extortion, review.Abusive, "":
		return req.Review.Rating == nil || *req.Review.Rating <= 3
	}
	return false
}
