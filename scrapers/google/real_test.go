package google

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/reldate"
	"github.com/calmreply/calmreply/scrapers/scrapertest"
	"github.com/calmreply/calmreply/shared/review"
)

// The real captures in ../shared/fixtures: asserted here (ids, ratings,
// dates, presence of text and replies), never stored as golden files,
// because they hold real people's names and words.

const (
	gosom = "google-maps/gosom-google-maps-scraper/"
	brus  = "google-search-reviewdialog/brusangues-maps-reviews-api-scraper/"
)

type want struct {
	id      string
	rating  int
	date    string // exact day from the payload's timestamp, or ""
	rel     string // the relative date the page showed
	text    bool   // has text
	reply   bool   // has the owner's reply
	lang    string // stated language, or ""
	trunc   bool
	precise review.Precision
}

func checkReal(t *testing.T, rel, kind string, seenAt time.Time, wants []want) scrapers.Result {
	t.Helper()
	res, err := parseFile(t, scrapertest.SharedFixture(t, rel), "", seenAt)
	if err != nil {
		t.Fatalf("Parse(%s): %v", rel, err)
	}
	if res.PageKind != kind || len(res.Reviews) != len(wants) {
		t.Fatalf("Parse(%s) = %q with %d reviews %v; want %q with %d", rel, res.PageKind, len(res.Reviews), scrapertest.IDs(res), kind, len(wants))
	}
	for i, w := range wants {
		r := res.Reviews[i]
		if r.ID != w.id || r.Rating == nil || *r.Rating != w.rating || r.Author == nil || *r.Author == "" || r.Platform != review.Google {
			t.Errorf("%s #%d: id %s rating %v author %v; want id %s rating %d and an author", rel, i, r.ID, r.Rating, r.Author, w.id, w.rating)
		}
		if got := r.Date != nil; got != (w.date != "") || (got && *r.Date != w.date) {
			t.Errorf("%s #%d: date %v, want %q", rel, i, r.Date, w.date)
		}
		if r.DateRange == nil || r.DateRange.Raw != w.rel {
			t.Errorf("%s #%d: date range %+v, want raw %q", rel, i, r.DateRange, w.rel)
		} else if w.precise != "" && r.DateRange.Precision != w.precise {
			t.Errorf("%s #%d: precision %s, want %s", rel, i, r.DateRange.Precision, w.precise)
		}
		if (r.Text != "") != w.text || (r.ShopReply != nil) != w.reply || r.Lang != w.lang || r.Truncated != w.trunc {
			t.Errorf("%s #%d: text %t reply %t lang %q truncated %t; want %t %t %q %t", rel, i, r.Text != "", r.ShopReply != nil, r.Lang, r.Truncated, w.text, w.reply, w.lang, w.trunc)
		}
		if r.ShopReply != nil && *r.ShopReply == "" {
			t.Errorf("%s #%d: empty reply", rel, i)
		}
	}
	return res
}

func TestRealReviewRPC(t *testing.T) {
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	// One German 1-star review with the owner's reply, both also translated
	// into English by Google: the originals must win.
	res := checkReal(t, gosom+"review_native_with_reply.json", MapsPlace, at, []want{
		{id: "Ci9DQUlRQUNvZENodHljRjlvT2xGMmRraFdhSFowWW0xWVNURTBObEptU3pWWVgxRRAB", rating: 1, date: "2026-02-27", rel: "2 months ago", text: true, reply: true, lang: "de"},
	})
	r := res.Reviews[0]
	if !containsAll(r.Text, "Rezeption", "\n\n") || !containsAll(*r.ShopReply, "Praxisteam") {
		t.Errorf("original German text and reply not chosen over the translation")
	}
	if res.Lang != "en" {
		t.Errorf("page lang %q, want en (hl=en in the profile links)", res.Lang)
	}
	checkReal(t, gosom+"review_native_no_text.json", MapsPlace, at, []want{
		{id: "Ci9DQUlRQUNvZENodHljRjlvT21jMmJ6UnpkemN6Y0dscE9YRndaUzFuVVhCSVprRRAB", rating: 5, date: "2026-02-12", rel: "3 months ago"},
	})
	checkReal(t, gosom+"review_native_no_translation.json", MapsPlace, at, []want{
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNZemVhOFpREAE", rating: 5, date: "2019-04-17", rel: "7 years ago", text: true, lang: "en"},
	})
	// Hand-made by the capture's author: a review aggregated from another
	// site, with a 10-point score instead of Google stars. Not ours to answer.
	_, err := parseFile(t, scrapertest.SharedFixture(t, gosom+"review_aggregator.json"), "", at)
	if !errors.Is(err, scrapers.ErrNoReviews) {
		t.Errorf("aggregated review: error %v, want ErrNoReviews", err)
	}
}

