package scrapertest

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/site"
)

// URL parses a test URL; "" gives nil, a page given without its URL.
func URL(t testing.TB, raw string) *url.URL {
	t.Helper()
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("test URL %q: %v", raw, err)
	}
	return u
}

// PageCase is a URL and the page kind it is ("" for none of the
// platform's pages).
type PageCase struct{ URL, Kind string }

// PageKinds checks the page kind and Match of each URL, and that a page
// without a URL is none.
func PageKinds(t *testing.T, pages *scrapers.Pages, cases []PageCase) {
	t.Helper()
	for _, c := range cases {
		u := URL(t, c.URL)
		if got := pages.PageKind(u); got != c.Kind {
			t.Errorf("PageKind(%q) = %q, want %q", c.URL, got, c.Kind)
		}
		if got := pages.Match(u); got != (c.Kind != "") {
			t.Errorf("Match(%q) = %v, want %v", c.URL, got, c.Kind != "")
		}
	}
	if pages.Match(nil) {
		t.Error("Match(nil) = true")
	}
}

// Fixtures parses one platform's saved pages as the agent would. The checks
// every platform owes the project (golden results, typed errors, fragments
// that round-trip) are its methods, so each platform's tests list only
// cases.
type Fixtures struct {
	Scraper scrapers.Scraper
	// Seen is when the pages were captured; relative dates count back from
	// it. Zero means now.
	Seen time.Time
}

// Parse reads the file at path and parses it as the page at rawURL ("" for
// a page without its URL).
func (fx Fixtures) Parse(t testing.TB, path, rawURL string) (scrapers.Result, error) {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fx.parse(t, body, rawURL)
}

func (fx Fixtures) parse(t testing.TB, body []byte, rawURL string) (scrapers.Result, error) {
	t.Helper()
	return fx.Scraper.Parse(scrapers.Page{URL: URL(t, rawURL), Body: body, Seen: fx.Seen})
}

// Benchmark measures parsing the file at path as the page at rawURL, in
// bytes per second.
func (fx Fixtures) Benchmark(b *testing.B, path, rawURL string) {
	b.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	p := scrapers.Page{URL: URL(b, rawURL), Body: body, Seen: fx.Seen}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := fx.Scraper.Parse(p); err != nil {
			b.Fatal(err)
		}
	}
}

// Case is one saved page in testdata/ and what parsing it must give.
type Case struct {
	File    string // in testdata/
	URL     string // "" parses the page without its URL
	Kind    string // the page kind the result names
	Reviews int    // how many reviews it holds
	// Golden names the golden file in testdata/; by default the file's name
	// without extension, plus ".nourl" when URL is "", plus ".golden.json".
	Golden string
}

func (c Case) golden() string {
	if c.Golden != "" {
		return c.Golden
	}
	name := strings.TrimSuffix(c.File, filepath.Ext(c.File))
	if c.URL == "" {
		name += ".nourl"
	}
	return name + ".golden.json"
}

// Golden parses each case, checks its page kind and review count, and
// compares the whole result with the case's golden file (see Golden).
func (fx Fixtures) Golden(t *testing.T, cases []Case) {
	t.Helper()
	for _, c := range cases {
		golden := c.golden()
		t.Run(strings.TrimSuffix(golden, ".golden.json"), func(t *testing.T) {
			res, err := fx.Parse(t, filepath.Join("testdata", c.File), c.URL)
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", c.File, err)
			}
			if res.PageKind != c.Kind || len(res.Reviews) != c.Reviews {
				t.Errorf("Parse(%s) = kind %q, %d reviews; want %q, %d", c.File, res.PageKind, len(res.Reviews), c.Kind, c.Reviews)
			}
			Golden(t, filepath.Join("testdata", golden), res)
		})
	}
}

// ErrorCase is a saved page in testdata/ that a platform shows instead of
// reviews, and the typed error parsing it must give.
type ErrorCase struct {
	File string // in testdata/
	URL  string // "" parses the page without its URL
	Want error
}

// Errors parses each case and checks its typed error.
func (fx Fixtures) Errors(t *testing.T, cases []ErrorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			_, err := fx.Parse(t, filepath.Join("testdata", c.File), c.URL)
			if !errors.Is(err, c.Want) {
				t.Errorf("Parse(%s, %q) error = %v, want %v", c.File, c.URL, err, c.Want)
			}
		})
	}
}

