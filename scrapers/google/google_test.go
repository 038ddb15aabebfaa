package google

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/scrapertest"
)

// seen is when the reconstructed fixtures were "captured".
var seen = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// fx parses the reconstructed fixtures as the agent would.
var fx = scrapertest.Fixtures{Scraper: New(), Seen: seen}

// parseFile parses a saved page as seen at a given time (real captures each
// have their own).
func parseFile(t testing.TB, path, rawURL string, at time.Time) (scrapers.Result, error) {
	t.Helper()
	return scrapertest.Fixtures{Scraper: New(), Seen: at}.Parse(t, path, rawURL)
}

// TestGolden parses every reconstructed fixture and compares with its
// golden JSON (rewrite with -update, then read the diff).
func TestGolden(t *testing.T) {
	fx.Golden(t, []scrapertest.Case{
		{File: "maps_place_de.html", URL: "https://www.google.de/maps/place/Keramikwerkstatt+Lindenhof/@47.99,7.85,17z/data=!4m8!3m7!9m1!1b1", Kind: MapsPlace, Reviews: 5},
		{File: "maps_place_de.html", Kind: MapsPlace, Reviews: 5},
		{File: "maps_card_fragment_nl.html", URL: "https://www.google.nl/maps/place/Bakkerij/@52.1,5.1,17z", Kind: MapsPlace, Reviews: 1},
		{File: "search_dialog_nl.html", URL: "https://www.google.nl/search?q=bakkerij+van+dijk#lrd=0x47c609c3e3c2b1aa:0x1a2b3c4d5e6f7081,1,,,,", Kind: SearchReviews, Reviews: 3},
		{File: "search_dialog_nl.html", Kind: SearchReviews, Reviews: 3},
		{File: "search_card_fragment_nl.html", URL: "https://www.google.com/async/reviewDialog?async=feature_id:0x0:0x1a2b3c4d5e6f7081", Kind: SearchReviews, Reviews: 1},
		{File: "business_reviews_en.html", URL: "https://business.google.com/reviews", Kind: BusinessReviews, Reviews: 3},
		{File: "business_reviews_en.html", Kind: BusinessReviews, Reviews: 3},
		{File: "maps_rpc_sv.json", URL: "https://www.google.com/maps/rpc/listugcposts?authuser=0&hl=sv", Kind: MapsPlace, Reviews: 2},
		{File: "maps_owner_view_de.html", URL: "https://www.google.de/maps/place/Bakkerij+Van+Dijk/@52.1,5.1,17z", Kind: MapsPlace, Reviews: 1},
	})
}

// TestFragmentIDs: what the extension sends (one review element found by
// the profile's Review selector) parses to one review with the id the
// profile's IDRule reads, for every review on the full pages.
func TestFragmentIDs(t *testing.T) {
	for _, tt := range []struct{ file, url string }{
		{"maps_place_de.html", "https://www.google.de/maps/place/X"},
		{"search_dialog_nl.html", "https://www.google.nl/search?q=x#lrd=0x0:0x1,1,,,,"},
		{"business_reviews_en.html", "https://business.google.com/reviews"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			fx.FragmentRoundTrip(t, filepath.Join("testdata", tt.file), tt.url)
		})
	}
}

func TestErrors(t *testing.T) {
	fx.Errors(t, []scrapertest.ErrorCase{
		{File: "err_captcha.html", URL: "https://www.google.com/sorry/index?continue=https://www.google.com/maps/place/X", Want: scrapers.ErrCaptcha},
		{File: "err_captcha.html", Want: scrapers.ErrCaptcha},
		{File: "err_login.html", URL: "https://accounts.google.com/v3/signin/identifier?continue=https://business.google.com/reviews", Want: scrapers.ErrLoginWall},
		{File: "err_login.html", URL: "https://business.google.com/reviews", Want: scrapers.ErrLoginWall},
		{File: "err_consent.html", URL: "https://consent.google.com/m?continue=https://www.google.de/maps/place/X", Want: scrapers.ErrLoginWall},
		{File: "err_no_reviews.html", URL: "https://www.google.nl/search?q=x#lrd=0x0:0x1,1,,,,", Want: scrapers.ErrNoReviews},
		{File: "err_markup_changed.html", URL: "https://www.google.de/maps/place/X", Want: scrapers.ErrMarkupChanged},
		{File: "err_no_rating.html", URL: "https://www.google.de/maps/place/X", Want: scrapers.ErrMarkupChanged},
		{File: "err_payload_changed.json", URL: "https://www.google.com/maps/rpc/listugcposts", Want: scrapers.ErrMarkupChanged},
		{File: "err_malformed.json", URL: "https://www.google.com/maps/rpc/listugcposts", Want: scrapers.ErrMalformed},
		{File: "err_not_google.html", URL: "https://www.google.de/maps/place/X", Want: scrapers.ErrMarkupChanged},
	})
	if _, err := New().Parse(scrapers.Page{Body: []byte("  \n")}); !errors.Is(err, scrapers.ErrMalformed) {
		t.Errorf("Parse(blank) error = %v, want ErrMalformed", err)
	}
}

