package etsy

import (
	_ "embed"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/site"
)

// Page names, as in Result.PageKind.
const (
	ShopReviews    = "shop_reviews"
	ListingReviews = "listing_reviews"
	SellerReviews  = "seller_reviews"
)

// locale is Etsy's optional language/region path prefix: /de/, /nl/,
// /sv/, /de-en/ ...
const locale = `(?:[a-z]{2}(?:-[a-z]{2})?/)?`

// Selectors shared by the profile (sent to the extension) and the parser, so
// the two cannot disagree about what a review element is.
const (
	// Public pages mark each review with its id in data-review-region.
	publicReview = "[data-review-region]"
	publicIDAttr = "data-review-region"
	// The shop manager's page (reconstructed, see testdata/README.md).
	sellerReview = "[data-review-id]"
	sellerIDAttr = "data-review-id"
	// A published shop reply is a child element of the response region; the
	// region itself is present but empty on unanswered reviews.
	existingReply = `[data-region="response"] > *`
)

// policyJSON is the platform's reply rules, as data.
//
//go:embed policy.json
var policyJSON []byte

func profile() site.Profile {
	hosts := []string{"https://www.etsy.com/*"}
	return site.Profile{
		Platform: "etsy",
		Pages: []site.Page{
			{
				Name:          ShopReviews,
				Match:         []string{`^https://www\.etsy\.com/` + locale + `shop/[^/?#]+`},
				Hosts:         hosts,
				Review:        publicReview,
				ID:            site.IDRule{Attr: publicIDAttr},
				ExistingReply: existingReply,
			},
			{
				Name:          ListingReviews,
				Match:         []string{`^https://www\.etsy\.com/` + locale + `listing/[0-9]+`},
				Hosts:         hosts,
				Review:        publicReview,
				ID:            site.IDRule{Attr: publicIDAttr},
				ExistingReply: existingReply,
			},
			{
				Name:          SellerReviews,
				Match:         []string{`^https://www\.etsy\.com/` + locale + `your/shops/me/reviews`},
				Hosts:         hosts,
				Review:        sellerReview,
				ID:            site.IDRule{Attr: sellerIDAttr},
				ExistingReply: existingReply,
				// Only reviews of 3 stars or less carry the button.
				ReplyBox: &site.ReplyBox{
					Open:   `button[data-review-action="respond"]`,
					Input:  `textarea[name="response"]`,
					Mode:   "textarea",
					Events: []string{"input", "change"},
					Submit: `button[data-review-action="submit-response"]`,
				},
			},
		},
		Policy: scrapers.MustPolicy("etsy", policyJSON),
	}
}
