// Package google reads Google reviews: the reviews panel of Maps place
// pages, Search's local-reviews dialog, the owner's Business Profile
// reviews page, and the JSON Maps loads them from. It also holds the site
// profile (selectors and reply box for the extension) and Google's reply
// rules. Relative dates ("vor 2 Wochen") become ranges via reldate.
package google

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/review"
)

func init() { scrapers.Register(New()) }

// maxCards bounds the work on one page; Maps renders a few hundred at most.
const maxCards = 2000

// Scraper is the Google scraper. Its Profile and Match come from the
// profile in profile.go: Maps pages, the Search reviews dialog (only with
// its #lrd= fragment, not every results page) and the Business Profile
// reviews page.
type Scraper struct {
	*scrapers.Pages
}

// New builds the scraper and compiles its profile's URL patterns.
func New() *Scraper { return &Scraper{scrapers.MustPages(profile())} }

// Platform is "google".
func (s *Scraper) Platform() review.Platform { return review.Google }

// detectMarkers are strings only Google review pages and payloads carry.
var detectMarkers = [][]byte{
	[]byte("gws-localreviews"), // Search's dialog, also when empty
	[]byte(`class="jftiEf`),    // Maps card class, also when the card changed
	[]byte("/maps/contrib/"),
	[]byte("business.google.com/local/business/"),
}

// Detect recognises a Google review page or payload without its URL.
func (s *Scraper) Detect(body []byte) bool {
	for _, m := range detectMarkers {
		if bytes.Contains(body, m) {
			return true
		}
	}
	return false
}

// Parse reads the reviews of a page or payload.
func (s *Scraper) Parse(p scrapers.Page) (scrapers.Result, error) {
	if len(p.Body) > scrapers.MaxPageBytes {
		return scrapers.Result{}, fmt.Errorf("%w: %d bytes", scrapers.ErrTooLarge, len(p.Body))
	}
	seen := p.Seen
	if seen.IsZero() {
		seen = time.Now()
	}
	kind := s.PageKind(p.URL)
	res := scrapers.Result{Platform: review.Google, PageKind: kind}
	trimmed := bytes.TrimSpace(p.Body)
	if len(trimmed) == 0 {
		return res, fmt.Errorf("%w: empty page", scrapers.ErrMalformed)
	}

	if looksJSON(trimmed) {
		reviews, lang, err := parsePayload(trimmed, seen)
		if err != nil {
			return res, err
		}
		res.Reviews, res.Lang = reviews, lang
		if res.PageKind == "" || res.PageKind == SearchReviews {
			res.PageKind = MapsPlace
		}
		return res, nil
	}

	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.Body))
	if err != nil {
		return res, fmt.Errorf("%w: %v", scrapers.ErrMalformed, err)
	}
	if err := blocked(doc, p.URL); err != nil {
		return res, err
	}
	res.Lang = pageLang(doc, p.URL)

	var cards []card
	search := doc.Find(searchReview)
	maps := mapsCards(doc.Selection)
	switch {
	case search.Length() > 0:
		search.EachWithBreak(func(i int, c *goquery.Selection) bool {
			cards = append(cards, searchCard(c))
			return i < maxCards
		})
		if res.PageKind == "" {
			res.PageKind = SearchReviews
		}
	case maps.Length() > 0:
		maps.EachWithBreak(func(i int, c *goquery.Selection) bool {
			cards = append(cards, mapsCard(c))
			return i < maxCards
		})
		if res.PageKind == "" {
			res.PageKind = MapsPlace
			if doc.Find("[data-business-reviews]").Length() > 0 {
				res.PageKind = BusinessReviews
			}
		}
	}

	// A place page's server HTML also embeds the Maps state, which holds
	// more reviews (and exact dates) than the few cards rendered with it.
	var embedded []review.Review
	if bytes.Contains(p.Body, []byte("APP_INITIALIZATION_STATE")) {
		var lang string
		var err error
		embedded, lang, err = parseEmbedded(p.Body, seen)
		if err != nil && len(cards) == 0 {
			return res, err
		}
		if res.Lang == "" {
			res.Lang = lang
		}
		if res.PageKind == "" {
			res.PageKind = MapsPlace
		}
	}
	if len(cards) == 0 && len(embedded) == 0 {
		return res, empty(doc, p.Body)
	}

	index := map[string]int{}
	for _, r := range embedded {
		index[r.ID] = len(res.Reviews)
		res.Reviews = append(res.Reviews, r)
	}
	for _, c := range cards {
		if c.id == "" {
			return res, fmt.Errorf("%w: a review card without an id", scrapers.ErrMarkupChanged)
		}
		if rating(c.stars) == 0 {
			return res, fmt.Errorf("%w: review %s has no star rating the parser can read", scrapers.ErrMarkupChanged, c.id)
		}
		if i, dup := index[c.id]; dup {
			if res.Reviews[i].ShopReply == nil {
				res.Reviews[i].ShopReply = c.reply
			}
			continue
		}
		index[c.id] = len(res.Reviews)
		res.Reviews = append(res.Reviews, c.review(res.Lang, seen))
	}
	return res, nil
}

func looksJSON(b []byte) bool {
	b = bytes.TrimSpace(bytes.TrimPrefix(b, xssiPrefix))
	return len(b) > 0 && (b[0] == '[' || b[0] == '{')
}

// blocked recognises the pages Google shows instead of reviews.
func blocked(doc *goquery.Document, u *url.URL) error {
	host, path := "", ""
	if u != nil {
		host, path = strings.ToLower(u.Hostname()), u.Path
	}
	switch {
	case strings.HasPrefix(path, "/sorry/") || doc.Find(`form[action*="/sorry/"], #captcha-form, .g-recaptcha, #recaptcha`).Length() > 0:
		return fmt.Errorf("%w: Google's unusual-traffic check", scrapers.ErrCaptcha)
	case host == "accounts.google.com" || doc.Find(`input[name="identifier"], #identifierId, form[action*="accounts.google.com"]`).Length() > 0:
		return fmt.Errorf("%w: Google account sign-in", scrapers.ErrLoginWall)
	case host == "consent.google.com" || doc.Find(`form[action*="consent.google.com"]`).Length() > 0:
		return fmt.Errorf("%w: Google's cookie consent page stands before the reviews", scrapers.ErrLoginWall)
	}
	return nil
}

// reviewTraces are signs of review markup; when present but no card was
// found, the markup changed rather than the place having no reviews.
const reviewTraces = `.jftiEf, .d4r55, .wiI7pd, .kvMYJc, .rsqaWe, g-review-stars, [data-ri], a[href*="/maps/contrib/"]`

// empty tells an empty reviews page from one the parser no longer knows.
func empty(doc *goquery.Document, body []byte) error {
	if doc.Find(reviewTraces).Length() > 0 {
		return fmt.Errorf("%w: review elements present but no review card the parser knows", scrapers.ErrMarkupChanged)
	}
	if doc.Find(`.review-dialog-list, [data-google-review-count="0"], [data-business-reviews]`).Length() > 0 {
		return fmt.Errorf("%w: the reviews list is empty", scrapers.ErrNoReviews)
	}
	return fmt.Errorf("%w: no Google reviews found on this page", scrapers.ErrMarkupChanged)
}
