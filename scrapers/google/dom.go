package google

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/calmreply/calmreply/scrapers/reldate"
	"github.com/calmreply/calmreply/shared/review"
)

// The DOM a browser renders for Maps and Search. Every field is read from
// stable attributes and structure first (data-review-id, aria-label,
// role="img", the element after the stars); the obfuscated class names that
// public scrapers document (.d4r55, .kvMYJc, .rsqaWe, .wiI7pd, .w8nwRe) are
// the fallback.

var (
	firstStar   = regexp.MustCompile(`[1-5]`)
	slashRating = regexp.MustCompile(`^([1-5])\s*/\s*5$`)
	searchID    = regexp.MustCompile(searchIDPattern)
	postID      = regexp.MustCompile(`[?&]postId=([^&]+)`)
	hasYear     = regexp.MustCompile(`\d{4}`)
	hlParam     = regexp.MustCompile(`[?&]hl=([A-Za-z]{2}(?:[-_][A-Za-z]{2})?)`)
)

// replyHeadings start the owner's reply block in the languages Google
// shows; matched in lower case, as a prefix of the heading's text.
var replyHeadings = []string{
	"response from the owner", "antwort vom inhaber", "antwort des inhabers", "reactie van de eigenaar",
	"svar från ägaren", "svar fra ejeren", "svar fra eieren", "réponse du propriétaire",
	"respuesta del propietario", "risposta del proprietario", "resposta do proprietário", "odpowiedź właściciela",
	// the owner's own view
	"your reply", "ihre antwort", "deine antwort", "uw reactie", "jouw reactie", "ditt svar",
}

// mapsCards are the outermost elements carrying data-review-id: buttons
// inside a card repeat the attribute and must not count as cards.
func mapsCards(doc *goquery.Selection) *goquery.Selection {
	return doc.Find("[" + mapsIDAttr + "]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.ParentsFiltered("["+mapsIDAttr+"]").Length() == 0 && goquery.NodeName(s) != "button"
	})
}

// card is what both DOM layouts share once their parts are located.
type card struct {
	id, author, stars, date, text, lang, url string
	truncated                                bool
	reply                                    *string
}

func (c card) review(lang string, seen time.Time) review.Review {
	r := review.Review{Platform: review.Google, ID: c.id, Text: c.text, Lang: c.lang, ShopReply: c.reply, URL: c.url, Truncated: c.truncated}
	if c.author != "" {
		a := c.author
		r.Author = &a
	}
	if n := rating(c.stars); n > 0 {
		r.Rating = &n
	}
	if c.date != "" {
		hint := c.lang
		if hint == "" {
			hint = lang
		}
		d := reldate.Parse(c.date, hint, seen)
		r.DateRange = &d
		if d.Precision == review.Day && d.From == d.To && d.From != "" && absoluteDate(c.date) {
			day := d.From
			r.Date = &day
		}
	}
	if r.Truncated && !strings.HasSuffix(r.Text, "…") {
		r.Text = strings.TrimRight(r.Text, ". ") + "…"
	}
	return r
}

// absoluteDate: a date with a year in it names its day exactly; "vor 5
// Stunden" gives a one-day range too but is still an estimate.
func absoluteDate(s string) bool { return hasYear.MatchString(s) }

// rating takes the first digit 1-5 of an aria-label in any language
// ("4 Sterne", "Rated 4.0 out of 5", "Classificado como 4,0 de 5") or a
// hotel-style "4/5".
func rating(label string) int {
	label = oneLine(label)
	if m := slashRating.FindStringSubmatch(label); m != nil {
		return int(m[1][0] - '0')
	}
	if d := firstStar.FindString(label); d != "" {
		return int(d[0] - '0')
	}
	return 0
}

