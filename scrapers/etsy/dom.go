package etsy

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/text"
	"github.com/calmreply/calmreply/shared/review"
)

// Field caps: a review is a few hundred characters; anything far longer is
// not a review.
const (
	maxText   = 20000
	maxAuthor = 200
	maxTitle  = 500
)

// reader reads one review element.
type reader struct {
	page    *url.URL
	usOrder bool // numeric dates are month first (en-US)
}

var (
	reListing = regexp.MustCompile(`/listing/([0-9]+)(?:/([^/?#]*))?`)
	// "5 out of 5 stars", "4 von 5 Sternen", "3 van de 5 sterren",
	// "2 av 5 stjärnor", "Rating: 4 out of 5"
	reStars = regexp.MustCompile(`\b([1-5])(?:[.,]0)?\s+(?:out of|von|van de|van|av|sur|de|su|z|of)\s+5\b`)
)

// Selectors, compiled once: goquery's Find compiles its string argument on
// every call, which cost more than matching on a page of 100 reviews.
var (
	selResponse    = cascadia.MustCompile(`[data-region="response"]`)
	selListingCard = cascadia.MustCompile(`[data-region="listing"]`)
	selNotBuyer    = cascadia.MustCompile(`[data-region="review-actions"], button, textarea, form, script, style`)
	selPeople      = cascadia.MustCompile(`a[href*="/people/"]`)
	selAuthor      = cascadia.MustCompile(`[data-review-author]`)
	selText        = cascadia.MustCompile(`[data-review-text], .prose, [id^="review-preview-toggle"], .wt-text-body`)
	selRatingInput = cascadia.MustCompile(`input[name="rating"]`)
	selRatingValue = cascadia.MustCompile(`[data-rating-value]`)
	selRatingLabel = cascadia.MustCompile(`[aria-label], .screen-reader-only, .wt-screen-reader-only`)
	selTime        = cascadia.MustCompile(`time[datetime]`)
	selDateLine    = cascadia.MustCompile(`.shop2-review-attribution, [data-review-date]`)
	selLeafText    = cascadia.MustCompile(`p, span, div`)
	selListingLink = cascadia.MustCompile(`a[href*="/listing/"]`)
	selP           = cascadia.MustCompile(`p`)
	selReplyText   = cascadia.MustCompile(`[data-response-text], .prose`)
	selReplyChrome = cascadia.MustCompile(`h1, h2, h3, h4, h5, h6, [data-response-heading], img, button`)
)

func (rd reader) review(n *goquery.Selection) (review.Review, error) {
	id := strings.TrimSpace(n.AttrOr(publicIDAttr, n.AttrOr(sellerIDAttr, "")))
	r := review.Review{Platform: review.Etsy, ID: id}
	if id == "" {
		return r, fmt.Errorf("%w: review element without an id", scrapers.ErrMarkupChanged)
	}
	rating, ok := rd.rating(n)
	if !ok {
		return r, fmt.Errorf("%w: review %s: no star rating found", scrapers.ErrMarkupChanged, id)
	}
	r.Rating = &rating

	// Regions that hold other text than the buyer's (the shop's reply, the
	// listing card, the buttons) are read apart and then cut out, so a date
	// or text inside them is never taken for the buyer's. They are cut from
	// the element itself: the document is this parse's own and nothing reads
	// the element afterwards (a copy was a fifth of a page's allocations).
	body := n
	reply := body.FindMatcher(selResponse)
	listing := body.FindMatcher(selListingCard)
	r.ShopReply = replyText(reply)
	r.Listing = rd.listing(listing, body)
	reply.Remove()
	listing.Remove()
	body.FindMatcher(selNotBuyer).Remove()

	if a := body.FindMatcher(selPeople).First(); a.Length() > 0 {
		if name := text.Clip(text.Squash(a.Text()), maxAuthor); name != "" {
			r.Author = &name
		}
	} else if name := text.Clip(text.Squash(body.FindMatcher(selAuthor).First().Text()), maxAuthor); name != "" {
		r.Author = &name
	}
	if d, ok := rd.date(body); ok {
		r.Date = &d
	}
	r.Text = text.Clip(text.Longest(body.FindMatcher(selText)), maxText)
	// A preview cut with an ellipsis and no full text beside it.
	r.Truncated = strings.HasSuffix(r.Text, "…")

	if rd.page != nil {
		u := *rd.page
		u.RawQuery, u.Fragment = "", ""
		r.URL = u.String()
	}
	return r, nil
}

