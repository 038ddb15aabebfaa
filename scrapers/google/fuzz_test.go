package google

import (
	"net/url"
	"testing"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/scrapertest"
)

// FuzzParse: hostile pages never panic, and every failure is one of the
// typed errors callers decide on.
func FuzzParse(f *testing.F) {
	for _, b := range scrapertest.Inputs(f, "testdata") {
		f.Add(b, "")
		f.Add(b, "https://www.google.de/maps/place/X")
	}
	f.Add([]byte(`)]}'`+"\n"+`[[["ChZDSUhNMG9nS0VJQ0FnSURkZTAxEAE",[null,null,1e300,null,null,null,null],[[5]],[null,null]]]]`), "")
	f.Add([]byte(`<div data-review-id="x" aria-label="a"><span role="img" aria-label="5"></span></div>`), "")
	f.Fuzz(func(t *testing.T, body []byte, rawURL string) {
		u, _ := url.Parse(rawURL)
		res, err := New().Parse(scrapers.Page{URL: u, Body: body, Seen: seen})
		scrapertest.CheckResult(t, res, err)
		for _, r := range res.Reviews {
			if len(r.Text) > maxText+len("…") {
				t.Fatalf("review text of %d bytes, cap %d", len(r.Text), maxText)
			}
		}
	})
}
