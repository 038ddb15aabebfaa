package all

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/site"
)

// root is the scrapers directory; every platform package is a
// subdirectory named after its platform.
func root(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// TestEveryPlatformLinked fails when a package registers a scraper but is
// not imported here, so the agent would never use it.
func TestEveryPlatformLinked(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(root(t), "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, s := range scrapers.All() {
		linked[string(s.Platform())] = true
	}
	for _, f := range dirs {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "scrapers.Register(") {
			continue
		}
		pkg := filepath.Base(filepath.Dir(f))
		if !linked[pkg] {
			t.Errorf("package scrapers/%s registers a scraper but scrapers/all does not import it (or its platform name differs from its directory)", pkg)
		}
	}
	if len(linked) == 0 {
		t.Fatal("no scraper registered")
	}
}

// TestGoldenFixtures: every platform has parsed-result golden files.
func TestGoldenFixtures(t *testing.T) {
	for _, s := range scrapers.All() {
		dir := filepath.Join(root(t), string(s.Platform()), "testdata")
		golden, _ := filepath.Glob(filepath.Join(dir, "*.golden.json"))
		if len(golden) == 0 {
			t.Errorf("%s: no *.golden.json in %s", s.Platform(), dir)
		}
		if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
			t.Errorf("%s: testdata/README.md (which fixtures are reconstructed, from what) is missing", s.Platform())
		}
	}
}

var reURL = regexp.MustCompile(`https?://[^\s"'<>()\x60\\]+`)

