package etsy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/scrapertest"
	"github.com/calmreply/calmreply/shared/review"
)

// fx parses the saved pages as the agent would.
var fx = scrapertest.Fixtures{Scraper: New()}

// TestParse parses every reconstructed page and compares with its golden file.
func TestParse(t *testing.T) {
	fx.Golden(t, []scrapertest.Case{
		{File: "shop_reviews_de.html", URL: "https://www.etsy.com/de/shop/TonwerkLina/reviews", Kind: ShopReviews, Reviews: 4},
		{File: "listing_reviews_sv.html", URL: "https://www.etsy.com/sv/listing/1500000031/handdrejad-kaffemugg?ref=shop_home", Kind: ListingReviews, Reviews: 3},
		{File: "seller_reviews.html", URL: "https://www.etsy.com/your/shops/me/reviews", Kind: SellerReviews, Reviews: 3},
		{File: "reviews_ajax_page2.json", URL: "https://www.etsy.com/shop/TonwerkLina", Kind: ShopReviews, Reviews: 2},
		// Without a URL the page itself says what it is.
		{File: "seller_reviews.html", Kind: SellerReviews, Reviews: 3},
		{File: "reviews_ajax_page2.json", Kind: ShopReviews, Reviews: 2},
	})
}

// TestFields pins the fields the reconstructed pages exercise, so a wrong
// golden file cannot hide a regression.
func TestFields(t *testing.T) {
	res, err := fx.Parse(t, "testdata/shop_reviews_de.html", "https://www.etsy.com/de/shop/TonwerkLina/reviews")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]review.Review{}
	for _, r := range res.Reviews {
		byID[r.ID] = r
	}
	r := byID["4100000002"]
	if r.Author == nil || *r.Author != "Jens" || *r.Rating != 2 || *r.Date != "2024-04-28" {
		t.Errorf("review 4100000002 = %+v", r)
	}
	if r.ShopReply == nil || !strings.HasPrefix(*r.ShopReply, "Lieber Jens") {
		t.Errorf("shop reply = %v, want the reply without its heading", r.ShopReply)
	}
	if r.Text != "Der Teller kam mit einem Sprung an. Die Verpackung war viel zu dünn." {
		t.Errorf("text = %q (whitespace not normalised or reply mixed in)", r.Text)
	}
	if r.Listing == nil || r.Listing.ID != "1300000012" || r.Listing.Title != "Flacher Teller, 28 cm, Sandgrau" {
		t.Errorf("listing = %+v", r.Listing)
	}
	if anon := byID["4100000004"]; anon.Author != nil || anon.Text != "" || *anon.Date != "2024-04-15" {
		t.Errorf("anonymous review without text = author %v, text %q, date %v", anon.Author, anon.Text, anon.Date)
	}
	if res.Lang != "de" {
		t.Errorf("page lang = %q, want de", res.Lang)
	}

	res, err = fx.Parse(t, "testdata/listing_reviews_sv.html", "https://www.etsy.com/sv/listing/1500000031/handdrejad-kaffemugg")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Reviews[0].Text; !strings.HasSuffix(got, "utan problem.") {
		t.Errorf("truncated preview not expanded: %q", got)
	}
	if res.Reviews[0].Truncated {
		t.Errorf("expanded text marked truncated")
	}
	if l := res.Reviews[0].Listing; l == nil || l.ID != "1500000031" {
		t.Errorf("listing from page URL = %+v", l)
	}
}

// TestFragment parses what the extension sends: the outerHTML of one review
// element. The id must be what the profile's IDRule reads in the browser.
func TestFragment(t *testing.T) {
	tests := []struct{ file, url string }{
		{"fragment_review.html", "https://www.etsy.com/de/shop/TonwerkLina/reviews?page=2"},
		{"fragment_seller_review.html", "https://www.etsy.com/your/shops/me/reviews?ref=seller-platform-mcnav"},
		{"fragment_truncated.html", "https://www.etsy.com/sv/listing/1500000031/handdrejad-kaffemugg"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := fx.FragmentRoundTrip(t, filepath.Join("testdata", tt.file), tt.url)
			if len(res.Reviews) != 1 {
				t.Fatalf("Parse(%s) = %d reviews, want 1", tt.file, len(res.Reviews))
			}
			if got := res.Reviews[0].Truncated; got != strings.Contains(tt.file, "truncated") {
				t.Errorf("Parse(%s) truncated = %v", tt.file, got)
			}
			scrapertest.Golden(t, filepath.Join("testdata", strings.TrimSuffix(tt.file, ".html")+".golden.json"), res)
		})
	}
}

