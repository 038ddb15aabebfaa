// Package etsy reads Etsy's review pages: a shop's public reviews, a
// listing's reviews, the shop manager's reviews page where the seller
// answers, and the JSON Etsy's pagination returns with the next page of
// reviews as HTML inside. Everything calmreply knows about Etsy lives here.
package etsy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/review"
)

func init() { scrapers.Register(New()) }

// Scraper is the Etsy scraper. Its Profile and Match (the shop, listing
// and seller pages) come from the profile in profile.go.
type Scraper struct {
	*scrapers.Pages
}

// New returns the Etsy scraper.
func New() *Scraper { return &Scraper{scrapers.MustPages(profile())} }

// Platform implements scrapers.Scraper.
func (s *Scraper) Platform() review.Platform { return review.Etsy }

// Detect implements scrapers.Scraper: Etsy's review markup or its
// pagination JSON carrying that markup.
func (s *Scraper) Detect(body []byte) bool {
	head := body
	if len(head) > 1<<20 {
		head = head[:1<<20]
	}
	return bytes.Contains(head, []byte("data-review-region")) ||
		(bytes.Contains(head, []byte("etsy.com")) && bytes.Contains(head, []byte("data-review-id")))
}

// Parse implements scrapers.Scraper. The body is a full page, the outerHTML
// of one review element, or Etsy's pagination JSON.
func (s *Scraper) Parse(p scrapers.Page) (scrapers.Result, error) {
	res := scrapers.Result{Platform: review.Etsy, PageKind: s.PageKind(p.URL), Reviews: []review.Review{}}
	body := bytes.TrimSpace(p.Body)
	if len(body) == 0 {
		return res, fmt.Errorf("%w: empty page", scrapers.ErrMalformed)
	}
	if body[0] == '{' || body[0] == '[' {
		html, err := htmlFromJSON(body)
		if err != nil {
			return res, err
		}
		body = html
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return res, fmt.Errorf("%w: %v", scrapers.ErrMalformed, err)
	}
	nodes := reviewNodes(doc)
	if err := blocked(doc, body, p.URL, nodes.Length() > 0); err != nil {
		return res, err
	}
	if res.PageKind == "" {
		res.PageKind = ShopReviews
		if doc.FindMatcher(selSeller).Length() > 0 && doc.FindMatcher(selPublic).Length() == 0 {
			res.PageKind = SellerReviews
		}
	}
	// The parser always makes <html> the document's one root element.
	res.Lang = strings.TrimSpace(doc.ChildrenMatcher(selHTML).AttrOr("lang", ""))
	rd := reader{page: p.URL, usOrder: strings.EqualFold(res.Lang, "en-US")}
	if nodes.Length() == 0 {
		return res, empty(doc)
	}
	res.Reviews = make([]review.Review, 0, min(nodes.Length(), maxReviews))
	var perr error
	nodes.EachWithBreak(func(i int, n *goquery.Selection) bool {
		if i >= maxReviews {
			return false
		}
		r, err := rd.review(n)
		if err != nil {
			perr = err
			return false
		}
		res.Reviews = append(res.Reviews, r)
		return true
	})
	if perr != nil {
		return res, perr
	}
	return res, nil
}

// maxReviews bounds one page; Etsy shows 10 per page, a seller's scrolled
// manager page a few hundred.
const maxReviews = 2000

// reviewNodes returns the outermost review elements of either page family.
func reviewNodes(doc *goquery.Document) *goquery.Selection {
	all := doc.FindMatcher(selAnyReview)
	return all.FilterFunction(func(_ int, n *goquery.Selection) bool {
		return n.ParentsMatcher(selAnyReview).Length() == 0
	})
}

// Page-level selectors, compiled once.
var (
	selPublic    = cascadia.MustCompile(publicReview)
	selSeller    = cascadia.MustCompile(sellerReview)
	selAnyReview = cascadia.MustCompile(publicReview + ", " + sellerReview)
	selHTML      = cascadia.MustCompile("html")
	selCaptcha   = cascadia.MustCompile(`iframe[src*="captcha"], [data-dd-captcha], #px-captcha, .g-recaptcha, .h-captcha`)
	selSignin    = cascadia.MustCompile(`form[action*="signin"], form#join-neu-form, input[type="password"]`)
	selEmpty     = cascadia.MustCompile(`[data-reviews-container], #reviews, [data-region="reviews"], [data-reviews-empty]`)
)

// htmlFromJSON pulls the HTML out of Etsy's pagination response
// ({"output": {"shop-reviews": "<div ...>"}, ...}). Rather than trusting
// one key, it keeps every string that carries review markup.
func htmlFromJSON(body []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("%w: JSON: %v", scrapers.ErrMalformed, err)
	}
	var out bytes.Buffer
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 32 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], depth+1)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case string:
			if strings.Contains(x, "data-review-") || strings.Contains(x, "data-reviews-container") {
				out.WriteString(x)
				out.WriteByte('\n')
			}
		}
	}
	walk(v, 0)
	if out.Len() == 0 {
		return nil, fmt.Errorf("%w: JSON holds no review HTML", scrapers.ErrMarkupChanged)
	}
	return out.Bytes(), nil
}

// blocked recognises the pages Etsy shows instead of reviews: DataDome's
// bot check and the sign-in form guarding the shop manager. hasReviews says
// whether the page holds review elements.
func blocked(doc *goquery.Document, body []byte, u *url.URL, hasReviews bool) error {
	if bytes.Contains(body, []byte("captcha-delivery.com")) || hasCaptcha(doc.Nodes[0]) {
		return fmt.Errorf("%w: Etsy's bot protection (DataDome) is showing a check instead of the page", scrapers.ErrCaptcha)
	}
	if hasReviews {
		return nil
	}
	signin := doc.FindMatcher(selSignin).Length() > 0
	if signin || (u != nil && strings.Contains(u.Path, "/signin")) {
		return fmt.Errorf("%w: Etsy shows its sign-in form; open the page in the tab where you are signed in", scrapers.ErrLoginWall)
	}
	return nil
}

// hasCaptcha says whether an element under n matches selCaptcha. Each of
// its selectors needs "captcha" in an attribute's name or value, so only
// such elements are matched: one cheap pass instead of five selectors on
// every element of the page.
func hasCaptcha(n *html.Node) bool {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if strings.Contains(a.Key, "captcha") || strings.Contains(a.Val, "captcha") {
				if selCaptcha.Match(n) {
					return true
				}
				break
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasCaptcha(c) {
			return true
		}
	}
	return false
}

// empty tells an Etsy reviews page without reviews from a page whose markup
// calmreply no longer recognises.
func empty(doc *goquery.Document) error {
	if doc.FindMatcher(selEmpty).Length() > 0 {
		return fmt.Errorf("%w: the reviews section is empty", scrapers.ErrNoReviews)
	}
	return fmt.Errorf("%w: no element matches %s or %s", scrapers.ErrMarkupChanged, publicReview, sellerReview)
}
