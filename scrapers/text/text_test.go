package text

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestSquash(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Schnell\n\t und\u00a0gut  ", "Schnell und gut"},
		{"\u00a0\u00a0", ""},
		{"", ""},
		{"één  twee", "één twee"},
	}
	for _, tt := range tests {
		if got := Squash(tt.in); got != tt.want {
			t.Errorf("Squash(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"kort", 10, "kort"},
		{"kort", 4, "kort"},
		{"Kaffeemühle", 10, "Kaffeemühl"},
		{"två ord", 4, "två"}, // the space the cut leaves is trimmed
		{"ååå", 2, "åå"},      // runes, not bytes
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestLongest(t *testing.T) {
	tests := []struct{ html, want string }{
		{`<p>Kam heil an…</p><p>Kam heil an, sehr schön verpackt.</p>`, "Kam heil an, sehr schön verpackt."},
		// Length is judged after squashing: indentation does not win.
		{"<p>a                                   b</p><p>abc def</p>", "abc def"},
		{``, ""},
	}
	for _, tt := range tests {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(tt.html))
		if err != nil {
			t.Fatal(err)
		}
		if got := Longest(doc.Find("p")); got != tt.want {
			t.Errorf("Longest(%s) = %q, want %q", tt.html, got, tt.want)
		}
	}
}