// TestFragmentIDs: every review element of the full pages, sent alone as
// the extension sends it, parses to one review with the id its IDRule reads.
func TestFragmentIDs(t *testing.T) {
	for _, tt := range []struct{ file, url string }{
		{"shop_reviews_de.html", "https://www.etsy.com/de/shop/TonwerkLina/reviews"},
		{"listing_reviews_sv.html", "https://www.etsy.com/sv/listing/1500000031/handdrejad-kaffemugg"},
		{"seller_reviews.html", "https://www.etsy.com/your/shops/me/reviews"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			fx.FragmentRoundTrip(t, filepath.Join("testdata", tt.file), tt.url)
		})
	}
}

// TestErrors checks that each page Etsy shows instead of reviews gives its
// typed error.
func TestErrors(t *testing.T) {
	fx.Errors(t, []scrapertest.ErrorCase{
		{File: "err_captcha_datadome.html", URL: "https://www.etsy.com/shop/TonwerkLina/reviews", Want: scrapers.ErrCaptcha},
		{File: "err_signin.html", URL: "https://www.etsy.com/your/shops/me/reviews", Want: scrapers.ErrLoginWall},
		{File: "err_no_reviews.html", URL: "https://www.etsy.com/nl/shop/NieuweWinkel", Want: scrapers.ErrNoReviews},
		{File: "err_markup_changed.html", URL: "https://www.etsy.com/shop/TonwerkLina/reviews", Want: scrapers.ErrMarkupChanged},
		{File: "err_review_without_rating.html", URL: "https://www.etsy.com/shop/TonwerkLina/reviews", Want: scrapers.ErrMarkupChanged},
		{File: "err_json_no_html.json", Want: scrapers.ErrMarkupChanged},
		{File: "err_truncated.json", Want: scrapers.ErrMalformed},
	})
	if _, err := New().Parse(scrapers.Page{Body: []byte("  \n")}); !errors.Is(err, scrapers.ErrMalformed) {
		t.Errorf("Parse(blank) error = %v, want ErrMalformed", err)
	}
}

// The real shop-reviews section captured by blimp666/etsy_scraper (2022).
// Its texts and names stay out of the repository: the test checks ids,
// ratings, dates and listings, and that the personal fields are present.
var realIDs = []struct{ id, date, listing string }{
	{"2996230595", "2022-06-12", "1217287231"},
	{"2999952327", "2022-06-15", "1062546725"},
	{"2956999160", "2022-06-12", "1021216348"},
	{"2956054843", "2022-06-13", "1204403165"},
	{"2961039051", "2022-06-12", "1026139297"},
	{"2999449863", "2022-06-10", "1055035538"},
	{"2997571542", "2022-06-10", ""},
	{"2970569213", "2022-06-07", ""},
	{"2896937462", "2022-06-06", ""},
	{"2896937460", "2022-06-06", "1103593193"},
}

// noText are the real reviews that have a rating but no text.
var noText = map[string]bool{"2956999160": true, "2961039051": true}

func TestRealShopReviews(t *testing.T) {
	file := scrapertest.SharedFixture(t, "etsy/blimp666-etsy_scraper/reviews.html")
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Through the registry, as analyze --url calls it.
	res, err := scrapers.Parse("", scrapers.Page{URL: scrapertest.URL(t, "https://www.etsy.com/shop/NAME/reviews"), Body: body})
	if err != nil {
		t.Fatalf("Parse(real reviews.html): %v", err)
	}
	checkReal(t, res, true)
}

