package trustedshops

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/text"
	"github.com/calmreply/calmreply/shared/review"
)

// Bounds: hostile input must not make the walk deep or the output huge.
const (
	maxDepth   = 40
	maxReviews = 5000
	maxText    = 20000
	maxShort   = 500
)

// collector gathers reviews from JSON (API, feeds, __NEXT_DATA__, JSON-LD)
// and from review elements, once per id.
type collector struct {
	page *url.URL
	out  []review.Review
	seen map[string]bool
	err  error
}

func (c *collector) add(r review.Review) {
	if c.seen[r.ID] || len(c.out) >= maxReviews {
		return
	}
	c.seen[r.ID] = true
	if c.page != nil {
		u := *c.page
		u.RawQuery, u.Fragment = "", ""
		r.URL = u.String()
	}
	c.out = append(c.out, r)
}

// walk looks for review objects anywhere in a JSON value. product is the
// enclosing product (API v2 lists a product's reviews under it).
func (c *collector) walk(v any, product *review.Listing, depth int) {
	if depth > maxDepth || len(c.out) >= maxReviews {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			c.walk(e, product, depth+1)
		}
	case map[string]any:
		if r, ok := fromJSON(x, product); ok {
			c.add(r)
			return
		}
		if p := asProduct(x); p != nil {
			product = p
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			c.walk(x[k], product, depth+1)
		}
	}
}

// fromJSON reads one review object in any of the shapes Trusted Shops uses:
// eTrusted (id, rating, title, comment, submittedAt, customer, reply),
// API v2 (UID, mark, comment, creationDate, reviewer.profile) and JSON-LD
// (@type Review, reviewRating, reviewBody, datePublished, author).
func fromJSON(m map[string]any, product *review.Listing) (review.Review, bool) {
	isLD := str(m["@type"]) == "Review"
	rating, ok := ratingOf(m)
	if !ok {
		return review.Review{}, false
	}
	body := first(m, "comment", "reviewBody", "text", "content")
	date := first(m, "submittedAt", "createdAt", "creationDate", "datePublished", "date")
	id := first(m, "id", "UID", "uuid", "reviewId", "@id")
	// An object with a rating is a review only with text or an id and a
	// date: aggregate ratings have neither.
	if !isLD && body == "" && (id == "" || date == "") {
		return review.Review{}, false
	}
	r := review.Review{Platform: review.TrustedShops, Rating: &rating}
	r.Title = text.Clip(text.Squash(first(m, "title", "headline")), maxShort)
	if isLD && r.Title == "" {
		r.Title = text.Clip(text.Squash(str(m["name"])), maxShort)
	}
	r.Text = joinText(r.Title, text.Squash(body))
	if d := dayOf(date); d != "" {
		r.Date = &d
	}
	r.Author = authorOf(m)
	r.ShopReply = replyOf(m)
	r.Lang = langOf(first(m, "language", "locale", "inLanguage"))
	if r.Lang == "" {
		if q, ok := m["questionnaire"].(map[string]any); ok {
			r.Lang = langOf(str(q["locale"]))
		}
	}
	r.Listing = product
	if p, ok := m["product"].(map[string]any); ok {
		if l := asProduct(p); l != nil {
			r.Listing = l
		}
	}
	r.ID = id
	if r.ID == "" {
		// JSON-LD has no ids: derive a stable one from what identifies
		// the review on the page.
		r.ID = "ld-" + digest(strOrEmpty(r.Author), date, body)
	}
	return r, true
}

func ratingOf(m map[string]any) (int, bool) {
	for _, k := range []string{"rating", "mark", "stars", "reviewRating"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		if rr, ok := v.(map[string]any); ok { // JSON-LD Rating
			v = rr["ratingValue"]
		}
		if f, ok := number(v); ok && f >= 1 && f <= 5 && f == math.Trunc(f) {
			return int(f), true
		}
		return 0, false
	}
	return 0, false
}

func authorOf(m map[string]any) *string {
	name := ""
	switch a := m["author"].(type) {
	case string:
		name = a
	case map[string]any:
		name = str(a["name"])
	}
	if c, ok := m["customer"].(map[string]any); ok && name == "" {
		name = str(c["fullName"])
		if name == "" {
			name = strings.TrimSpace(str(c["firstName"]) + " " + str(c["lastName"]))
		}
	}
	if rv, ok := m["reviewer"].(map[string]any); ok && name == "" {
		if p, ok := rv["profile"].(map[string]any); ok {
			name = strings.TrimSpace(str(p["firstname"]) + " " + str(p["lastname"]))
		}
	}
	if name == "" {
		name = first(m, "reviewerName", "customerName", "displayName")
	}
	name = text.Clip(text.Squash(name), maxShort)
	if name == "" {
		return nil
	}
	return &name
}