func TestMatch(t *testing.T) {
	scrapertest.PageKinds(t, New().Pages, []scrapertest.PageCase{
		{URL: "https://www.google.com/maps/place/Some+Shop/@52.37,4.89,17z/data=!4m8", Kind: MapsPlace},
		{URL: "https://www.google.de/maps/place/Laden/@48.1,11.5,17z", Kind: MapsPlace},
		{URL: "https://www.google.co.uk/maps/place/Shop", Kind: MapsPlace},
		{URL: "https://www.google.com.br/maps/place/Loja", Kind: MapsPlace},
		{URL: "https://www.google.se/maps?cid=123456", Kind: MapsPlace},
		{URL: "https://www.google.com/maps/rpc/listugcposts?authuser=0", Kind: MapsPlace},
		{URL: "https://maps.google.com/maps?cid=1234567890", Kind: MapsPlace},
		{URL: "https://www.google.nl/search?q=bakkerij#lrd=0x47c6:0x1a2b,1,,,,", Kind: SearchReviews},
		{URL: "https://www.google.com/search?q=x&hl=de#lrd=0x1:0x2,1,,,", Kind: SearchReviews},
		{URL: "https://www.google.com/async/reviewDialog?async=feature_id:0x1:0x2", Kind: SearchReviews},
		{URL: "https://search.google.com/local/reviews?placeid=ChIJDdnwdv0y5xQRRytw1ihZQeU", Kind: SearchReviews},
		{URL: "https://business.google.com/reviews", Kind: BusinessReviews},
		{URL: "https://business.google.com/n/1234567890/reviews?hl=de", Kind: BusinessReviews},
		// not claimed
		{URL: "https://www.google.com/search?q=bakkerij", Kind: ""},
		{URL: "https://www.google.com/", Kind: ""},
		{URL: "https://www.google.com/mapsfoo", Kind: ""},
		{URL: "https://www.google.evil.com/maps/place/X", Kind: ""},
		{URL: "https://evil.example/https://www.google.com/maps/place/X", Kind: ""},
		{URL: "http://www.google.com/maps/place/X", Kind: ""},
		{URL: "https://www.etsy.com/shop/x", Kind: ""},
		{URL: "https://business.google.com/settings", Kind: ""},
	})
}

func TestDetect(t *testing.T) {
	s := New()
	for _, tt := range []struct {
		file string
		want bool
	}{
		{"maps_place_de.html", true},
		{"search_dialog_nl.html", true},
		{"business_reviews_en.html", true},
		{"maps_rpc_sv.json", true},
		{"err_no_reviews.html", true},
		{"err_markup_changed.html", true},
		{"err_not_google.html", false},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Detect(body); got != tt.want {
			t.Errorf("Detect(%s) = %v, want %v", tt.file, got, tt.want)
		}
	}
}

// TestProfile checks what the extension relies on: patterns that compile
// (JS-compatible subset), hosts in match-pattern form, selectors that find
// the fixtures' elements, and Google's reply rules.
func TestProfile(t *testing.T) {
	p := New().Profile()
	if p.Platform != "google" || len(p.Pages) != 3 {
		t.Fatalf("profile = %s with %d pages", p.Platform, len(p.Pages))
	}
	for _, pg := range p.Pages {
		for _, m := range append(append([]string{}, pg.Match...), pg.ID.Pattern) {
			if strings.Contains(m, "(?i") || strings.Contains(m, "(?<") || strings.Contains(m, `\z`) {
				t.Errorf("%s: pattern %q is not JS-compatible", pg.Name, m)
			}
		}
		if len(pg.Hosts) == 0 || pg.Review == "" || pg.ID.Attr == "" || pg.ReplyBox == nil {
			t.Errorf("%s: incomplete page %+v", pg.Name, pg)
		}
		for _, h := range pg.Hosts {
			if !strings.HasPrefix(h, "https://") || !strings.HasSuffix(h, "/*") {
				t.Errorf("%s: host %q is not a match pattern", pg.Name, h)
			}
		}
	}
	pol := p.Policy
	if pol.ReplyMaxBytes != 4096 || pol.ReplyEditable == nil || !*pol.ReplyEditable || pol.CanDelete || pol.ReplyMaxRating != 0 || len(pol.ReportGrounds) != 7 || pol.Moderation == "" {
		t.Errorf("policy = %+v", pol)
	}

	// The reply box adapter finds its parts in the reconstructed owner page.
	body, _ := os.ReadFile("testdata/business_reviews_en.html")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	rb := p.Pages[2].ReplyBox
	first := doc.Find(p.Pages[2].Review).First()
	if first.Find(rb.Open).Length() != 1 || doc.Find(rb.Input).Length() != 1 || doc.Find(rb.Submit).Length() != 1 {
		t.Errorf("reply box selectors: open %d, input %d, submit %d", first.Find(rb.Open).Length(), doc.Find(rb.Input).Length(), doc.Find(rb.Submit).Length())
	}
	replied := doc.Find(p.Pages[2].Review).Eq(1)
	if replied.Find(p.Pages[2].ExistingReply).Length() != 1 {
		t.Error("ExistingReply does not find the published reply")
	}
	if n := replied.Find(rb.Open).Length(); n != 0 {
		t.Errorf("the Open selector finds %d buttons in an answered review (Edit/Delete must never be clicked)", n)
	}

	// The same adapter works in the owner's view of Maps.
	body, _ = os.ReadFile("testdata/maps_owner_view_de.html")
	doc, err = goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	maps := p.Pages[0]
	card := doc.Find(maps.Review)
	if card.Length() != 1 || card.Find(maps.ReplyBox.Open).Length() != 1 || doc.Find(maps.ReplyBox.Input).Length() != 1 || doc.Find(maps.ReplyBox.Submit).Length() != 1 || card.Find(maps.ExistingReply).Length() != 0 {
		t.Errorf("Maps owner view: card %d, open %d, input %d, submit %d, existing reply %d", card.Length(), card.Find(maps.ReplyBox.Open).Length(), doc.Find(maps.ReplyBox.Input).Length(), doc.Find(maps.ReplyBox.Submit).Length(), card.Find(maps.ExistingReply).Length())
	}
}
