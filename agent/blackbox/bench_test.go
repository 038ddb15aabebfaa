package blackbox

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/calmreply/calmreply/shared/protocol"
)

// BenchmarkAgentFootprint measures the real agent process: its resident
// memory after start, after the first page (every lexicon loaded), right
// after storing 100,000 reviews through the WebSocket and 15 s later, after
// a restart on the full store and after an inbox and a stats request (each
// reads every stored review), and its start-up time on an
// empty store and on the full one. It is one measurement, not a loop: run it
// with -benchtime=1x (scripts/bench does). CALMREPLY_BENCH_REVIEWS changes
// the 100,000.
func BenchmarkAgentFootprint(b *testing.B) {
	n := 100000
	if s := os.Getenv("CALMREPLY_BENCH_REVIEWS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1000 {
			b.Fatalf("CALMREPLY_BENCH_REVIEWS=%q: want a number >= 1000", s)
		}
	}
	html := etsyFragment(b)
	data := b.TempDir()

	start := time.Now()
	p := startAgent(b, data)
	upEmpty := ready(b, p, start)
	rssStart := p.rssKB(b)
	c, token := p.pair(b)
	c.usable(html, "8000000000")
	rssLoaded := p.rssKB(b)
	// A connection that reads nothing would stall every announcement once
	// its queue fills; the extension always reads, so this one goes.
	c.ws.Close()

	// Two writers, as two tabs would, 100 reviews per page.
	const batch, writers = 100, 2
	ingestStart := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wc, err := authClient(p.Addr, token, pinnedOrigin, nil)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wc.ws.Close()
			for first := w * batch; first < n; first += writers * batch {
				ids := make([]string, 0, batch)
				for i := first; i < min(first+batch, n); i++ {
					ids = append(ids, strconv.Itoa(8000000001+i))
				}
				if _, err := wc.analyze(reviewItems(html, ids...)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	ingest := time.Since(ingestStart)
	rssStored, anonStored, fileStored := p.rssKB(b), p.status(b, "RssAnon:"), p.status(b, "RssFile:")
	// Badger's flushes and compactions hold table-building buffers while
	// they run; after a pause the agent should be back near its base.
	time.Sleep(15 * time.Second)
	rssIdle, anonIdle := p.rssKB(b), p.status(b, "RssAnon:")
	p.stop()

	start = time.Now()
	p = startAgent(b, data)
	upFull := ready(b, p, start)
	rssRestart := p.rssKB(b)
	c = p.auth(b, token, pinnedOrigin)
	if c.Hello.LastSeq < uint64(n) {
		b.Fatalf("after the restart last_seq is %d, want >= %d", c.Hello.LastSeq, n)
	}
	c.usable(html, "8000000000")
	rssRestartLoaded := p.rssKB(b)
	// The inbox and the stats read every stored review on each request.
	inboxStart := time.Now()
	if m, _, err := c.call(protocol.TypeListInbox, protocol.InboxQuery{Limit: 50}); err != nil || m.Type != protocol.TypeInbox {
		b.Fatalf("list_inbox: %s %v", m.Type, err)
	}
	inbox := time.Since(inboxStart)
	rssInbox, anonInbox := p.rssKB(b), p.status(b, "RssAnon:")
	statsStart := time.Now()
	if m, _, err := c.call(protocol.TypeGetStats, protocol.Empty{}); err != nil || m.Type != protocol.TypeStats {
		b.Fatalf("get_stats: %s %v", m.Type, err)
	}
	stats := time.Since(statsStart)
	rssStats, anonStats := p.rssKB(b), p.status(b, "RssAnon:")

	mb := func(kb int) float64 { return float64(kb) / 1024 }
	b.ReportMetric(mb(rssStart), "rss-start-MB")
	b.ReportMetric(mb(rssLoaded), "rss-loaded-MB")
	b.ReportMetric(mb(rssStored), "rss-stored-MB")
	b.ReportMetric(mb(anonStored), "rss-stored-anon-MB")
	b.ReportMetric(mb(fileStored), "rss-stored-file-MB")
	b.ReportMetric(mb(rssIdle), "rss-idle-MB")
	b.ReportMetric(mb(anonIdle), "rss-idle-anon-MB")
	b.ReportMetric(mb(rssRestartLoaded), "rss-restart-MB")
	b.ReportMetric(mb(rssInbox), "rss-inbox-MB")
	b.ReportMetric(mb(rssStats), "rss-stats-MB")
	b.ReportMetric(float64(inbox.Milliseconds()), "inbox-ms")
	b.ReportMetric(float64(stats.Milliseconds()), "stats-ms")
	b.ReportMetric(float64(n), "reviews")
	b.ReportMetric(float64(n)/ingest.Seconds(), "ingest-reviews/s")
	b.ReportMetric(float64(upEmpty.Milliseconds()), "start-empty-ms")
	b.ReportMetric(float64(upFull.Milliseconds()), "start-full-ms")
	b.Logf("RSS start %.0f MB, loaded %.0f MB, %d stored %.0f MB (anon %.0f, file %.0f), 15 s later %.0f MB (anon %.0f), restarted %.0f/%.0f MB; start %v empty, %v full; ingest %v; inbox %v (RSS %.0f MB, anon %.0f), stats %v (RSS %.0f MB, anon %.0f)",
		mb(rssStart), mb(rssLoaded), n, mb(rssStored), mb(anonStored), mb(fileStored), mb(rssIdle), mb(anonIdle), mb(rssRestart), mb(rssRestartLoaded), upEmpty, upFull, ingest,
		inbox, mb(rssInbox), mb(anonInbox), stats, mb(rssStats), mb(anonStats))
}

// ready waits until the agent answers /healthz and returns the time since
// start.
func ready(b testing.TB, p *proc, start time.Time) time.Duration {
	b.Helper()
	cl := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		resp, err := cl.Get("http://" + p.Addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start)
			}
		}
	}
	b.Fatal(fmt.Errorf("agent on %s did not answer /healthz within 60 s", p.Addr))
	return 0
}