// mapsCard reads a Maps or Business Profile card.
func mapsCard(s *goquery.Selection) card {
	c := card{id: strings.TrimSpace(s.AttrOr(mapsIDAttr, ""))}
	reply := ownerReply(s)
	outside := func(sel *goquery.Selection) *goquery.Selection {
		return sel.FilterFunction(func(_ int, x *goquery.Selection) bool { return !inside(x, reply) })
	}

	c.author = oneLine(s.AttrOr("aria-label", ""))
	if c.author == "" {
		c.author = oneLine(s.Find(".d4r55").First().Text())
	}
	if c.author == "" {
		c.author = oneLine(outside(s.Find(`a[href*="/maps/contrib/"]`)).First().Text())
	}

	stars := outside(s.Find(`[role="img"][aria-label]`)).FilterFunction(func(_ int, x *goquery.Selection) bool {
		return rating(x.AttrOr("aria-label", "")) > 0
	}).First()
	if stars.Length() == 0 {
		stars = s.Find(".kvMYJc[aria-label]").First()
	}
	if stars.Length() > 0 {
		c.stars = stars.AttrOr("aria-label", "")
		c.date = oneLine(stars.Next().Text())
	} else if hotel := s.Find(".fzvQIb").First(); hotel.Length() > 0 { // "4/5" on hotel pages
		c.stars = hotel.Text()
	}
	if c.date == "" {
		c.date = oneLine(outside(s.Find(".rsqaWe, .xRkPPb")).First().Text())
	}

	// The text block carries the review id as its element id and the
	// review's language; .wiI7pd is the text inside it.
	body := s.Find("[id]").FilterFunction(func(_ int, x *goquery.Selection) bool {
		return x.AttrOr("id", "") == c.id && !inside(x, reply)
	}).First()
	if body.Length() == 0 {
		body = outside(s.Find("div[lang], span[lang]")).First()
	}
	if body.Length() == 0 {
		body = outside(s.Find(".MyEned")).First()
	}
	text := body.Find(".wiI7pd").First()
	if text.Length() == 0 {
		text = body
	}
	if text.Length() == 0 {
		text = outside(s.Find(".wiI7pd")).First()
	}
	c.text = textOf(text)
	c.lang = body.AttrOr("lang", "")
	more := outside(s.Find(`button[jsaction*="expandReview"], button.w8nwRe`))
	c.truncated = more.Length() > 0 && more.First().AttrOr("aria-expanded", "false") != "true"
	c.reply = replyText(reply)
	return c
}

// searchCard reads a card of Search's local-reviews dialog.
func searchCard(s *goquery.Selection) card {
	var c card
	reply := ownerReply(s)
	if dsu := s.Find(searchIDSel).First().AttrOr(searchIDAttr, ""); dsu != "" {
		c.url = dsu
		if m := searchID.FindStringSubmatch(dsu); m != nil {
			c.id = m[1]
		}
	}
	if c.id == "" {
		c.id = s.Find("[data-ri]").First().AttrOr("data-ri", "")
	}
	if c.id == "" {
		if m := postID.FindStringSubmatch(s.Find(`a[href*="postId="]`).First().AttrOr("href", "")); m != nil {
			c.id, _ = url.QueryUnescape(m[1])
		}
	}
	s.Find(`a[href*="/maps/contrib/"]`).EachWithBreak(func(_ int, a *goquery.Selection) bool {
		c.author = oneLine(a.Text())
		return c.author == ""
	})
	if c.author == "" {
		c.author = oneLine(s.Find("img[alt]").First().AttrOr("alt", ""))
	}
	stars := s.Find(`g-review-stars [role="img"][aria-label], [role="img"][aria-label]`).FilterFunction(func(_ int, x *goquery.Selection) bool {
		return !inside(x, reply) && rating(x.AttrOr("aria-label", "")) > 0
	}).First()
	c.stars = stars.AttrOr("aria-label", "")
	if g := stars.Closest("g-review-stars"); g.Length() > 0 {
		c.date = oneLine(g.Next().Text())
	}
	if c.date == "" {
		c.date = oneLine(s.Find(".dehysf").First().Text())
	}
	full := s.Find(".review-full-text").FilterFunction(func(_ int, x *goquery.Selection) bool { return !inside(x, reply) }).First()
	switch {
	case full.Length() > 0:
		c.text = textOf(full)
	case s.Find(".review-snippet").Length() > 0:
		c.text = textOf(s.Find(".review-snippet").First())
		c.truncated = true
	default:
		c.text = textOf(s.Find("[data-expandable-section]").FilterFunction(func(_ int, x *goquery.Selection) bool { return !inside(x, reply) }).First())
	}
	c.reply = replyText(reply)
	return c
}