// testURLs collects the URLs a platform's tests and testdata use: the pages
// its fixtures stand for.
func testURLs(t *testing.T, platform string) []string {
	t.Helper()
	dir := filepath.Join(root(t), platform)
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	data, _ := filepath.Glob(filepath.Join(dir, "testdata", "*"))
	seen := map[string]bool{}
	var out []string
	for _, f := range append(files, data...) {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // a directory (fuzz corpus)
		}
		for _, u := range reURL.FindAllString(string(b), -1) {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// jsIncompatible are regexp constructs that Go accepts but JavaScript's
// RegExp (used by the extension) reads differently or rejects.
var jsIncompatible = []string{"(?i)", "(?s)", "(?m)", "(?U)", "(?P<", `\A`, `\z`, `\Q`, `[[:`, `\pL`, `\p{`}

// TestProfiles checks what the extension relies on: URL patterns that
// compile in both Go and JavaScript and match the platform's own test URLs,
// selectors that parse, id rules with a capture group, and host patterns
// that cover the URLs they claim.
func TestProfiles(t *testing.T) {
	for _, s := range scrapers.All() {
		p := s.Profile()
		name := string(s.Platform())
		t.Run(name, func(t *testing.T) {
			if p.Platform != name {
				t.Errorf("profile platform %q, scraper platform %q", p.Platform, name)
			}
			if len(p.Pages) == 0 {
				t.Fatal("profile has no pages")
			}
			if p.Policy.ReplyMaxRating < 0 || p.Policy.ReplyMaxRating > 5 {
				t.Errorf("policy reply_max_rating %d out of 0-5", p.Policy.ReplyMaxRating)
			}
			urls := testURLs(t, name)
			for _, pg := range p.Pages {
				checkPage(t, pg, urls)
			}
		})
	}
}

// TestPagesDisjoint: no URL a platform's tests use is claimed by two of its
// pages. Page kinds are found in profile order (scrapers.Pages, and the
// extension's matchPage); disjoint patterns keep that order from mattering.
func TestPagesDisjoint(t *testing.T) {
	for _, s := range scrapers.All() {
		p := s.Profile()
		for _, raw := range testURLs(t, string(s.Platform())) {
			var claims []string
			for _, pg := range p.Pages {
				if slices.ContainsFunc(pg.Match, func(m string) bool {
					ok, _ := regexp.MatchString(m, raw)
					return ok
				}) {
					claims = append(claims, pg.Name)
				}
			}
			if len(claims) > 1 {
				t.Errorf("%s: %s is claimed by pages %v; make their patterns exclusive", s.Platform(), raw, claims)
			}
		}
	}
}

func checkPage(t *testing.T, pg site.Page, urls []string) {
	t.Helper()
	if pg.Name == "" || len(pg.Match) == 0 || len(pg.Hosts) == 0 {
		t.Errorf("page %q: needs a name, match patterns and hosts", pg.Name)
	}
	matched := 0
	for _, m := range pg.Match {
		if !strings.HasPrefix(m, "^") {
			t.Errorf("page %s: pattern %q is not anchored at the start", pg.Name, m)
		}
		for _, bad := range jsIncompatible {
			if strings.Contains(m, bad) {
				t.Errorf("page %s: pattern %q uses %s, which JavaScript does not read the same way", pg.Name, m, bad)
			}
		}
		re, err := regexp.Compile(m)
		if err != nil {
			t.Errorf("page %s: pattern %q does not compile: %v", pg.Name, m, err)
			continue
		}
		hits := 0
		for _, raw := range urls {
			if !re.MatchString(raw) {
				continue
			}
			hits++
			u, err := url.Parse(raw)
			if err != nil {
				t.Errorf("page %s: test URL %q: %v", pg.Name, raw, err)
				continue
			}
			if !slices.ContainsFunc(pg.Hosts, func(h string) bool { return hostCovers(h, u) }) {
				t.Errorf("page %s: %s matches %q but none of its hosts %v covers it", pg.Name, raw, m, pg.Hosts)
			}
		}
		if hits == 0 {
			t.Errorf("page %s: pattern %q matches none of the platform's test URLs", pg.Name, m)
		}
		matched += hits
	}
	_ = matched
	for what, sel := range map[string]string{"review": pg.Review, "existing_reply": pg.ExistingReply} {
		checkSelector(t, pg.Name, what, sel, what == "review")
	}
	if pg.ID.Attr == "" {
		t.Errorf("page %s: id rule has no attribute", pg.Name)
	}
	checkSelector(t, pg.Name, "id.selector", pg.ID.Selector, false)
	if pg.ID.Pattern != "" {
		re, err := regexp.Compile(pg.ID.Pattern)
		if err != nil || re.NumSubexp() < 1 {
			t.Errorf("page %s: id pattern %q must compile and have a capture group (err %v)", pg.Name, pg.ID.Pattern, err)
		}
	}
	if rb := pg.ReplyBox; rb != nil {
		checkSelector(t, pg.Name, "reply_box.open", rb.Open, false)
		checkSelector(t, pg.Name, "reply_box.input", rb.Input, true)
		checkSelector(t, pg.Name, "reply_box.submit", rb.Submit, false)
		if rb.Mode != "textarea" && rb.Mode != "contenteditable" {
			t.Errorf("page %s: reply box mode %q", pg.Name, rb.Mode)
		}
		if len(rb.Events) == 0 {
			t.Errorf("page %s: reply box fires no events; frameworks would not see the text", pg.Name)
		}
	}
}

func checkSelector(t *testing.T, page, what, sel string, required bool) {
	t.Helper()
	if sel == "" {
		if required {
			t.Errorf("page %s: %s selector is empty", page, what)
		}
		return
	}
	if _, err := cascadia.ParseGroup(sel); err != nil {
		t.Errorf("page %s: %s selector %q: %v", page, what, sel, err)
	}
}

// hostCovers reports whether a match pattern ("https://www.etsy.com/*",
// "https://*.example.com/*") covers a URL.
func hostCovers(pattern string, u *url.URL) bool {
	scheme, rest, ok := strings.Cut(pattern, "://")
	if !ok {
		return false
	}
	host, path, _ := strings.Cut(rest, "/")
	if scheme != "*" && scheme != u.Scheme {
		return false
	}
	switch {
	case host == "*":
	case strings.HasPrefix(host, "*."):
		if u.Hostname() != host[2:] && !strings.HasSuffix(u.Hostname(), host[1:]) {
			return false
		}
	case host != u.Hostname():
		return false
	}
	re := "^/" + strings.ReplaceAll(regexp.QuoteMeta(path), `\*`, ".*") + "$"
	ok, _ = regexp.MatchString(re, u.EscapedPath())
	return ok
}

func TestHostCovers(t *testing.T) {
	tests := []struct {
		pattern, url string
		want         bool
	}{
		{"https://www.etsy.com/*", "https://www.etsy.com/shop/x", true},
		{"https://www.etsy.com/*", "http://www.etsy.com/shop/x", false},
		{"https://www.etsy.com/*", "https://etsy.com/shop/x", false},
		{"https://*.google.com/*", "https://maps.google.com/x", true},
		{"https://*.google.com/*", "https://google.com/x", true},
		{"https://*.google.com/*", "https://evilgoogle.com/x", false},
		{"https://app.etrusted.com/etrusted/*", "https://app.etrusted.com/other", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := hostCovers(tt.pattern, u); got != tt.want {
			t.Errorf("hostCovers(%q, %q) = %v, want %v", tt.pattern, tt.url, got, tt.want)
		}
	}
}

// manifest is the part of extension/manifest.json this test reads.
type manifest struct {
	HostPermissions []string `json:"host_permissions"`
	ContentScripts  []struct {
		Matches []string `json:"matches"`
	} `json:"content_scripts"`
}

// TestManifestCoversHosts: the extension must be allowed on, and inject its
// content script into, every host a profile claims.
func TestManifestCoversHosts(t *testing.T) {
	path := filepath.Join(filepath.Dir(root(t)), "extension", "manifest.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("extension manifest not found at %s (%v); host coverage not checked", path, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var matches []string
	for _, cs := range m.ContentScripts {
		matches = append(matches, cs.Matches...)
	}
	for _, s := range scrapers.All() {
		for _, pg := range s.Profile().Pages {
			for _, h := range pg.Hosts {
				if !slices.Contains(m.HostPermissions, h) && !slices.Contains(m.HostPermissions, "<all_urls>") {
					t.Errorf("%s/%s: host %s missing from manifest host_permissions", s.Platform(), pg.Name, h)
				}
				if !slices.Contains(matches, h) && !slices.Contains(matches, "<all_urls>") {
					t.Errorf("%s/%s: host %s missing from manifest content_scripts matches", s.Platform(), pg.Name, h)
				}
			}
		}
	}
}