// FragmentRoundTrip checks what the extension sends against the profile it
// sends it by. The file (a whole page, or the outerHTML of one review element
// as the extension posts it) is read with the Review selector of the profile
// page that rawURL is; every element found must parse alone to one review
// whose id is the one the page's IDRule reads, and the whole file must parse
// to those reviews. It returns the whole file's result.
func (fx Fixtures) FragmentRoundTrip(t *testing.T, path, rawURL string) scrapers.Result {
	t.Helper()
	pg := profilePage(t, fx.Scraper.Profile(), URL(t, rawURL))
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	els := doc.Find(pg.Review)
	if els.Length() == 0 {
		t.Fatalf("%s: profile selector %q finds nothing", path, pg.Review)
	}
	full, err := fx.parse(t, body, rawURL)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	var want []string
	els.Each(func(i int, el *goquery.Selection) {
		id := IDByRule(pg.ID, el)
		if id == "" {
			t.Errorf("%s #%d: the IDRule %+v reads no id", path, i, pg.ID)
			return
		}
		want = append(want, id)
		frag, err := goquery.OuterHtml(el)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fx.parse(t, []byte(frag), rawURL)
		if err != nil {
			t.Errorf("%s #%d: Parse(fragment) error: %v", path, i, err)
			return
		}
		if len(res.Reviews) != 1 || res.Reviews[0].ID != id {
			t.Errorf("%s #%d: fragment gave %d reviews (ids %v), IDRule reads %q", path, i, len(res.Reviews), IDs(res), id)
		}
	})
	got := IDs(full)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Parse(%s) ids = %v, the profile's elements carry %v", path, got, want)
	}
	return full
}

// profilePage is the profile page the extension picks for a URL.
func profilePage(t testing.TB, p site.Profile, u *url.URL) site.Page {
	t.Helper()
	kind := scrapers.MustPages(p).PageKind(u)
	for _, pg := range p.Pages {
		if pg.Name == kind {
			return pg
		}
	}
	t.Fatalf("no %s profile page for %v", p.Platform, u)
	return site.Page{}
}

// IDByRule reads a review id from a review element by a profile's rule, as
// the extension's readId does: the attribute of the element or of its first
// descendant matching Selector, trimmed, then Pattern's first capture group
// (the whole match when it has none or took no part); "" when nothing is
// read.
func IDByRule(rule site.IDRule, el *goquery.Selection) string {
	if rule.Attr == "" {
		return ""
	}
	if rule.Selector != "" {
		el = el.Find(rule.Selector).First()
	}
	raw := el.AttrOr(rule.Attr, "")
	if raw == "" || rule.Pattern == "" {
		return strings.TrimSpace(raw)
	}
	m := regexp.MustCompile(rule.Pattern).FindStringSubmatchIndex(raw)
	switch {
	case m == nil:
		return ""
	case len(m) > 2 && m[2] >= 0:
		return strings.TrimSpace(raw[m[2]:m[3]])
	}
	return strings.TrimSpace(raw[m[0]:m[1]])
}

// IDs lists a result's review ids in order.
func IDs(r scrapers.Result) []string {
	out := make([]string, 0, len(r.Reviews))
	for _, rv := range r.Reviews {
		out = append(out, rv.ID)
	}
	return out
}

// Inputs returns the saved pages in dir, to seed a fuzz test: every file
// but golden files and notes (*.md); directories (a fuzz corpus) are
// skipped.
func Inputs(t testing.TB, dir string) [][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".golden.json") || strings.HasSuffix(name, ".md") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Fatalf("no saved pages in %s", dir)
	}
	return out
}

// CheckResult fails t when a parse broke the Scraper contract for hostile
// input: an error that is none of the typed errors, or a review without an
// id or with a rating outside 1-5.
func CheckResult(t testing.TB, res scrapers.Result, err error) {
	t.Helper()
	if err != nil {
		if scrapers.Code(err) == "PARSE_FAILED" {
			t.Fatalf("untyped error: %v", err)
		}
		return
	}
	for _, r := range res.Reviews {
		if r.ID == "" || r.Rating == nil || *r.Rating < 1 || *r.Rating > 5 {
			t.Fatalf("invalid review %+v", r)
		}
	}
}
