package trustedshops

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/scrapertest"
	"github.com/calmreply/calmreply/shared/review"
)

const profileURL = "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html"
const inboxURL = "https://app.etrusted.com/etrusted/reviews/inbox?channels=chl-reconstructed&status=NEW"

// fx parses the saved pages as the agent would.
var fx = scrapertest.Fixtures{Scraper: New()}

func TestParse(t *testing.T) {
	fx.Golden(t, []scrapertest.Case{
		{File: "profile_de.html", URL: profileURL, Kind: ProfileReviews, Reviews: 3},
		{File: "profile_cards_only_de.html", URL: "https://www.trustedshops.de/bewertung/wolle-und-co-de", Kind: ProfileReviews, Reviews: 3},
		{File: "profile_jsonld_nl.html", URL: "https://www.trustedshops.nl/verkopersbeoordeling/info_XABCDEF0123456789ABCDEF0123456789.html", Kind: ProfileReviews, Reviews: 2},
		{File: "inbox.html", URL: inboxURL, Kind: SellerReviews, Reviews: 3},
		// API JSON has no URL of its own: no ".nourl" variant to tell apart.
		{File: "etrusted_api_reviews.json", Kind: API, Reviews: 2, Golden: "etrusted_api_reviews.golden.json"},
		{File: "inbox.html", Kind: SellerReviews, Reviews: 3},
	})
}

// TestStateAndCardsAgree: the profile's embedded state and its review
// cards describe the same reviews; parsing either gives the same result.
func TestStateAndCardsAgree(t *testing.T) {
	fromState, err := fx.Parse(t, "testdata/profile_de.html", profileURL)
	if err != nil {
		t.Fatal(err)
	}
	fromCards, err := fx.Parse(t, "testdata/profile_cards_only_de.html", profileURL)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromState.Reviews, fromCards.Reviews) {
		t.Errorf("state and cards differ:\n%+v\n%+v", fromState.Reviews, fromCards.Reviews)
	}
	r := fromState.Reviews[1]
	if r.Author != nil || *r.Rating != 2 || *r.Date != "2024-05-28" || r.ShopReply == nil {
		t.Errorf("anonymous replied review = %+v", r)
	}
	if got := fromState.Reviews[0].Text; got != "Schnell und gut verpackt\n\nBestellung kam nach zwei Tagen, alles heil. Gerne wieder!" {
		t.Errorf("text = %q, want title + blank line + body", got)
	}
	// The day as the platform wrote it, in its own offset.
	if got := *fromState.Reviews[2].Date; got != "2024-05-20" {
		t.Errorf("date = %s", got)
	}
}

func TestFragment(t *testing.T) {
	tests := []struct{ file, url string }{
		{"fragment_card.html", profileURL},
		{"fragment_inbox_item.html", inboxURL},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := fx.FragmentRoundTrip(t, filepath.Join("testdata", tt.file), tt.url)
			if len(res.Reviews) != 1 {
				t.Fatalf("Parse(%s) = %d reviews, want 1", tt.file, len(res.Reviews))
			}
			scrapertest.Golden(t, filepath.Join("testdata", strings.TrimSuffix(tt.file, ".html")+".golden.json"), res)
		})
	}
}

// TestFragmentIDs: every review element of the full pages, sent alone as
// the extension sends it, parses to one review with the id its IDRule reads.
func TestFragmentIDs(t *testing.T) {
	for _, tt := range []struct{ file, url string }{
		{"profile_de.html", profileURL},
		{"profile_cards_only_de.html", profileURL},
		{"inbox.html", inboxURL},
	} {
		t.Run(tt.file, func(t *testing.T) {
			fx.FragmentRoundTrip(t, filepath.Join("testdata", tt.file), tt.url)
		})
	}
}

func TestErrors(t *testing.T) {
	fx.Errors(t, []scrapertest.ErrorCase{
		{File: "err_login_etrusted.html", URL: inboxURL, Want: scrapers.ErrLoginWall},
		{File: "err_captcha.html", URL: profileURL, Want: scrapers.ErrCaptcha},
		{File: "err_no_reviews.html", URL: "https://www.trustedshops.fr/evaluation/info_X0123456789ABCDEF0123456789ABCDE0.html", Want: scrapers.ErrNoReviews},
		{File: "err_markup_changed.html", URL: profileURL, Want: scrapers.ErrMarkupChanged},
		{File: "err_card_without_rating.html", URL: profileURL, Want: scrapers.ErrMarkupChanged},
		{File: "err_summary_only.json", Want: scrapers.ErrNoReviews},
		{File: "err_unknown.json", Want: scrapers.ErrMarkupChanged},
		{File: "err_truncated.json", Want: scrapers.ErrMalformed},
	})
}