// rating reads the stars: Etsy keeps the value in a hidden input; the
// screen-reader label is the fallback.
func (rd reader) rating(n *goquery.Selection) (int, bool) {
	if v, ok := n.FindMatcher(selRatingInput).First().Attr("value"); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 1 && f <= 5 {
			return int(f + 0.5), true
		}
	}
	if v, ok := n.FindMatcher(selRatingValue).First().Attr("data-rating-value"); ok {
		if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && i >= 1 && i <= 5 {
			return i, true
		}
	}
	var labels []string
	n.FindMatcher(selRatingLabel).EachWithBreak(func(i int, s *goquery.Selection) bool {
		labels = append(labels, s.AttrOr("aria-label", ""), s.Text())
		return i < 50
	})
	for _, l := range labels {
		if m := reStars.FindStringSubmatch(strings.ToLower(l)); m != nil {
			return int(m[1][0] - '0'), true
		}
	}
	return 0, false
}

// date reads the review date: a <time datetime> when present, else the
// attribution line ("Carrie on Jun 12, 2022"), else any short text line.
func (rd reader) date(n *goquery.Selection) (string, bool) {
	if v, ok := n.FindMatcher(selTime).First().Attr("datetime"); ok {
		if d, ok := findDate(v, false); ok {
			return d, true
		}
	}
	// Cheapest first: most reviews carry the attribution line.
	if d, ok := findDate(text.Squash(n.FindMatcher(selDateLine).First().Text()), rd.usOrder); ok {
		return d, true
	}
	if a := n.FindMatcher(selPeople).First(); a.Length() > 0 {
		if d, ok := findDate(text.Squash(a.Parent().Text()), rd.usOrder); ok {
			return d, true
		}
	}
	day, found := "", false
	n.FindMatcher(selLeafText).EachWithBreak(func(i int, s *goquery.Selection) bool {
		if s.Children().Length() == 0 {
			if t := text.Squash(s.Text()); t != "" && len(t) < 80 {
				day, found = findDate(t, rd.usOrder)
			}
		}
		return !found && i < 400
	})
	return day, found
}

// listing reads the product the review is about: the card Etsy shows under
// the review, or, on a listing page, the page's own listing.
func (rd reader) listing(card, n *goquery.Selection) *review.Listing {
	a := card.FindMatcher(selListingLink).First()
	if a.Length() == 0 {
		a = n.FindMatcher(selListingLink).First()
	}
	if a.Length() > 0 {
		href := a.AttrOr("href", "")
		if m := reListing.FindStringSubmatch(href); m != nil {
			title := text.Squash(a.AttrOr("aria-label", ""))
			if title == "" {
				title = text.Squash(a.FindMatcher(selP).First().Text())
			}
			if title == "" {
				title = text.Squash(a.Text())
			}
			return &review.Listing{ID: m[1], Title: text.Clip(title, maxTitle), URL: listingURL(m[1], m[2])}
		}
	}
	if rd.page != nil {
		if m := reListing.FindStringSubmatch(rd.page.Path); m != nil {
			return &review.Listing{ID: m[1], URL: listingURL(m[1], m[2])}
		}
	}
	return nil
}

func listingURL(id, slug string) string {
	u := "https://www.etsy.com/listing/" + id
	if slug != "" {
		u += "/" + slug
	}
	return u
}

// replyText reads the shop's published reply: the reply's text element when
// marked, else the region's text without its heading.
func replyText(region *goquery.Selection) *string {
	if region.Children().Length() == 0 {
		return nil
	}
	t := text.Longest(region.FindMatcher(selReplyText))
	if t == "" {
		c := region.Clone()
		c.FindMatcher(selReplyChrome).Remove()
		t = text.Squash(c.Text())
	}
	if t == "" {
		return nil
	}
	t = text.Clip(t, maxText)
	return &t
}
