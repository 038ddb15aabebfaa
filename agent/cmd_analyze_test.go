package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/scrapertest"
)

const testNow = "2026-03-01T10:00:00Z"

// analyzeJSON runs `agent analyze --json` and decodes its output.
func analyzeJSON(t *testing.T, args ...string) (map[string]any, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"analyze", "--json", "--now", testNow}, args...), strings.NewReader(""), &out, &errb)
	if code != 0 {
		return nil, errb.String(), code
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("analyze output is not JSON: %v\n%s", err, out.String())
	}
	return m, errb.String(), code
}

// platformTestdata lists the scrapers' own reconstructed pages that parse.
func platformTestdata(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"../scrapers/*/testdata/*.html", "../scrapers/*/testdata/*.json"} {
		m, _ := filepath.Glob(pattern)
		for _, f := range m {
			base := filepath.Base(f)
			if strings.HasPrefix(base, "err_") || strings.Contains(base, ".golden.") {
				continue
			}
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		t.Skip("no scraper testdata found")
	}
	return files
}

// TestAnalyzeMatchesScraper checks that the CLI lists every review the
// scraper reads, with the contract's fields carrying the scraper's values.
func TestAnalyzeMatchesScraper(t *testing.T) {
	now, _ := time.Parse(time.RFC3339, testNow)
	for _, file := range platformTestdata(t) {
		platform := filepath.Base(filepath.Dir(filepath.Dir(file)))
		t.Run(platform+"/"+filepath.Base(file), func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := scrapers.Parse(platform, scrapers.Page{Body: body, Seen: now})
			if err != nil {
				t.Skipf("the scraper itself does not read %s without a URL: %v", file, err)
			}
			got, stderr, code := analyzeJSON(t, "--platform", platform, file)
			if code != 0 {
				t.Fatalf("analyze %s: exit %d: %s", file, code, stderr)
			}
			if got["platform"] != platform || got["url"] != nil {
				t.Errorf("platform %v url %v, want %s and null", got["platform"], got["url"], platform)
			}
			reviews := got["reviews"].([]any)
			if len(reviews) != len(want.Reviews) {
				t.Fatalf("analyze listed %d reviews, scraper read %d", len(reviews), len(want.Reviews))
			}
			for i, w := range want.Reviews {
				g := reviews[i].(map[string]any)
				checkReview(t, g, w.ID, w.Author, w.Rating, w.Date, w.Text, w.ShopReply)
				if g["truncated"] != w.Truncated {
					t.Errorf("review %s: truncated = %v, want %v", w.ID, g["truncated"], w.Truncated)
				}
			}
		})
	}
}

func checkReview(t *testing.T, g map[string]any, id string, author *string, rating *int, date *string, text string, reply *string) {
	t.Helper()
	for _, key := range []string{"id", "author", "rating", "date", "text", "truncated", "shop_reply", "analysis", "draft", "deadline"} {
		if _, ok := g[key]; !ok {
			t.Errorf("review %s: key %q missing", id, key)
		}
	}
	str := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var r any
	if rating != nil {
		r = float64(*rating)
	}
	if g["id"] != id || g["author"] != str(author) || g["rating"] != r || g["date"] != str(date) ||
		g["text"] != text || g["shop_reply"] != str(reply) {
		t.Errorf("review %s = %v, want id %s author %v rating %v date %v text %q reply %v",
			id, g, id, str(author), r, str(date), text, str(reply))
	}
	a, _ := g["analysis"].(map[string]any)
	for _, key := range []string{"lang", "kind", "topics", "action"} {
		if _, ok := a[key]; !ok {
			t.Errorf("review %s: analysis.%s missing", id, key)
		}
	}
	if a["kind"] == "" || a["action"] == "" {
		t.Errorf("review %s: analysis %v has no kind or action", id, a)
	}
	if d, ok := g["date"].(string); ok {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			t.Errorf("review %s: date %q is not YYYY-MM-DD", id, d)
		}
	}
}