func replyOf(m map[string]any) *string {
	var t string
	switch r := m["reply"].(type) {
	case string:
		t = r
	case map[string]any:
		t = first(r, "comment", "text", "content")
	}
	if t == "" {
		t = first(m, "shopReply", "replyComment")
	}
	t = text.Clip(text.Squash(t), maxText)
	if t == "" {
		return nil
	}
	return &t
}

func asProduct(m map[string]any) *review.Listing {
	name := str(m["name"])
	id := first(m, "sku", "id", "uuid")
	_, hasReviews := m["reviews"]
	_, hasSKU := m["sku"]
	if name == "" || id == "" || !(hasSKU || hasReviews) {
		return nil
	}
	return &review.Listing{ID: id, Title: text.Clip(text.Squash(name), maxShort), URL: str(m["url"])}
}

// cards reads review elements: the public profile's cards and the inbox's
// list items. The id is read exactly as the profile's IDRule tells the
// extension to.
func (s *Scraper) cards(doc *goquery.Document, c *collector) {
	doc.Find(profileCard + ", " + inboxItem).EachWithBreak(func(i int, n *goquery.Selection) bool {
		var id string
		if v, ok := n.Attr(inboxIDAttr); ok && n.Is(inboxItem) {
			id = strings.TrimSpace(v)
		} else if m := s.idPat.FindStringSubmatch(n.AttrOr(profileIDAttr, "")); m != nil {
			id = m[1]
		}
		if id == "" {
			c.err = fmt.Errorf("%w: review element without an id", scrapers.ErrMarkupChanged)
			return false
		}
		r, err := card(n, id)
		if err != nil {
			c.err = err
			return false
		}
		c.add(r)
		return i < maxReviews
	})
}

var reStars = regexp.MustCompile(`([1-5])(?:[.,]0)?\s*(?:/\s*5|von|of|van|sur|su|z|de|av|stars?|sterne?|sterren|étoiles|stelle|gwiazd|estrellas)`)

func card(n *goquery.Selection, id string) (review.Review, error) {
	r := review.Review{Platform: review.TrustedShops, ID: id}
	rt := n.Find(`[data-testid="review-rating"], [data-rating]`).First()
	rating := 0
	if v, err := strconv.Atoi(strings.TrimSpace(rt.AttrOr("data-rating", ""))); err == nil && v >= 1 && v <= 5 {
		rating = v
	} else if m := reStars.FindStringSubmatch(strings.ToLower(rt.AttrOr("aria-label", "") + " " + rt.Text())); m != nil {
		rating = int(m[1][0] - '0')
	}
	if rating == 0 {
		return r, fmt.Errorf("%w: review %s: no star rating found", scrapers.ErrMarkupChanged, id)
	}
	r.Rating = &rating

	body := n.Clone()
	reply := body.Find(existingReply)
	if t := text.Clip(text.Longest(reply.Find(`[data-testid="review-reply-comment"]`)), maxText); t != "" {
		r.ShopReply = &t
	} else if t := text.Clip(text.Squash(reply.Text()), maxText); t != "" {
		r.ShopReply = &t
	}
	reply.Remove()
	body.Find(`button, [data-testid="reply-editor"], script, style`).Remove()

	if name := text.Clip(text.Squash(body.Find(`[data-testid="reviewer-name"], [data-testid="customer-name"]`).First().Text()), maxShort); name != "" {
		r.Author = &name
	}
	if t := body.Find("time[datetime]").First(); t.Length() > 0 {
		if d := dayOf(t.AttrOr("datetime", "")); d != "" {
			r.Date = &d
		}
	}
	r.Title = text.Clip(text.Squash(body.Find(`[data-testid="review-title"]`).First().Text()), maxShort)
	r.Text = joinText(r.Title, text.Clip(text.Squash(body.Find(`[data-testid="review-comment"]`).First().Text()), maxText))
	r.Lang = langOf(body.Find(`[data-testid="review-comment"]`).First().AttrOr("lang", ""))
	if p := body.Find(`[data-testid="review-product"]`).First(); p.Length() > 0 {
		if title := text.Clip(text.Squash(p.Text()), maxShort); title != "" {
			r.Listing = &review.Listing{ID: p.AttrOr("data-sku", ""), Title: title, URL: p.AttrOr("href", "")}
		}
	}
	return r, nil
}

// joinText is the review's full text: title and body, as the platform has both.
func joinText(title, body string) string {
	switch {
	case title == "":
		return body
	case body == "":
		return title
	}
	return text.Clip(title+"\n\n"+body, maxText)
}

var reDay = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})`)

// dayOf is the calendar day of an ISO date or timestamp, as written (in
// the offset the platform gave).
func dayOf(s string) string {
	m := reDay.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ""
	}
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return ""
	}
	return m[0]
}

// langOf turns "de_DE", "de-DE" or "de" into "de".
func langOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "_-"); i > 0 {
		s = s[:i]
	}
	if len(s) != 2 {
		return ""
	}
	return s
}

func first(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := str(m[k]); s != "" {
			return s
		}
	}
	return ""
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func strOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

func digest(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:8])
}