// TestRealAPI reads Trusted Shops' own API v2 and feed responses from the
// team's fixtures (kept out of the repository; names and texts are not
// asserted here).
func TestRealAPI(t *testing.T) {
	file := scrapertest.SharedFixture(t, "trustedshops/api-v2-android-sdk/productReviewsList.json")
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Detected by content: no platform, no URL.
	res, err := scrapers.Parse("", scrapers.Page{Body: body})
	if err != nil {
		t.Fatalf("Parse(productReviewsList.json): %v", err)
	}
	if res.Platform != review.TrustedShops || res.PageKind != API {
		t.Errorf("platform/kind = %s/%s", res.Platform, res.PageKind)
	}
	want := []struct {
		id     string
		rating int
		date   string
		author bool
	}{
		{"ebaa97eaf88004cf63f22c9dbcb338ce", 5, "2016-03-08", true},
		{"1580c471e71fe4b69fa90da31a7f8a72", 4, "2016-03-08", false},
		{"8447f149700390e6be74faefb3c5c553", 5, "2016-03-03", true},
	}
	if len(res.Reviews) != len(want) {
		t.Fatalf("got %d reviews, want %d", len(res.Reviews), len(want))
	}
	for i, w := range want {
		r := res.Reviews[i]
		if r.ID != w.id || *r.Rating != w.rating || r.Date == nil || *r.Date != w.date || (r.Author != nil) != w.author {
			t.Errorf("review %d = id %s rating %d date %v author %v; want %+v", i, r.ID, *r.Rating, r.Date, r.Author, w)
		}
		if r.Text == "" || r.Listing == nil || r.Listing.ID != "1001" || r.Listing.Title == "" {
			t.Errorf("review %d: text %q listing %+v", i, r.Text, r.Listing)
		}
	}

	for _, f := range []string{
		"trustedshops/api-v2-android-sdk/shopWithReviews.json",
		"trustedshops/api-v2-android-sdk/productReviewsSummary.json",
		"trustedshops/etrusted-feeds/shop_grades_feed_good_response.json",
		"trustedshops/etrusted-feeds/aggregate_rating_service_response.json",
	} {
		body, err := os.ReadFile(scrapertest.SharedFixture(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New().Parse(scrapers.Page{Body: body}); !errors.Is(err, scrapers.ErrNoReviews) {
			t.Errorf("Parse(%s) error = %v, want ErrNoReviews (summary without reviews)", f, err)
		}
		if !New().Detect(body) {
			t.Errorf("Detect(%s) = false", f)
		}
	}
}

func TestMatch(t *testing.T) {
	scrapertest.PageKinds(t, New().Pages, []scrapertest.PageCase{
		{URL: profileURL, Kind: ProfileReviews},
		{URL: "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html?sort=date&page=2", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.de/bewertung/wolle-und-co-de", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.nl/verkopersbeoordeling/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.com/buyerrating/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.co.uk/buyerrating/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.fr/evaluation/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.pl/opinia/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.at/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.ch/de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: "https://www.trustedshops.eu/info_X0123456789ABCDEF0123456789ABCDEF.html", Kind: ProfileReviews},
		{URL: inboxURL, Kind: SellerReviews},
		{URL: "https://app.etrusted.com/etrusted/reviews/inbox", Kind: SellerReviews},
		{URL: "https://www.trustedshops.de/", Kind: ""},
		{URL: "https://www.trustedshops.de/shops/mode/", Kind: ""},
		{URL: "https://app.etrusted.com/etrusted/dashboard", Kind: ""},
		{URL: "https://www.trustedshops.de.evil.example/bewertung/x", Kind: ""},
		{URL: "https://www.trustedshops.xyz/bewertung/x", Kind: ""},
	})
}

func TestPolicy(t *testing.T) {
	p := New().Profile().Policy
	if p.ReplyMaxRating != 0 || p.ReviewWindowDays != 183 || p.CanDelete || p.ReplyLocksReview {
		t.Errorf("policy = %+v", p)
	}
	if len(p.ReportGrounds) != 8 || !strings.Contains(p.Moderation, "stays visible") {
		t.Errorf("report grounds %d, moderation %q", len(p.ReportGrounds), p.Moderation)
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range scrapertest.Inputs(f, "testdata") {
		f.Add(b)
	}
	s := New()
	u := scrapertest.URL(f, profileURL)
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := s.Parse(scrapers.Page{URL: u, Body: body})
		scrapertest.CheckResult(t, res, err)
	})
}

func BenchmarkParse(b *testing.B) {
	fx.Benchmark(b, "testdata/profile_de.html", profileURL)
}

// TestDetect: without a URL, the registry finds the platform by the body.
func TestDetect(t *testing.T) {
	s := New()
	for _, f := range []string{"profile_de.html", "inbox.html", "etrusted_api_reviews.json", "fragment_inbox_item.html", "err_summary_only.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if !s.Detect(b) {
			t.Errorf("Detect(%s) = false", f)
		}
	}
	if s.Detect([]byte(`<html><body><div data-review-region="1">Etsy</div></body></html>`)) {
		t.Error("Detect(an Etsy page) = true")
	}
}
