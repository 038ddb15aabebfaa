package google

import (
	_ "embed"
	"slices"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/site"
)

// Page names, as in Result.PageKind.
const (
	// MapsPlace is a Maps place page's reviews panel, and the place data
	// Maps loads for it (review RPCs, the page's embedded state).
	MapsPlace = "maps_place"
	// SearchReviews is Google Search's local-reviews dialog (also
	// search.google.com/local/reviews and the async reviewDialog response).
	SearchReviews = "search_reviews"
	// BusinessReviews is the owner's reviews page on business.google.com.
	BusinessReviews = "business_reviews"
)

// tld is the Google country domains: google.com, google.de, google.co.uk,
// google.com.br ...
const tld = `(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})`

// Selectors shared by the profile (sent to the extension) and the parser, so
// both agree on what a review element is. Google's generated class names
// (jftiEf, CDe7pd, LfKETd) are only fallbacks beside attributes; the
// gws-localreviews__ names are readable and have lasted for years.
const (
	// Maps and the Business Profile mark the review card with its id; the
	// card also carries the author's name as aria-label. Buttons inside the
	// card repeat data-review-id, so the selector asks for a div.
	mapsReview = `div[data-review-id][aria-label], div.jftiEf[data-review-id]`
	mapsIDAttr = "data-review-id"
	// Search's dialog cards have no id attribute of their own; the share
	// link in the card's menu (present, hidden) names the review.
	searchReview    = `div.gws-localreviews__google-review`
	searchIDSel     = `[data-dsu]`
	searchIDAttr    = "data-dsu"
	searchIDPattern = `!2m5!1s([^!]+)`
	// The owner's published reply.
	existingReply = `.CDe7pd, .LfKETd, [data-owner-reply]`
)

// replyBox is the owner's reply editor on Maps/Search owner views and
// business.google.com. Reconstructed from Google's help pages (a "Reply"
// button under each review opens a box; "Post reply"/"Submit" sends it); the
// extension falls back to the box the user points at when this fails.
var replyBox = &site.ReplyBox{
	// Never a loose "reply" substring: the owner's Edit and Delete buttons
	// of a published reply carry it too.
	Open:   `button[data-reply-button], button[jsaction*="ownerReply"], button[jsaction*="reviewReply"]`,
	Input:  `[role="dialog"] textarea, textarea[aria-label], [role="dialog"] [contenteditable="true"][role="textbox"]`,
	Mode:   "textarea",
	Events: []string{"input", "change"},
	Submit: `[role="dialog"] button[type="submit"], [role="dialog"] button[data-submit-reply]`,
}

// policyJSON is the platform's reply rules, as data.
//
//go:embed policy.json
var policyJSON []byte

// hosts are the manifest match patterns: Google's main country domains where
// the product's sellers are, plus search and business subdomains.
func hosts() []string {
	var out []string
	for _, d := range []string{"com", "de", "nl", "se", "at", "ch", "be", "dk", "no", "fi", "fr", "es", "it", "pt", "pl", "ie", "lu", "co.uk", "com.br"} {
		out = append(out, "https://www.google."+d+"/*")
	}
	return out
}

func profile() site.Profile {
	h := hosts()
	return site.Profile{
		Platform: "google",
		Pages: []site.Page{
			{
				Name:          MapsPlace,
				Match:         []string{`^https://www\.google\.` + tld + `/maps(?:[/?]|$)`, `^https://maps\.google\.com/`},
				Hosts:         append(slices.Clone(h), "https://maps.google.com/*"),
				Review:        mapsReview,
				ID:            site.IDRule{Attr: mapsIDAttr},
				ExistingReply: existingReply,
				ReplyBox:      replyBox,
			},
			{
				Name: SearchReviews,
				// The dialog opens on an ordinary results page and adds
				// #lrd=... to the URL; only such URLs are claimed.
				Match: []string{
					`^https://www\.google\.` + tld + `/search\?[^#]*#(?:[^#]*&)?lrd=`,
					`^https://www\.google\.` + tld + `/async/reviewDialog`,
					`^https://search\.google\.com/local/reviews`,
				},
				Hosts:         append(slices.Clone(h), "https://search.google.com/*"),
				Review:        searchReview,
				ID:            site.IDRule{Selector: searchIDSel, Attr: searchIDAttr, Pattern: searchIDPattern},
				ExistingReply: existingReply,
				ReplyBox:      replyBox,
			},
			{
				Name:          BusinessReviews,
				Match:         []string{`^https://business\.google\.com/(?:[^?#]*/)?reviews`},
				Hosts:         []string{"https://business.google.com/*"},
				Review:        mapsReview,
				ID:            site.IDRule{Attr: mapsIDAttr},
				ExistingReply: existingReply,
				ReplyBox:      replyBox,
			},
		},
		Policy: scrapers.MustPolicy("google", policyJSON),
	}
}
