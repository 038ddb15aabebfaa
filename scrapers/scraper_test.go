package scrapers_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/scrapers"
	_ "github.com/calmreply/calmreply/scrapers/all"
)

func TestFind(t *testing.T) {
	mustURL := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tests := []struct {
		name     string
		platform string
		page     scrapers.Page
		want     string // platform, or "" for ErrNoScraper
	}{
		{"by name", "etsy", scrapers.Page{}, "etsy"},
		{"unknown name", "myspace", scrapers.Page{}, ""},
		{"by url", "", scrapers.Page{URL: mustURL("https://www.etsy.com/shop/Tonwerk")}, "etsy"},
		{"unclaimed url, no body", "", scrapers.Page{URL: mustURL("https://example.com/")}, ""},
		{"nothing at all", "", scrapers.Page{Body: []byte("<p>hello</p>")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := scrapers.Find(tt.platform, tt.page)
			if tt.want == "" {
				if !errors.Is(err, scrapers.ErrNoScraper) {
					t.Fatalf("Find = %v, %v; want ErrNoScraper", s, err)
				}
				return
			}
			if err != nil || string(s.Platform()) != tt.want {
				t.Fatalf("Find = %v, %v; want %s", s, err, tt.want)
			}
		})
	}
}

func TestParseRefusesHugePage(t *testing.T) {
	body := []byte(strings.Repeat("a", scrapers.MaxPageBytes+1))
	_, err := scrapers.Parse("etsy", scrapers.Page{Body: body})
	if !errors.Is(err, scrapers.ErrTooLarge) || scrapers.Code(err) != "TOO_LARGE" {
		t.Fatalf("Parse(huge) = %v, want ErrTooLarge", err)
	}
}

func TestRegistryIsComplete(t *testing.T) {
	var names []string
	for _, s := range scrapers.All() {
		names = append(names, string(s.Platform()))
	}
	if got := strings.Join(names, ","); got != "etsy,google,trustedshops" {
		t.Fatalf("registered platforms = %s, want etsy,google,trustedshops", got)
	}
}