func checkReal(t *testing.T, res scrapers.Result, ordered bool) {
	t.Helper()
	if res.Platform != review.Etsy || res.PageKind != ShopReviews {
		t.Errorf("platform/kind = %s/%s", res.Platform, res.PageKind)
	}
	if len(res.Reviews) != len(realIDs) {
		t.Fatalf("got %d reviews, want %d", len(res.Reviews), len(realIDs))
	}
	byID := map[string]review.Review{}
	for i, r := range res.Reviews {
		byID[r.ID] = r
		if ordered && r.ID != realIDs[i].id {
			t.Errorf("review %d id = %s, want %s", i, r.ID, realIDs[i].id)
		}
	}
	for _, w := range realIDs {
		r, ok := byID[w.id]
		if !ok {
			t.Errorf("review %s missing", w.id)
			continue
		}
		if r.Rating == nil || *r.Rating != 5 {
			t.Errorf("review %s rating = %v, want 5", w.id, r.Rating)
		}
		if r.Date == nil || *r.Date != w.date {
			t.Errorf("review %s date = %v, want %s", w.id, r.Date, w.date)
		}
		if r.Author == nil || *r.Author == "" || strings.Contains(*r.Author, " on ") {
			t.Errorf("review %s author = %v, want the buyer's name alone", w.id, r.Author)
		}
		if (r.Text == "") != noText[w.id] {
			t.Errorf("review %s text = %q, want empty only for reviews without text", w.id, r.Text)
		}
		if strings.Contains(r.Text, "  ") || strings.Contains(r.Text, "\n") {
			t.Errorf("review %s text not normalised: %q", w.id, r.Text)
		}
		if r.ShopReply != nil {
			t.Errorf("review %s shop reply = %q, the capture has none", w.id, *r.ShopReply)
		}
		if r.Listing == nil || r.Listing.Title == "" || (w.listing != "" && r.Listing.ID != w.listing) {
			t.Errorf("review %s listing = %+v, want id %s with a title", w.id, r.Listing, w.listing)
		}
	}
}

// TestRealAjax: the pagination JSON wraps the same reviews, in another order.
// The two captures were taken at different times (one review's text differs
// between them), so the fields compared are those that cannot change.
func TestRealAjax(t *testing.T) {
	htmlFile := scrapertest.SharedFixture(t, "etsy/blimp666-etsy_scraper/reviews.html")
	jsonFile := scrapertest.SharedFixture(t, "etsy/blimp666-etsy_scraper/reviews_ajax_response.json")
	const u = "https://www.etsy.com/shop/NAME/reviews"
	fromJSON, err := fx.Parse(t, jsonFile, u)
	if err != nil {
		t.Fatalf("Parse(real ajax JSON): %v", err)
	}
	checkReal(t, fromJSON, false)
	// Without a URL the body alone must lead the registry to Etsy.
	body, _ := os.ReadFile(jsonFile)
	if res, err := scrapers.Parse("", scrapers.Page{Body: body}); err != nil || res.Platform != review.Etsy {
		t.Errorf("Parse(real ajax JSON, no URL) = %s, %v", res.Platform, err)
	}
	fromHTML, err := fx.Parse(t, htmlFile, u)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]review.Review{}
	for _, r := range fromHTML.Reviews {
		want[r.ID] = r
	}
	for _, r := range fromJSON.Reviews {
		w := want[r.ID]
		r.Text, w.Text = "", ""
		if !reflect.DeepEqual(r, w) {
			t.Errorf("review %s differs between the HTML page and the JSON:\n%+v\n%+v", r.ID, r, w)
		}
	}
}

