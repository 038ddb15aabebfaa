package google

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/calmreply/calmreply/scrapers"
)

// FuzzParse: hostile pages never panic, and every failure is one of the
// typed errors callers decide on.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if filepath.Ext(p) == ".md" || filepath.Ext(filepath.Base(p[:len(p)-len(filepath.Ext(p))])) == ".golden" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "")
			f.Add(b, "https://www.google.de/maps/place/X")
		}
	}
	f.Add([]byte(`)]}'`+"\n"+`[[["ChZDSUhNMG9nS0VJQ0FnSURkZTAxEAE",[null,null,1e300,null,null,null,null],[[5]],[null,null]]]]`), "")
	f.Add([]byte(`<div data-review-id="x" aria-label="a"><span role="img" aria-label="5"></span></div>`), "")
	f.Fuzz(func(t *testing.T, body []byte, rawURL string) {
		u, _ := url.Parse(rawURL)
		res, err := New().Parse(scrapers.Page{URL: u, Body: body, Seen: seen})
		if err != nil {
			if scrapers.Code(err) == "PARSE_FAILED" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		for _, r := range res.Reviews {
			if r.ID == "" || r.Rating == nil || *r.Rating < 1 || *r.Rating > 5 || len(r.Text) > maxText+len("…") {
				t.Fatalf("bad review %+v", r)
			}
		}
	})
}
