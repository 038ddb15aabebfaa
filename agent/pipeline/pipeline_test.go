package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	_ "github.com/calmreply/calmreply/scrapers/all"
	"github.com/calmreply/calmreply/shared/review"
)

const fragmentFile = "../../scrapers/etsy/testdata/fragment_review.html"

var shopURL, _ = url.Parse("https://www.etsy.com/de/shop/TonwerkLina/reviews")

// pageN builds a shop reviews page of n reviews from the Etsy scraper's
// reconstructed review element, each with its own id.
func pageN(tb testing.TB, n int) []byte {
	tb.Helper()
	frag, err := os.ReadFile(fragmentFile)
	if err != nil {
		tb.Skipf("etsy testdata absent: %v", err)
	}
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html lang="de"><head><title>Bewertungen</title></head><body><ul class="reviews-list">`)
	for i := range n {
		b.WriteString(strings.Replace(string(frag), `data-review-region="4100000002"`, fmt.Sprintf(`data-review-region="%d"`, 4200000000+i), 1))
	}
	b.WriteString(`</ul></body></html>`)
	return b.Bytes()
}

func TestAnalyzeUsesPrior(t *testing.T) {
	body := pageN(t, 3)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seen := now.Add(-72 * time.Hour)
	prior := func(p review.Platform, id string) (store.Record, bool) {
		if id == "4200000001" {
			return store.Record{FirstSeen: seen, Variant: 2, State: review.Inserted}, true
		}
		return store.Record{}, false
	}
	out, err := Analyze(scrapers.Page{URL: shopURL, Body: body, Seen: now}, Options{Now: now, Prior: prior, Source: "https://src"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Platform != review.Etsy || len(out.Records) != 3 {
		t.Fatalf("Analyze = %s with %d records, want etsy with 3", out.Platform, len(out.Records))
	}
	for _, r := range out.Records {
		wantSeen, wantVariant := now, 0
		if r.Review.ID == "4200000001" {
			wantSeen, wantVariant = seen, 2
		}
		if !r.FirstSeen.Equal(wantSeen) || r.Variant != wantVariant || r.Source != "https://src" {
			t.Errorf("record %s: first seen %v variant %d source %q; want %v %d", r.Review.ID, r.FirstSeen, r.Variant, r.Source, wantSeen, wantVariant)
		}
		if r.Analysis.Kind == "" || r.Analysis.Action == "" || r.Draft.Lang == "" && r.Draft.Reply != "" {
			t.Errorf("record %s not analysed: %+v", r.Review.ID, r.Analysis)
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	tests := []struct {
		name string
		page scrapers.Page
		opt  Options
		want error
	}{
		{"unknown platform", scrapers.Page{Body: []byte("<p>")}, Options{Platform: "myspace"}, scrapers.ErrNoScraper},
		{"too large", scrapers.Page{URL: shopURL, Body: make([]byte, scrapers.MaxPageBytes+1)}, Options{}, scrapers.ErrTooLarge},
		{"not a review page", scrapers.Page{URL: shopURL, Body: []byte("<html><body><p>hi</p></body></html>")}, Options{}, nil},
	}
	for _, tt := range tests {
		_, err := Analyze(tt.page, tt.opt)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestPage100Parses(t *testing.T) {
	res, err := scrapers.Parse("", scrapers.Page{URL: shopURL, Body: pageN(t, 100)})
	if err != nil || len(res.Reviews) != 100 {
		t.Fatalf("benchmark page: %d reviews, %v; want 100", len(res.Reviews), err)
	}
}

// BenchmarkAnalyzePage100 is the whole per-page cost: parse, classify,
// draft and deadline for 100 reviews.
func BenchmarkAnalyzePage100(b *testing.B) {
	body := pageN(b, 100)
	now := time.Now()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		out, err := Analyze(scrapers.Page{URL: shopURL, Body: body, Seen: now}, Options{Now: now})
		if err != nil || len(out.Records) != 100 {
			b.Fatalf("%d records, %v", len(out.Records), err)
		}
		n++
	}
	cpu.report(b, n)
}

// BenchmarkAnalyzePage100Settings is the same page for a seller who set
// working hours in a time zone and a signature, as most will.
func BenchmarkAnalyzePage100Settings(b *testing.B) {
	body := pageN(b, 100)
	now := time.Now()
	st := review.Settings{ShopName: "Tonwerk", Signature: "Lina von Tonwerk",
		Hours: &review.WorkingHours{TimeZone: "Europe/Berlin", Start: "09:00", End: "17:00", Days: []int{1, 2, 3, 4, 5}}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		out, err := Analyze(scrapers.Page{URL: shopURL, Body: body, Seen: now}, Options{Now: now, Settings: st})
		if err != nil || len(out.Records) != 100 {
			b.Fatalf("%d records, %v", len(out.Records), err)
		}
		n++
	}
	cpu.report(b, n)
}

// BenchmarkBareParse100 is the floor: goquery building the same page's DOM.
func BenchmarkBareParse100(b *testing.B) {
	body := pageN(b, 100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		if _, err := goquery.NewDocumentFromReader(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu.report(b, n)
}

// cpuClock reads the process's CPU time (user + system, GC included). On a
// shared machine wall time per op swings with the neighbours' load; the CPU
// time the work itself takes is steadier, so the benchmarks report both.
type cpuClock time.Duration

func startCPU() cpuClock { return cpuClock(cpuNow()) }

func (c cpuClock) report(b *testing.B, n int) {
	if n > 0 {
		b.ReportMetric(float64(cpuNow()-time.Duration(c))/float64(n)/1e6, "cpu-ms/op")
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
