package trustedshops

import (
	_ "embed"
	"strings"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/site"
)

// Page names, as in Result.PageKind. API is for the JSON of Trusted Shops'
// APIs and feeds, which no browser page shows: it has no site.Page.
const (
	ProfileReviews = "profile_reviews"
	SellerReviews  = "seller_reviews"
	API            = "api"
)

// domains are the country sites carrying public profiles that calmreply
// claims (each needs its host in extension/manifest.json; scrapers/all
// checks that).
var domains = []string{"de", "at", "ch", "nl", "be", "com", "co.uk", "fr", "pl", "it", "es", "eu"}

// profilePaths are the localized first path segments of profile pages
// (/bewertung/ on .de, /buyerrating/ on .com ...). Newer slug URLs keep them.
var profilePaths = []string{"bewertung", "buyerrating", "evaluation", "beoordeling", "verkopersbeoordeling", "opinia", "valutazione", "evaluacion", "avaliacao", "hodnoceni", "bedommelse", "omdome", "arvostelu", "vurdering", "evaluare", "shop-reviews", "reviews"}

// Selectors shared by the profile and the parser (reconstructed markup; see
// testdata/README.md).
const (
	profileCard   = `[data-testid="review-card"]`
	profileIDAttr = "id"
	profileIDPat  = `^review-(.+)$`
	inboxItem     = `[data-testid="review-list-item"]`
	inboxIDAttr   = "data-review-id"
	existingReply = `[data-testid="review-reply"]`
)

// policyJSON is the platform's reply rules, as data.
//
//go:embed policy.json
var policyJSON []byte

func profile() site.Profile {
	tlds := make([]string, len(domains))
	hosts := make([]string, len(domains))
	for i, d := range domains {
		tlds[i] = strings.ReplaceAll(d, ".", `\.`)
		hosts[i] = "https://www.trustedshops." + d + "/*"
	}
	host := `^https://www\.trustedshops\.(?:` + strings.Join(tlds, "|") + `)/`
	return site.Profile{
		Platform: "trustedshops",
		Pages: []site.Page{
			{
				Name: ProfileReviews,
				Match: []string{
					host + `(?:[a-z]{2}/)?(?:` + strings.Join(profilePaths, "|") + `)/[^?#]+`,
					host + `[^?#]*info_X[0-9A-Fa-f]{32}\.html`,
				},
				Hosts:         hosts,
				Review:        profileCard,
				ID:            site.IDRule{Attr: profileIDAttr, Pattern: profileIDPat},
				ExistingReply: existingReply,
			},
			{
				Name:          SellerReviews,
				Match:         []string{`^https://app\.etrusted\.com/etrusted/reviews/inbox`},
				Hosts:         []string{"https://app.etrusted.com/*"},
				Review:        inboxItem,
				ID:            site.IDRule{Attr: inboxIDAttr},
				ExistingReply: existingReply,
				ReplyBox: &site.ReplyBox{
					Open:   `button[data-testid="reply-button"]`,
					Input:  `[data-testid="reply-editor"] [contenteditable="true"]`,
					Mode:   "contenteditable",
					Events: []string{"input", "change"},
					Submit: `button[data-testid="reply-submit"]`,
				},
			},
		},
		Policy: scrapers.MustPolicy("trustedshops", policyJSON),
	}
}