func TestMatch(t *testing.T) {
	scrapertest.PageKinds(t, New().Pages, []scrapertest.PageCase{
		{URL: "https://www.etsy.com/shop/TonwerkLina", Kind: ShopReviews},
		{URL: "https://www.etsy.com/shop/TonwerkLina/reviews?page=2#reviews", Kind: ShopReviews},
		{URL: "https://www.etsy.com/de/shop/TonwerkLina", Kind: ShopReviews},
		{URL: "https://www.etsy.com/de-en/shop/TonwerkLina/reviews", Kind: ShopReviews},
		{URL: "https://www.etsy.com/listing/1500000031/handdrejad-kaffemugg", Kind: ListingReviews},
		{URL: "https://www.etsy.com/sv/listing/1500000031", Kind: ListingReviews},
		{URL: "https://www.etsy.com/nl/listing/1500000031/mok?ref=hp", Kind: ListingReviews},
		{URL: "https://www.etsy.com/your/shops/me/reviews", Kind: SellerReviews},
		{URL: "https://www.etsy.com/your/shops/me/reviews?ref=seller-platform-mcnav", Kind: SellerReviews},
		{URL: "https://www.etsy.com/de/your/shops/me/reviews", Kind: SellerReviews},
		{URL: "https://www.etsy.com/", Kind: ""},
		{URL: "https://www.etsy.com/search?q=mug", Kind: ""},
		{URL: "https://www.etsy.com/listing/abc", Kind: ""},
		{URL: "https://etsy.com.evil.example/shop/x", Kind: ""},
		{URL: "http://www.etsy.com/shop/x", Kind: ""},
	})
}

func TestPolicy(t *testing.T) {
	p := New().Profile().Policy
	if p.ReplyMaxRating != 3 || !p.ReplyLocksReview || p.ReviewWindowDays != 100 || p.CanDelete || p.ReplyEditable != nil {
		t.Errorf("policy = %+v", p)
	}
	if len(p.ReportGrounds) != 7 {
		t.Errorf("report grounds = %d, want 7", len(p.ReportGrounds))
	}
	for _, pg := range New().Profile().Pages {
		if (pg.ReplyBox != nil) != (pg.Name == SellerReviews) {
			t.Errorf("page %s reply box = %v; only the seller page has one", pg.Name, pg.ReplyBox)
		}
	}
}

func TestFindDate(t *testing.T) {
	tests := []struct {
		in   string
		us   bool
		want string
	}{
		{"Carrie on Jun 12, 2022", false, "2022-06-12"},
		{"Gretel am 03.05.2024", false, "2024-05-03"},
		{"12 Jun, 2024", false, "2024-06-12"},
		{"14 jun. 2024", false, "2024-06-14"},
		{"2 maj 2024", false, "2024-05-02"},
		{"3 mei 2024", false, "2024-05-03"},
		{"5 déc. 2023", false, "2023-12-05"},
		{"12 de junio de 2024", false, "2024-06-12"},
		{"12. März 2024", false, "2024-03-12"},
		{"2024-04-19", false, "2024-04-19"},
		{"19-04-2024", false, "2024-04-19"},
		{"03/04/2024", false, "2024-04-03"},
		{"03/04/2024", true, "2024-03-04"},
		{"Feb 29, 2024", false, "2024-02-29"},
		{"Feb 29, 2023", false, ""}, // no such day
		{"31.06.2024", false, ""},
		{"Bob 12 2022", false, ""},
		{"", false, ""},
		{"am 3.5.24", false, ""}, // a two-digit year is no year
		{"posted 2024-04-19, 10:00", false, "2024-04-19"},
		{"Order 20240419 on 1.2.2024", false, "2024-02-01"},
	}
	for _, tt := range tests {
		got, ok := findDate(tt.in, tt.us)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("findDate(%q, %v) = %q, %v; want %q", tt.in, tt.us, got, ok, tt.want)
		}
	}
}

// FuzzParse: any body gives reviews or a typed error, never a panic.
func FuzzParse(f *testing.F) {
	for _, b := range scrapertest.Inputs(f, "testdata") {
		f.Add(b)
	}
	s := New()
	u := scrapertest.URL(f, "https://www.etsy.com/shop/TonwerkLina/reviews")
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := s.Parse(scrapers.Page{URL: u, Body: body})
		scrapertest.CheckResult(t, res, err)
	})
}

func BenchmarkParse(b *testing.B) {
	fx.Benchmark(b, "testdata/shop_reviews_de.html", "https://www.etsy.com/de/shop/TonwerkLina/reviews")
}

