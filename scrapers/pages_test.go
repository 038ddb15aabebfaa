package scrapers

import (
	"net/url"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/site"
)

func TestPagesPageKind(t *testing.T) {
	ps, err := NewPages(site.Profile{Platform: "example", Pages: []site.Page{
		{Name: "item", Match: []string{`^https://shop\.example/item/[0-9]+`}},
		// Overlaps "item": profile order decides, as in the extension.
		{Name: "any", Match: []string{`^https://shop\.example/item/`, `^https://app\.example/reviews`}},
		{Name: "none"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ url, kind string }{
		{"https://shop.example/item/12?page=2", "item"},
		{"https://shop.example/item/abc", "any"},
		{"https://app.example/reviews#top", "any"},
		{"https://shop.example/", ""},
		{"https://evil.example/https://shop.example/item/12", ""},
		{"http://shop.example/item/12", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := ps.PageKind(u); got != tt.kind {
			t.Errorf("PageKind(%q) = %q, want %q", tt.url, got, tt.kind)
		}
		if got := ps.Match(u); got != (tt.kind != "") {
			t.Errorf("Match(%q) = %v, want %v", tt.url, got, tt.kind != "")
		}
	}
	if ps.PageKind(nil) != "" || ps.Match(nil) {
		t.Error("a nil URL matched a page")
	}
}

func TestNewPagesRefusesBadPattern(t *testing.T) {
	_, err := NewPages(site.Profile{Platform: "example", Pages: []site.Page{{Name: "broken", Match: []string{`^https://x\.example/(`}}}})
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("NewPages(bad pattern) error = %v, want one naming the page", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustPages(bad pattern) did not panic")
		}
	}()
	MustPages(site.Profile{Pages: []site.Page{{Name: "broken", Match: []string{`(`}}}})
}

func TestDecodePolicy(t *testing.T) {
	tests := []struct {
		name, json string
		ok         bool
	}{
		{"rules", `{"reply_max_rating": 3, "review_window_days": 100, "can_delete": false}`, true},
		{"empty object", `{}`, true},
		{"misspelt field", `{"reply_max_ratnig": 3}`, false},
		{"wrong type", `{"reply_max_rating": "3"}`, false},
		{"two objects", `{} {}`, false},
		{"truncated", `{"reply_max_rating": 3`, false},
		{"nothing", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodePolicy([]byte(tt.json))
			if (err == nil) != tt.ok {
				t.Fatalf("decodePolicy(%s) = %+v, %v; want ok %v", tt.json, p, err, tt.ok)
			}
			if tt.name == "rules" && (p.ReplyMaxRating != 3 || p.ReviewWindowDays != 100) {
				t.Errorf("decodePolicy(%s) = %+v", tt.json, p)
			}
		})
	}
}