// TestAnalyzeRealEtsy reads the team's captured Etsy page: every one of its
// 10 reviews must be listed with id, rating, date and a text field.
func TestAnalyzeRealEtsy(t *testing.T) {
	file := scrapertest.SharedFixture(t, "etsy/blimp666-etsy_scraper/reviews.html")
	got, stderr, code := analyzeJSON(t, "--url", "https://www.etsy.com/shop/NAME/reviews", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got["platform"] != "etsy" || got["url"] != "https://www.etsy.com/shop/NAME/reviews" {
		t.Errorf("platform %v url %v", got["platform"], got["url"])
	}
	reviews := got["reviews"].([]any)
	if len(reviews) != 10 {
		t.Fatalf("listed %d reviews, want 10", len(reviews))
	}
	ids := map[string]bool{}
	for _, r := range reviews {
		g := r.(map[string]any)
		id, _ := g["id"].(string)
		rating, _ := g["rating"].(float64)
		date, _ := g["date"].(string)
		// Etsy allows a rating without words, so text may be empty, never absent.
		_, hasText := g["text"].(string)
		if id == "" || ids[id] || rating < 1 || rating > 5 || date == "" || !hasText {
			t.Errorf("review %v: want a distinct id, rating 1-5, a date and a text field", g)
		}
		ids[id] = true
		if a, _ := g["analysis"].(map[string]any); a["kind"] == nil || a["action"] == nil {
			t.Errorf("review %s: analysis %v", id, a)
		}
	}
}

func TestAnalyzeRefusals(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.html")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a"), scrapers.MaxPageBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.html")
	if err := os.WriteFile(junk, []byte("<html><body><p>hello</p></body></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown platform", []string{"--platform", "myspace", junk}, "(NO_SCRAPER)"},
		{"no way to tell the platform", []string{junk}, "(NO_SCRAPER)"},
		{"URL no scraper claims", []string{"--url", "https://example.com/reviews", junk}, "(NO_SCRAPER)"},
		{"too large", []string{"--platform", "etsy", big}, "too large"},
		{"missing file", []string{"--platform", "etsy", filepath.Join(dir, "none.html")}, "no such file"},
		{"bad url", []string{"--url", "ftp://x", junk}, "not an http(s) URL"},
		{"no file", []string{}, "usage"},
	}
	if m, _ := filepath.Glob("../scrapers/etsy/testdata/err_markup_changed.html"); len(m) == 1 {
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"markup changed", []string{"--url", "https://www.etsy.com/shop/NAME/reviews", m[0]}, "calmreply does not understand this page (MARKUP_CHANGED)"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := analyzeJSON(t, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
			if tt.name != "no file" && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
}

// TestAnalyzeText checks the readable listing names every review.
func TestAnalyzeText(t *testing.T) {
	file := "../scrapers/etsy/testdata/shop_reviews_de.html"
	if _, err := os.Stat(file); err != nil {
		t.Skip("etsy testdata absent")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"analyze", "--url", "https://www.etsy.com/de/shop/TonwerkLina/reviews", "-"}, mustOpen(t, file), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	u, _ := url.Parse("https://www.etsy.com/de/shop/TonwerkLina/reviews")
	body, _ := os.ReadFile(file)
	res, err := scrapers.Parse("", scrapers.Page{URL: u, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Reviews {
		if !strings.Contains(out.String(), "#"+r.ID) {
			t.Errorf("text output does not list review %s:\n%s", r.ID, out.String())
		}
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestAnalyzeTruncated: a review the page shows only in part says so in
// the JSON contract and in the text output.
func TestAnalyzeTruncated(t *testing.T) {
	const file = "../scrapers/etsy/testdata/fragment_truncated.html"
	got, stderr, code := analyzeJSON(t, "--platform", "etsy", file)
	if code != 0 {
		t.Fatalf("analyze %s: exit %d: %s", file, code, stderr)
	}
	reviews := got["reviews"].([]any)
	if len(reviews) != 1 || reviews[0].(map[string]any)["truncated"] != true {
		t.Fatalf("analyze --json %s: reviews = %v, want one with truncated true", file, reviews)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"analyze", "--now", testNow, "--platform", "etsy", file}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("analyze %s: exit %d: %s", file, code, errb.String())
	}
	if !strings.Contains(out.String(), "only the start") {
		t.Errorf("analyze %s text output does not say the review is cut:\n%s", file, out.String())
	}
}
