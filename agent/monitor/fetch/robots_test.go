package fetch

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRobotsAllowed(t *testing.T) {
	tests := []struct {
		file string
		path string
		want bool
	}{
		{"robots_star.txt", "/", true},
		{"robots_star.txt", "/checkout", false},
		{"robots_star.txt", "/checkout/step2", false},
		{"robots_star.txt", "/search", true},
		{"robots_star.txt", "/search?q=x", false},
		{"robots_star.txt", "/files/terms.pdf", false},
		{"robots_star.txt", "/files/terms.pdf?v=2", true},
		{"robots_star.txt", "/bewertung/", false},
		{"robots_star.txt", "/bewertung/info_X123.html", true}, // longer Allow wins
		{"robots_star.txt", "/robots.txt", true},
		{"robots_named.txt", "/", true}, // the calmreply group replaces "*"
		{"robots_named.txt", "/private", false},
		{"robots_named.txt", "/private/ok", true},
		{"robots_named.txt", "/private/ok/more", false},
		{"robots_all.txt", "/", false},
		{"robots_all.txt", "/anything?x=1", false},
		{"robots_all.txt", "/robots.txt", true},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.path, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := parseRobots(body, productToken).allowed(tt.path); got != tt.want {
				t.Errorf("allowed(%q) under %s = %v, want %v", tt.path, tt.file, got, tt.want)
			}
		})
	}
}

func TestRobotsDisallowAll(t *testing.T) {
	r := robots{disallowAll: true}
	if r.allowed("/bewertung/info_1.html") {
		t.Error("a robots.txt that failed with a server error must disallow pages")
	}
	if !r.allowed("/robots.txt") {
		t.Error("/robots.txt itself is always allowed")
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/a", "/a", true},
		{"/a", "/ab", true},
		{"/a$", "/ab", false},
		{"/a$", "/a", true},
		{"/*b", "/xxb", true},
		{"/*b$", "/xbxb", true},
		{"/*b$", "/xbx", false},
		{"*", "/anything", true},
		{"/a*c*e", "/abcde", true},
		{"/a*c*e", "/abde", false},
		{"/x", "/", false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