// Place payloads: the same restaurant captured twice, in English (2023)
// and Greek (2024), reviews embedded at a drifted position.
func TestRealPlacePayloads(t *testing.T) {
	at := time.Date(2023, 9, 5, 0, 0, 0, 0, time.UTC)
	res := checkReal(t, gosom+"raw.json", MapsPlace, at, []want{
		{id: "ChdDSUhNMG9nS0VJQ0FnSUNKbVp5Q25nRRAB", rating: 5, date: "2023-06-30", rel: "2 months ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNSa3RlSENREAE", rating: 5, date: "2023-03-29", rel: "5 months ago", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURwOWNfQnhBRRAB", rating: 5, date: "2023-08-26", rel: "a week ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNwMGNXTk5nEAE", rating: 5, date: "2023-08-05", rel: "4 weeks ago", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUNXbTl5UzNBRRAB", rating: 5, date: "2022-03-07", rel: "a year ago", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUNSZ3VubW1nRRAB", rating: 5, date: "2023-03-28", rel: "5 months ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUQyanNiU1hnEAE", rating: 5, date: "2022-05-14", rel: "a year ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUR3bnU3T2FnEAE", rating: 5, date: "2018-10-27", rel: "4 years ago", text: true, lang: "en"},
	})
	// The newest review says "a week ago", so the capture is from early
	// September 2023: every relative date must then cover the exact day.
	checkRanges(t, res, at)

	checkReal(t, gosom+"raw2.json", MapsPlace, time.Date(2024, 10, 10, 0, 0, 0, 0, time.UTC), []want{
		{id: "ChdDSUhNMG9nS0VJQ0FnSURiN2RLRW5nRRAB", rating: 5, date: "2024-08-08", rel: "πριν από 2 μήνες", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUNydTdHQm1RRRAB", rating: 4, date: "2024-07-11", rel: "πριν από 3 μήνες", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNydGN6UEhnEAE", rating: 4, date: "2024-07-09", rel: "πριν από 3 μήνες", text: true, reply: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURIOXFDYnVBRRAB", rating: 5, date: "2024-09-15", rel: "πριν από 3 εβδομάδες", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNud2Y2alJREAE", rating: 2, date: "2024-09-26", rel: "πριν από 2 εβδομάδες", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUM5eVBMSnp3RRAB", rating: 4, date: "2024-02-29", rel: "πριν από 7 μήνες", text: true, reply: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNIb2RLSFhREAE", rating: 1, date: "2024-09-05", rel: "πριν από έναν μήνα", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUNuOWFuRnZnRRAB", rating: 5, date: "2024-09-28", rel: "πριν από 2 εβδομάδες", text: true, lang: "en"},
	})
}

// entry1.html is a place page's server HTML (2023): three rendered cards
// with cut texts, and the embedded state with eight reviews in two layouts;
// the owner replies only sit in the older one.
func TestRealPlacePageHTML(t *testing.T) {
	at := time.Date(2023, 4, 22, 0, 0, 0, 0, time.UTC) // the day it was committed
	res := checkReal(t, gosom+"entry1.html", MapsPlace, at, []want{
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNSdzhqbkF3EAE", rating: 4, date: "2023-04-09", rel: "a week ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNSaEk2RVFnEAE", rating: 5, date: "2023-03-25", rel: "4 weeks ago", text: true, reply: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURoN3ZlQnBBRRAB", rating: 5, date: "2023-03-09", rel: "a month ago", text: true, reply: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURocGRmN3RBRRAB", rating: 5, date: "2023-03-13", rel: "a month ago", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURCcktmMDdnRRAB", rating: 5, date: "2023-01-13", rel: "3 months ago", text: true, lang: "en"},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURoN1p1UHhRRRAB", rating: 5, date: "2023-03-15", rel: "a month ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSURCck1qV2J3EAE", rating: 5, date: "2023-01-13", rel: "3 months ago", text: true, lang: "en"},
		{id: "ChZDSUhNMG9nS0VJQ0FnSURCclB1NEtnEAE", rating: 5, date: "2023-01-13", rel: "3 months ago", text: true, lang: "en"},
	})
	checkRanges(t, res, at)
	if res.Lang != "en" {
		t.Errorf("page lang %q, want en", res.Lang)
	}
}

// checkRanges: the range reldate makes of each shown relative date must
// contain the day the payload's timestamp gives.
func checkRanges(t *testing.T, res scrapers.Result, at time.Time) {
	t.Helper()
	for _, r := range res.Reviews {
		if r.Date == nil {
			continue
		}
		d := reldate.Parse(r.DateRange.Raw, "en", at)
		if d.Precision == review.Unknown || *r.Date < d.From || *r.Date > d.To {
			t.Errorf("%s: %q at %s gives %s..%s, which misses the real day %s", r.ID, r.DateRange.Raw, at.Format("2006-01-02"), d.From, d.To, *r.Date)
		}
	}
}

// The real Search dialog (pt-BR): ten cards, ids from the share links,
// relative Portuguese dates, full texts hidden beside the snippets.
func TestRealSearchDialog(t *testing.T) {
	at := time.Date(2022, 10, 28, 12, 0, 0, 0, time.UTC)
	res := checkReal(t, brus+"response_raw.html", SearchReviews, at, []want{
		{id: "ChZDSUhNMG9nS0VJQ0FnSUMta0w2M0x3EAE", rating: 1, rel: "2 dias atrás", text: true, precise: review.Day},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUMta01hSXBBRRAB", rating: 1, rel: "2 dias atrás", text: true, precise: review.Day},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUMta0tMbVBREAE", rating: 1, rel: "2 dias atrás", text: true, precise: review.Day},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURlcjVxQm5BRRAB", rating: 4, rel: "4 dias atrás", precise: review.Day},
		{id: "ChZDSUhNMG9nS0VJQ0FnSURlaDVib1l3EAE", rating: 5, rel: "6 dias atrás", precise: review.Day},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURlMWV1WmhnRRAB", rating: 5, rel: "uma semana atrás", text: true, precise: review.Week},
		{id: "ChZDSUhNMG9nS0VJQ0FnSURld2RmVVBnEAE", rating: 5, rel: "2 semanas atrás", text: true, precise: review.Week},
		{id: "ChdDSUhNMG9nS0VJQ0FnSURld2N2TXFRRRAB", rating: 5, rel: "2 semanas atrás", precise: review.Week},
		{id: "ChZDSUhNMG9nS0VJQ0FnSUNlbmU2N2JnEAE", rating: 4, rel: "3 semanas atrás", text: true, precise: review.Week},
		{id: "ChdDSUhNMG9nS0VJQ0FnSUNlLS12UzBRRRAB", rating: 5, rel: "um mês atrás", text: true, precise: review.Month},
	})
	if res.Lang != "pt-BR" {
		t.Errorf("page lang %q, want pt-BR", res.Lang)
	}
	first := res.Reviews[0]
	if got := first.DateRange; got.From != "2022-10-25" || got.To != "2022-10-27" {
		t.Errorf("\"2 dias atrás\" seen %s = %s..%s, want 2022-10-25..2022-10-27", at, got.From, got.To)
	}
	// The hidden full text is used, not the snippet, and line breaks
	// survive while the source's wrapping does not.
	if !containsAll(first.Text, "conclusões", "\n") || containsAll(first.Text, "  ") {
		t.Errorf("full text not read: %q", first.Text)
	}
	for _, r := range res.Reviews {
		if containsAll(r.Text, "Quartos") || r.URL == "" {
			t.Errorf("%s: sub-ratings leaked into the text or no share URL", r.ID)
		}
	}

	checkReal(t, brus+"response_sorted_review0.html", SearchReviews, at, []want{
		{id: "ChZDSUhNMG9nS0VJQ0FnSUMta0w2M0x3EAE", rating: 1, rel: "2 dias atrás", text: true},
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