// TestCaptchaElements: bot checks recognised by their elements (not only by
// DataDome's script host), with look-alikes that are not checks. The fast
// walk must agree with the selector it stands for.
func TestCaptchaElements(t *testing.T) {
	frag, err := os.ReadFile(filepath.Join("testdata", "fragment_review.html"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		element string
		captcha bool
	}{
		{`<iframe src="https://check.example/captcha/?t=1"></iframe>`, true},
		{`<div data-dd-captcha></div>`, true},
		{`<div DATA-DD-CAPTCHA="1"></div>`, true},
		{`<div id="px-captcha"></div>`, true},
		{`<div class="wt-p-xs-2 g-recaptcha"></div>`, true},
		{`<span class="h-captcha"></span>`, true},
		{`<div data-note="captcha help"></div>`, false},
		{`<div class="g-recaptcha-badge"></div>`, false},
		{`<div id="PX-CAPTCHA"></div>`, false},
		{`<img src="captcha.png">`, false},
	}
	for _, tt := range tests {
		page := "<html><body>" + tt.element + string(frag) + "</body></html>"
		_, err := New().Parse(scrapers.Page{URL: scrapertest.URL(t, "https://www.etsy.com/shop/TonwerkLina/reviews"), Body: []byte(page)})
		if got := errors.Is(err, scrapers.ErrCaptcha); got != tt.captcha {
			t.Errorf("Parse(%s + review) error = %v, want captcha %v", tt.element, err, tt.captcha)
		}
		doc, derr := goquery.NewDocumentFromReader(strings.NewReader(page))
		if derr != nil {
			t.Fatal(derr)
		}
		if fast, sel := hasCaptcha(doc.Nodes[0]), doc.FindMatcher(selCaptcha).Length() > 0; fast != sel {
			t.Errorf("%s: hasCaptcha = %v, selector %v", tt.element, fast, sel)
		}
	}
}

// findDateRef is findDate without its cheap look ahead: every pattern in
// order. The look ahead must never change an answer.
func findDateRef(s string, usOrder bool) (string, bool) {
	if m := reISO.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	for _, m := range reMonthDayYear.FindAllStringSubmatch(s, 8) {
		if mon, found := months[strings.ToLower(m[1])]; found {
			return ymd(m[3], strconv.Itoa(int(mon)), m[2])
		}
	}
	for _, m := range reDayMonthYear.FindAllStringSubmatch(s, 8) {
		if mon, found := months[strings.ToLower(m[2])]; found {
			return ymd(m[3], strconv.Itoa(int(mon)), m[1])
		}
	}
	if m := reNumeric.FindStringSubmatch(s); m != nil {
		d, mo := m[1], m[3]
		if m[2] == "/" && usOrder {
			d, mo = mo, d
		}
		return ymd(m[4], mo, d)
	}
	return "", false
}

var dateSeeds = []string{
	"Carrie on Jun 12, 2022", "Gretel am 03.05.2024", "12 Jun, 2024", "14 jun. 2024", "12 de junio de 2024",
	"12. März 2024", "2024-04-19", "19-04-2024", "03/04/2024", "Feb 29, 2023", "Bob 12 2022", "am 3.5.24",
	"Jun 12,\t2022", "Jun 12,\n2022", "12 juni\u00a02024", "12 juni 20245", "x2024-04-19", "Jun 12, 2022x",
	"Order 20240419 on 1.2.2024", "2024", " 2024", "12 mei-2024", "Mai 3 2024-05-03",
}

func TestFindDateLookAhead(t *testing.T) {
	for _, s := range dateSeeds {
		for _, us := range []bool{false, true} {
			d1, ok1 := findDate(s, us)
			d2, ok2 := findDateRef(s, us)
			if d1 != d2 || ok1 != ok2 {
				t.Errorf("findDate(%q, %v) = %q, %v; every pattern gives %q, %v", s, us, d1, ok1, d2, ok2)
			}
		}
	}
}

func FuzzFindDate(f *testing.F) {
	for _, s := range dateSeeds {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, us bool) {
		d1, ok1 := findDate(s, us)
		d2, ok2 := findDateRef(s, us)
		if d1 != d2 || ok1 != ok2 {
			t.Errorf("findDate(%q, %v) = %q, %v; every pattern gives %q, %v", s, us, d1, ok1, d2, ok2)
		}
	})
}