// ownerReply finds the owner's reply block: by its (fallback) classes, or
// by a heading such as "Antwort vom Inhaber".
func ownerReply(card *goquery.Selection) *goquery.Selection {
	if r := card.Find(existingReply).First(); r.Length() > 0 {
		return r
	}
	h := replyHeading(card)
	if h == nil {
		return card.Slice(0, 0)
	}
	// The heading sits in a header row (with the reply's date); the block
	// is the row's parent.
	hs := goquery.NewDocumentFromNode(h).Selection
	if row := hs.Parent(); row.Length() > 0 && row.Nodes[0] != card.Nodes[0] {
		if block := row.Parent(); block.Length() > 0 && block.Nodes[0] != card.Nodes[0] {
			return block
		}
		return row
	}
	return hs
}

// replyHeading is the innermost element whose text starts with a known
// reply heading.
func replyHeading(sel *goquery.Selection) *html.Node {
	var found *html.Node
	for range 32 { // bounded descent into ever smaller matches
		next := firstHeading(sel)
		if next == nil {
			return found
		}
		found = next
		sel = goquery.NewDocumentFromNode(next).Selection
	}
	return found
}

// firstHeading is the first element strictly below sel whose short text
// starts with a reply heading.
func firstHeading(sel *goquery.Selection) *html.Node {
	var found *html.Node
	sel.Find("span, div, b, strong, h3, h4").EachWithBreak(func(_ int, x *goquery.Selection) bool {
		t := strings.ToLower(oneLine(x.Text()))
		for _, h := range replyHeadings {
			if strings.HasPrefix(t, h) {
				found = x.Nodes[0]
				return false
			}
		}
		return true
	})
	return found
}

// replyText is the reply's text without its heading row.
func replyText(block *goquery.Selection) *string {
	if block.Length() == 0 {
		return nil
	}
	var skip []*html.Node
	if body := block.Find(".wiI7pd").First(); body.Length() > 0 {
		t := textOf(body)
		return &t
	}
	if h := replyHeading(block); h != nil {
		skip = append(skip, h)
		if h.Parent != nil && h.Parent != block.Nodes[0] {
			skip = append(skip, h.Parent)
		}
	}
	t := textOf(block, skip...)
	if t == "" {
		return nil
	}
	return &t
}

// inside reports whether x is within (or is) one of the nodes of block.
func inside(x, block *goquery.Selection) bool {
	if block.Length() == 0 || x.Length() == 0 {
		return false
	}
	for n := x.Nodes[0]; n != nil; n = n.Parent {
		for _, b := range block.Nodes {
			if n == b {
				return true
			}
		}
	}
	return false
}

// pageLang is the page's locale: <html lang>, or Google's hl= parameter in
// the URL or the reviewers' profile links.
func pageLang(doc *goquery.Document, u *url.URL) string {
	if l := strings.TrimSpace(doc.Find("html").First().AttrOr("lang", "")); l != "" {
		return l
	}
	if u != nil {
		if hl := u.Query().Get("hl"); hl != "" && len(hl) <= 8 {
			return hl
		}
	}
	contrib := doc.Find(`a[href*="/maps/contrib/"], [data-href*="/maps/contrib/"]`).First()
	if m := hlParam.FindStringSubmatch(contrib.AttrOr("href", contrib.AttrOr("data-href", ""))); m != nil {
		return m[1]
	}
	return ""
}
