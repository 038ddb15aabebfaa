package monitor

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/calmreply/calmreply/agent/monitor/fetch"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/review"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPollCycle304 is one poll cycle over 1,000 agent-fetched sources
// whose pages have not changed (every one answers 304), spread over 10
// local hosts. cpu-s/cycle is the whole process's CPU time per cycle, so it
// includes the test servers answering: an upper bound for the agent's cost.
// Issue 6's target: under 1 CPU-second per cycle.
func BenchmarkPollCycle304(b *testing.B) {
	const sources, hosts = 1000, 10
	var servers []*httptest.Server
	for range hosts {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/robots.txt":
				http.NotFound(w, r)
			case r.Header.Get("If-None-Match") == `"v1"`:
				w.WriteHeader(http.StatusNotModified)
			default:
				w.Header().Set("ETag", `"v1"`)
				fmt.Fprint(w, "<html></html>")
			}
		}))
		defer s.Close()
		servers = append(servers, s)
	}
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	clk := newClock()
	for i := range sources {
		url := fmt.Sprintf("%s/bewertung/info_%04d.html", servers[i%hosts].URL, i)
		src := store.Source{URL: url, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now(), ETag: `"v1"`}
		if err := st.PutSource(src); err != nil {
			b.Fatal(err)
		}
	}
	f := fetch.New(fetch.Options{AllowLoopback: true, Now: clk.Now})
	defer f.Close()
	m := New(st, nil, nil, Options{Now: clk.Now, Fetch: f, Concurrency: hosts})
	cycle := func() {
		clk.Set(clk.Now().Add(24 * time.Hour)) // every source is due
		if _, err := m.Poll(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	cycle() // warm up: robots.txt, connections
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for range b.N {
		cycle()
	}
	b.StopTimer()
	b.ReportMetric((cpuTime(b)-start).Seconds()/float64(b.N), "cpu-s/cycle")
	srcs, err := st.Sources()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range srcs {
		if s.LastError != "" || s.LastSuccess == nil || !s.LastSuccess.Equal(clk.Now()) {
			b.Fatalf("source %s after the cycle: %+v, want a 304 success", s.URL, s)
		}
	}
}

// BenchmarkMemoryReviews stores 10,000 reviews through the monitor (100
// Trusted Shops profiles of 100 reviews each, parsed, analysed, drafted and
// saved) and reports the live heap after 1,000, 5,000 and 10,000 reviews.
// The monitor keeps nothing per review; what moves is Badger's: memtables,
// and the table builders' buffer pool that appears with its first
// compaction (a step between 2k and 3k reviews here) and stays, and buffers
// of a compaction running when the heap is read. Run with -benchtime=1x.
func BenchmarkMemoryReviews(b *testing.B) {
	const profiles, perPage = 100, 100
	pages := make([][]byte, profiles)
	for p := range profiles {
		revs := make([]tsReview, perPage)
		for i := range revs {
			revs[i] = tsReview{
				ID: fmt.Sprintf("rev-%03d-%03d", p, i), Name: "Kunde", Date: "2026-11-01", Rating: 1 + i%5,
				Title: "Bestellung", Text: fmt.Sprintf("Lieferung Nummer %d kam nach %d Tagen, die Ware war in Ordnung.", i, 1+i%9),
			}
		}
		var buf bytes.Buffer
		if err := profileTmpl.Execute(&buf, revs); err != nil {
			b.Fatal(err)
		}
		pages[p] = buf.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p int
		if _, err := fmt.Sscanf(r.URL.Path, "/bewertung/info_%d.html", &p); err != nil || p < 0 || p >= profiles {
			http.NotFound(w, r)
			return
		}
		w.Write(pages[p])
	}))
	defer srv.Close()

	heap := func() float64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	var at1k, at5k, at10k float64
	for range b.N {
		st, err := store.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		clk := newClock()
		f := fetch.New(fetch.Options{AllowLoopback: true, Now: clk.Now})
		m := New(st, nil, nil, Options{Now: clk.Now, Fetch: f})
		for p := range profiles {
			url := fmt.Sprintf("%s/bewertung/info_%d.html", srv.URL, p)
			if err := st.PutSource(store.Source{URL: url, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()}); err != nil {
				b.Fatal(err)
			}
			if _, err := m.Poll(context.Background()); err != nil {
				b.Fatal(err)
			}
			if (p+1)%(profiles/10) == 0 {
				h := heap()
				b.Logf("%5d reviews: heap %.1f MB", (p+1)*perPage, h)
				switch p + 1 {
				case profiles / 10:
					at1k = h
				case profiles / 2:
					at5k = h
				case profiles:
					at10k = h
				}
			}
		}
		n := 0
		if err := st.List(func(store.Record) bool { n++; return true }); err != nil {
			b.Fatal(err)
		}
		if n != profiles*perPage {
			b.Fatalf("stored %d reviews, want %d", n, profiles*perPage)
		}
		f.Close()
		st.Close()
	}
	b.ReportMetric(at1k, "heap-MB@1k")
	b.ReportMetric(at5k, "heap-MB@5k")
	b.ReportMetric(at10k, "heap-MB@10k")
}
