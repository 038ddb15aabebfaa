package scrapertest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/shared/site"
)

// TestIDByRule: the same answers as the extension's readId (extension/lib/match.js).
func TestIDByRule(t *testing.T) {
	const el = `<div class="r" data-id=" 42 " id="review-abc">` +
		`<a data-dsu="https://x.example/!2m5!1sXYZ!2m1" href="#"></a><a data-dsu="!2m5!1sSECOND"></a></div>`
	tests := []struct {
		rule site.IDRule
		want string
	}{
		{site.IDRule{Attr: "data-id"}, "42"},
		{site.IDRule{Attr: "id", Pattern: `^review-(.+)$`}, "abc"},
		{site.IDRule{Attr: "id", Pattern: `review-[a-z]+`}, "review-abc"}, // no group: the whole match
		{site.IDRule{Attr: "id", Pattern: `^card-(.+)$`}, ""},             // no match: no id
		{site.IDRule{Attr: "id", Pattern: `review-(x)?[a-z]+`}, "review-abc"},
		{site.IDRule{Selector: "[data-dsu]", Attr: "data-dsu", Pattern: `!2m5!1s([^!]+)`}, "XYZ"},
		{site.IDRule{Selector: ".missing", Attr: "data-id"}, ""},
		{site.IDRule{Attr: "data-missing"}, ""},
		{site.IDRule{}, ""},
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(el))
	if err != nil {
		t.Fatal(err)
	}
	review := doc.Find("div.r")
	for _, tt := range tests {
		if got := IDByRule(tt.rule, review); got != tt.want {
			t.Errorf("IDByRule(%+v) = %q, want %q", tt.rule, got, tt.want)
		}
	}
}

func TestCaseGolden(t *testing.T) {
	tests := []struct {
		c    Case
		want string
	}{
		{Case{File: "shop_de.html", URL: "https://x.example/"}, "shop_de.golden.json"},
		{Case{File: "shop_de.html"}, "shop_de.nourl.golden.json"},
		{Case{File: "api.json", Golden: "api.golden.json"}, "api.golden.json"},
	}
	for _, tt := range tests {
		if got := tt.c.golden(); got != tt.want {
			t.Errorf("%+v golden = %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestInputs: fuzz seeds are the saved pages only, never golden files,
// notes or a fuzz corpus directory.
func TestInputs(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"page.html": "<p>page</p>", "api.json": "{}", "page.golden.json": "[]", "README.md": "# notes",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "fuzz", "FuzzParse"), 0o755); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range Inputs(t, dir) {
		got = append(got, string(b))
	}
	if want := []string{"{}", "<p>page</p>"}; !slices.Equal(got, want) {
		t.Errorf("Inputs = %q, want %q", got, want)
	}
}
