// Package trustedshops reads Trusted Shops reviews: the public shop profile
// on every country domain (embedded Next.js state first, review cards
// second, JSON-LD last), the eTrusted review inbox where the shop replies,
// and the JSON of Trusted Shops' APIs and feeds. Everything calmreply knows
// about Trusted Shops lives here.
package trustedshops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/review"
)

func init() { scrapers.Register(New()) }

// Scraper is the Trusted Shops scraper. Its Profile and Match (public
// profiles on every country domain, the eTrusted inbox) come from the
// profile in profile.go.
type Scraper struct {
	*scrapers.Pages
	idPat *regexp.Regexp
}

// New returns the Trusted Shops scraper.
func New() *Scraper {
	return &Scraper{Pages: scrapers.MustPages(profile()), idPat: regexp.MustCompile(profileIDPat)}
}

// Platform implements scrapers.Scraper.
func (s *Scraper) Platform() review.Platform { return review.TrustedShops }

// Detect implements scrapers.Scraper: the markers of Trusted Shops pages
// and of its API and feed JSON.
func (s *Scraper) Detect(body []byte) bool {
	head := body
	if len(head) > 1<<20 {
		head = head[:1<<20]
	}
	lower := bytes.ToLower(head)
	// eTrusted review ids start with "rev-"; its API objects carry channel
	// and account references.
	for _, m := range []string{"trustedshops", "etrusted", `"tsid"`, `"reviewindicator"`, `"onestar"`, `"fivestars"`, `"channelref"`, `data-review-id="rev-`, `id="review-rev-`} {
		if bytes.Contains(lower, []byte(m)) {
			return true
		}
	}
	return false
}

// Parse implements scrapers.Scraper. The body is a profile page, the
// inbox page, the outerHTML of one review element, or API/feed JSON.
func (s *Scraper) Parse(p scrapers.Page) (scrapers.Result, error) {
	res := scrapers.Result{Platform: review.TrustedShops, PageKind: s.PageKind(p.URL), Reviews: []review.Review{}}
	body := bytes.TrimSpace(p.Body)
	if len(body) == 0 {
		return res, fmt.Errorf("%w: empty page", scrapers.ErrMalformed)
	}
	c := collector{page: p.URL, seen: map[string]bool{}}
	if body[0] == '{' || body[0] == '[' {
		if res.PageKind == "" {
			res.PageKind = API
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return res, fmt.Errorf("%w: JSON: %v", scrapers.ErrMalformed, err)
		}
		c.walk(v, nil, 0)
		res.Reviews = c.out
		if len(res.Reviews) == 0 {
			if summaryOnly(body) {
				return res, fmt.Errorf("%w: the JSON holds ratings and counts, no single reviews", scrapers.ErrNoReviews)
			}
			return res, fmt.Errorf("%w: no reviews in this JSON", scrapers.ErrMarkupChanged)
		}
		return res, nil
	}

	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return res, fmt.Errorf("%w: %v", scrapers.ErrMalformed, err)
	}
	res.Lang = strings.TrimSpace(doc.Find("html").AttrOr("lang", ""))
	if err := blocked(doc, body); err != nil {
		return res, err
	}
	if res.PageKind == "" {
		res.PageKind = ProfileReviews
		if doc.Find(inboxItem).Length() > 0 {
			res.PageKind = SellerReviews
		}
	}

	// 1. The framework state: every review with its id, as the page got it.
	doc.Find(`script#__NEXT_DATA__, script[type="application/json"][data-state]`).EachWithBreak(func(i int, sc *goquery.Selection) bool {
		var v any
		if json.Unmarshal([]byte(sc.Text()), &v) == nil {
			c.walk(v, nil, 0)
		}
		return i < 8
	})
	// 2. The review elements (also the extension's one-element fragments).
	if len(c.out) == 0 {
		s.cards(doc, &c)
	}
	// 3. JSON-LD, which carries no review ids.
	if len(c.out) == 0 {
		doc.Find(`script[type="application/ld+json"]`).EachWithBreak(func(i int, sc *goquery.Selection) bool {
			var v any
			if json.Unmarshal([]byte(sc.Text()), &v) == nil {
				c.walk(v, nil, 0)
			}
			return i < 16
		})
	}
	res.Reviews = c.out
	if c.err != nil {
		return res, c.err
	}
	if len(res.Reviews) == 0 {
		return res, empty(doc)
	}
	return res, nil
}

// summaryOnly recognises Trusted Shops JSON that carries aggregate ratings
// only (shop quality indicators, the grades feeds).
func summaryOnly(body []byte) bool {
	for _, m := range []string{`"reviewIndicator"`, `"qualityIndicators"`, `"distribution"`, `"tsId"`} {
		if bytes.Contains(body, []byte(m)) {
			return true
		}
	}
	return false
}

// blocked recognises the pages shown instead of reviews: the eTrusted
// login (Keycloak) and a bot check.
func blocked(doc *goquery.Document, body []byte) error {
	if doc.Find(`#challenge-form, #cf-challenge-running, .g-recaptcha, .h-captcha, iframe[src*="captcha"]`).Length() > 0 ||
		bytes.Contains(body, []byte("challenges.cloudflare.com")) {
		return fmt.Errorf("%w: the page shows a bot check instead of reviews", scrapers.ErrCaptcha)
	}
	if doc.Find(profileCard+", "+inboxItem+", script#__NEXT_DATA__").Length() > 0 {
		return nil
	}
	if doc.Find(`form#kc-form-login, form[action*="login-actions"], input[type="password"]`).Length() > 0 {
		return fmt.Errorf("%w: eTrusted asks to sign in; open the inbox in the tab where you are signed in", scrapers.ErrLoginWall)
	}
	return nil
}

// empty tells a Trusted Shops page without reviews from one whose markup
// calmreply no longer recognises.
func empty(doc *goquery.Document) error {
	// Embedded state without reviews is not proof of an empty profile: its
	// shape may have changed. Only the page's own empty list says so.
	if doc.Find(`[data-testid="reviews-list"], [data-testid="reviews-empty"]`).Length() > 0 {
		return fmt.Errorf("%w: the profile or inbox lists no reviews", scrapers.ErrNoReviews)
	}
	return fmt.Errorf("%w: no review data (__NEXT_DATA__, %s, %s or JSON-LD) found", scrapers.ErrMarkupChanged, profileCard, inboxItem)
}
