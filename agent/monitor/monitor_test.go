package monitor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/calmreply/calmreply/agent/monitor/fetch"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"

	_ "github.com/calmreply/calmreply/scrapers/etsy"
	_ "github.com/calmreply/calmreply/scrapers/trustedshops"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// announcer records what the monitor pushed.
type announcer struct {
	mu     sync.Mutex
	events []protocol.Event
	ch     chan struct{}
}

func newAnnouncer() *announcer { return &announcer{ch: make(chan struct{}, 100)} }

func (a *announcer) Announce(evs []protocol.Event) {
	a.mu.Lock()
	a.events = append(a.events, evs...)
	a.mu.Unlock()
	a.ch <- struct{}{}
}

// take returns the events announced since the last take.
func (a *announcer) take() []protocol.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.events
	a.events = nil
	return out
}

// tsReview is one review on the test profile page.
type tsReview struct {
	ID, Name, Date, Title, Text string
	Rating                      int
}

var profileTmpl = template.Must(template.ParseFiles(filepath.Join("testdata", "ts_profile.html.tmpl")))

// tsSite plays a Trusted Shops profile whose reviews and answers the test
// changes between polls. It answers conditional GETs by an ETag of the page.
type tsSite struct {
	*httptest.Server
	mu      sync.Mutex
	reviews []tsReview
	robots  string
	// next, when set, answers the next page request instead of the page.
	next http.HandlerFunc
	// ignoreValidators makes the page answer 200 even when unchanged.
	ignoreValidators      bool
	pageHits, notModified int
}

const profilePath = "/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html"

func newTSSite(t *testing.T, reviews ...tsReview) *tsSite {
	s := &tsSite{reviews: reviews, robots: "User-agent: *\nAllow: /\n"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *tsSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/robots.txt":
		fmt.Fprint(w, s.robots)
		return
	case profilePath:
	default:
		http.NotFound(w, r)
		return
	}
	s.pageHits++
	if h := s.next; h != nil {
		s.next = nil
		h(w, r)
		return
	}
	var buf bytes.Buffer
	if err := profileTmpl.Execute(&buf, s.reviews); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(buf.Bytes()))
	if !s.ignoreValidators && r.Header.Get("If-None-Match") == etag {
		s.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Write(buf.Bytes())
}

func (s *tsSite) set(f func(s *tsSite)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *tsSite) counts() (hits, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pageHits, s.notModified
}

// rig is a monitor over a real store in dir, with a fake clock.
type rig struct {
	t   *testing.T
	dir string
	clk *clock
	st  *store.Store
	ann *announcer
	m   *Monitor
	ext Extension
}

const interval = 15 * time.Minute

func newRig(t *testing.T, dir string, clk *clock, ext Extension) *rig {
	r := &rig{t: t, dir: dir, clk: clk, ann: newAnnouncer(), ext: ext}
	r.open()
	t.Cleanup(r.close)
	return r
}

func (r *rig) open() {
	st, err := store.Open(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	r.st = st
	f := fetch.New(fetch.Options{AllowLoopback: true, Now: r.clk.Now, Version: "test"})
	r.m = New(st, r.ext, r.ann, Options{Interval: interval, Now: r.clk.Now, Fetch: f})
}

func (r *rig) close() {
	if r.st != nil {
		r.m.opt.Fetch.Close()
		if err := r.st.Close(); err != nil {
			r.t.Error(err)
		}
		r.st = nil
	}
}

// restart closes and reopens the store and the monitor, as an agent restart
// would.
func (r *rig) restart() {
	r.close()
	r.open()
}

func (r *rig) source(url string) store.Source {
	r.t.Helper()
	srcs, err := r.st.Sources()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, s := range srcs {
		if s.URL == url {
			return s
		}
	}
	r.t.Fatalf("source %s not stored", url)
	return store.Source{}
}

// pollAt moves the clock to t and polls once.
func (r *rig) pollAt(t time.Time) {
	r.t.Helper()
	r.clk.Set(t)
	if _, err := r.m.Poll(context.Background()); err != nil {
		r.t.Fatalf("Poll: %v", err)
	}
}

// pollDue moves the clock to the source's next run and polls.
func (r *rig) pollDue(url string) {
	r.t.Helper()
	next := r.source(url).NextRun
	if next == nil {
		r.t.Fatalf("source %s has no next run", url)
	}
	r.pollAt(*next)
}

func (r *rig) add(src store.Source) {
	r.t.Helper()
	if err := r.st.PutSource(src); err != nil {
		r.t.Fatal(err)
	}
}

// kinds renders events as "kind:review-id" (or "kind:error") for comparing.
func kinds(evs []protocol.Event) []string {
	out := []string{}
	for _, e := range evs {
		switch {
		case e.Review != nil:
			out = append(out, e.Kind+":"+e.Review.Review.ID)
		default:
			out = append(out, e.Kind+":"+e.Error)
		}
	}
	return out
}

func equal(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }

func rating(n int) *int { return &n }

var (
	revA = tsReview{ID: "rev-a", Name: "Jana K.", Date: "2026-11-01", Rating: 5, Title: "Prima", Text: "Die Lieferung war schnell und alles war gut verpackt."}
	revB = tsReview{ID: "rev-b", Name: "Tom S.", Date: "2026-11-10", Rating: 3, Title: "Geht so", Text: "Die Farbe ist etwas anders als auf dem Foto."}
	revC = tsReview{ID: "rev-c", Name: "Ute M.", Date: "2026-11-20", Rating: 1, Title: "Kaputt", Text: "Der Becher kam zerbrochen an und niemand antwortet."}
	revD = tsReview{ID: "rev-d", Name: "Eva L.", Date: "2026-11-22", Rating: 4, Title: "Gut", Text: "Schöne Ware, die Lieferung dauerte aber eine Woche."}
)

// TestTrustedShopsProfile is issue 6's "Done when": a profile that changes
// between polls, with new and edited reviews, 304, 429 with Retry-After,
// 500 and a restart; it checks what is stored, announced and retried.
func TestTrustedShopsProfile(t *testing.T) {
	site := newTSSite(t, revA, revB)
	clk := newClock()
	r := newRig(t, t.TempDir(), clk, nil)
	url := site.URL + profilePath
	r.add(store.Source{URL: url, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})
	var announced []protocol.Event

	step := func(name string, wantEvents ...string) store.Source {
		t.Helper()
		got := r.ann.take()
		announced = append(announced, got...)
		if !equal(kinds(got), wantEvents) {
			t.Errorf("%s: announced %v, want %v", name, kinds(got), wantEvents)
		}
		return r.source(url)
	}

	// 1. First poll: both reviews are new, stored and announced.
	r.pollAt(clk.Now())
	src := step("first poll", "new_review:rev-a", "new_review:rev-b")
	if src.LastSuccess == nil || !src.LastSuccess.Equal(clk.Now()) || src.LastError != "" || src.ETag == "" {
		t.Errorf("after first poll: %+v, want a success with an ETag", src)
	}
	if lo, hi := clk.Now().Add(interval*9/10), clk.Now().Add(interval*11/10); src.NextRun.Before(lo) || src.NextRun.After(hi) {
		t.Errorf("next run %s, want within the interval ±10%% (%s..%s)", src.NextRun, lo, hi)
	}
	for _, id := range []string{"rev-a", "rev-b"} {
		rec, err := r.st.Get(review.TrustedShops, id)
		if err != nil {
			t.Fatalf("review %s not stored: %v", id, err)
		}
		if rec.Source != url || rec.Analysis.Kind == "" {
			t.Errorf("stored %s: source %q kind %q, want the source URL and an analysis", id, rec.Source, rec.Analysis.Kind)
		}
	}

	// 2. Unchanged page: the conditional GET gets a 304; nothing announced.
	r.pollDue(url)
	src = step("304")
	if _, nm := site.counts(); nm != 1 {
		t.Errorf("304 answers = %d, want 1", nm)
	}
	if !src.LastSuccess.Equal(clk.Now()) {
		t.Errorf("a 304 is a success: last success %s, want %s", src.LastSuccess, clk.Now())
	}

	// 3. A new review and an edited one: one new, one update.
	site.set(func(s *tsSite) {
		b := revB
		b.Rating, b.Text = 2, "Die Farbe ist anders als auf dem Foto, und der Umtausch dauert."
		s.reviews = []tsReview{revA, b, revC}
	})
	r.pollDue(url)
	step("new and edited", "updated_review:rev-b", "new_review:rev-c")
	if rec, _ := r.st.Get(review.TrustedShops, "rev-b"); rec.Review.Rating == nil || *rec.Review.Rating != 2 {
		t.Errorf("edited review stored with rating %v, want 2", rec.Review.Rating)
	}

	// 4. 429 with Retry-After: the source waits at least that long.
	site.set(func(s *tsSite) {
		s.next = func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "7200")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	r.pollDue(url)
	src = step("429")
	if !strings.Contains(src.LastError, "HTTP 429") || src.Failures != 1 {
		t.Errorf("after 429: error %q failures %d, want HTTP 429 in words and 1 failure", src.LastError, src.Failures)
	}
	if min := clk.Now().Add(2 * time.Hour); src.NextRun.Before(min) {
		t.Errorf("after 429 next run %s, want at or after %s (Retry-After)", src.NextRun, min)
	}
	hits, _ := site.counts()
	r.pollAt(clk.Now().Add(time.Hour)) // not due yet: no request
	if h, _ := site.counts(); h != hits {
		t.Errorf("page requested during Retry-After (%d requests, want %d)", h, hits)
	}

	// 5. 500: backoff grows, nothing announced, the state says why.
	site.set(func(s *tsSite) { s.next = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) } })
	before := *r.source(url).NextRun
	r.pollDue(url)
	src = step("500")
	if !strings.Contains(src.LastError, "HTTP 500") || src.Failures != 2 {
		t.Errorf("after 500: error %q failures %d, want HTTP 500 in words and 2 failures", src.LastError, src.Failures)
	}
	// Second failure: Backoff(interval, 2) lies in [interval, 2*interval].
	if d := src.NextRun.Sub(before); d < interval || d > 2*interval {
		t.Errorf("after the second failure the source waits %s, want %s..%s", d, interval, 2*interval)
	}

	// 6. Recovered, unchanged since step 3: 304, error cleared.
	r.pollDue(url)
	src = step("recovered")
	if src.LastError != "" || src.Failures != 0 || !src.LastSuccess.Equal(clk.Now()) {
		t.Errorf("after recovery: %+v, want no error, no failures, a success now", src)
	}

	// 7. Restart: the same page in full (no 304) announces nothing again;
	// a review added meanwhile is announced once.
	r.restart()
	site.set(func(s *tsSite) { s.ignoreValidators = true })
	r.pollDue(url)
	step("restart, same page")
	site.set(func(s *tsSite) { s.reviews = append(s.reviews, revD) })
	r.pollDue(url)
	step("restart, new review", "new_review:rev-d")

	// The event log holds exactly what was announced, in order, each once.
	log, err := r.st.EventsAfter(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(kinds(log), kinds(announced)) {
		t.Errorf("event log %v, announced %v: want the same", kinds(log), kinds(announced))
	}
	for i := 1; i < len(log); i++ {
		if log[i].Seq <= log[i-1].Seq {
			t.Errorf("event seqs not increasing: %d after %d", log[i].Seq, log[i-1].Seq)
		}
	}
	for _, ev := range announced {
		if ev.Seq == 0 {
			t.Errorf("announced event without a seq: %+v", ev)
		}
	}
}

// TestRobotsDisallow: a profile the site's robots.txt forbids is never
// fetched; the state says why, and the source_error event comes once.
func TestRobotsDisallow(t *testing.T) {
	site := newTSSite(t, revA)
	site.set(func(s *tsSite) { s.robots = "User-agent: *\nDisallow: /bewertung/\n" })
	clk := newClock()
	r := newRig(t, t.TempDir(), clk, nil)
	url := site.URL + profilePath
	r.add(store.Source{URL: url, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})

	r.pollAt(clk.Now())
	r.pollDue(url)
	if hits, _ := site.counts(); hits != 0 {
		t.Errorf("page requested %d times, want 0 (robots.txt disallows it)", hits)
	}
	src := r.source(url)
	if !strings.Contains(src.LastError, "robots.txt") || src.LastSuccess != nil {
		t.Errorf("state %+v, want robots.txt named in the last error and no success", src)
	}
	if got := kinds(r.ann.take()); len(got) != 1 || !strings.HasPrefix(got[0], "source_error:") {
		t.Errorf("announced %v, want one source_error for two polls", got)
	}
	if _, err := r.st.Get(review.TrustedShops, "rev-a"); err == nil {
		t.Error("a review was stored from a page robots.txt forbids")
	}
}

// TestParseError: a page the scraper no longer understands is stored as an
// error in words with its code, announced once, and keeps being retried.
func TestParseError(t *testing.T) {
	site := newTSSite(t)
	site.set(func(s *tsSite) {
		s.ignoreValidators = true
		s.next = func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `<html lang="de"><body><div class="totally-new-layout">Bewertungen</div><p>4,8 von 5</p></body></html>`)
		}
	})
	clk := newClock()
	r := newRig(t, t.TempDir(), clk, nil)
	url := site.URL + profilePath
	r.add(store.Source{URL: url, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})
	r.pollAt(clk.Now())
	src := r.source(url)
	const want = "calmreply does not understand this page any more (MARKUP_CHANGED)"
	if src.LastError != want || src.ETag != "" {
		t.Errorf("state %+v, want last error %q and no ETag kept", src, want)
	}
	got := r.ann.take()
	if len(got) != 1 || got[0].Kind != protocol.EventSourceError || got[0].Source != url || got[0].Error != want {
		t.Errorf("announced %+v, want one source_error for %s", got, url)
	}
}

// extension stands in for the server's FetchViaExtension: the seam where the
// browser extension loads a page in the seller's session.
type extension struct {
	mu     sync.Mutex
	result protocol.FetchResult
	err    error
	asked  []string
}

func (e *extension) FetchViaExtension(ctx context.Context, url string) (protocol.FetchResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.asked = append(e.asked, url)
	return e.result, e.err
}

func TestExtensionSources(t *testing.T) {
	etsyPage, err := readFile(filepath.Join("..", "..", "scrapers", "etsy", "testdata", "shop_reviews_de.html"))
	if err != nil {
		t.Skip("etsy testdata absent: ", err)
	}
	const url = "https://www.etsy.com/shop/TestShop"
	clk := newClock()
	// The server has its own sentinel; Options.NoExtension names it.
	serverSentinel := errors.New("no extension connected")
	ext := &extension{err: serverSentinel}
	r := newRig(t, t.TempDir(), clk, ext)
	r.m.opt.NoExtension = serverSentinel
	r.add(store.Source{URL: url, Platform: review.Etsy, Fetcher: ByExtension, Added: clk.Now()})

	// No extension connected: the state says so; no backoff, no event.
	r.pollAt(clk.Now())
	src := r.source(url)
	if src.LastError != "waiting for the browser extension (open the browser)" || src.Failures != 0 {
		t.Errorf("no extension: state %+v", src)
	}
	if got := r.ann.take(); len(got) != 0 {
		t.Errorf("no extension: announced %v, want nothing", kinds(got))
	}

	// The extension cannot load the page in the background.
	ext.mu.Lock()
	ext.err, ext.result = nil, protocol.FetchResult{URL: url, Error: "open this page once"}
	ext.mu.Unlock()
	r.pollDue(url)
	src = r.source(url)
	if !strings.Contains(src.LastError, "open this page once") {
		t.Errorf("extension error: last error %q, want the extension's words", src.LastError)
	}
	if got := r.ann.take(); len(got) != 1 || got[0].Kind != protocol.EventSourceError {
		t.Errorf("extension error: announced %v, want one source_error", kinds(got))
	}

	// The extension loads it: the reviews are parsed by the Etsy scraper.
	ext.mu.Lock()
	ext.result = protocol.FetchResult{URL: url, Status: 200, HTML: string(etsyPage)}
	ext.mu.Unlock()
	r.pollDue(url)
	src = r.source(url)
	got := r.ann.take()
	if src.LastError != "" || len(got) == 0 {
		t.Fatalf("extension page: state %+v, announced %v; want reviews", src, kinds(got))
	}
	for _, ev := range got {
		if ev.Kind != protocol.EventNewReview || ev.Review.Review.Platform != review.Etsy {
			t.Errorf("announced %s for %s, want new Etsy reviews", ev.Kind, ev.Review.Review.Platform)
		}
	}
	r.pollDue(url)
	if again := r.ann.take(); len(again) != 0 {
		t.Errorf("the same page again announced %v, want nothing", kinds(again))
	}
	if len(ext.asked) != 4 {
		t.Errorf("extension asked %d times, want 4", len(ext.asked))
	}
}

// TestRun: Run polls at once, Wake brings a new source in without waiting
// for the interval, and cancelling the context stops it cleanly.
func TestRun(t *testing.T) {
	site := newTSSite(t, revA)
	clk := newClock()
	r := newRig(t, t.TempDir(), clk, nil)
	r.add(store.Source{URL: site.URL + profilePath, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.m.Run(ctx) }()
	<-r.ann.ch
	if got := kinds(r.ann.take()); !equal(got, []string{"new_review:rev-a"}) {
		t.Errorf("first run announced %v", got)
	}

	other := newTSSite(t, revC)
	r.add(store.Source{URL: other.URL + profilePath, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})
	r.m.Wake()
	<-r.ann.ch
	if got := kinds(r.ann.take()); !equal(got, []string{"new_review:rev-c"}) {
		t.Errorf("after Wake announced %v", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// panicky is a scraper that crashes, standing for a parser bug that a
// hostile page triggers.
type panicky struct{ scrapers.Scraper }

func (panicky) Platform() review.Platform                    { return "monitor-test-panic" }
func (panicky) Parse(scrapers.Page) (scrapers.Result, error) { panic("boom") }

func init() { scrapers.Register(panicky{}) }

// TestPanicBecomesSourceError: a crash while reading one page is that
// source's error; the monitor and the other sources go on.
func TestPanicBecomesSourceError(t *testing.T) {
	good := newTSSite(t, revA)
	bad := newTSSite(t, revB)
	clk := newClock()
	r := newRig(t, t.TempDir(), clk, nil)
	r.add(store.Source{URL: bad.URL + profilePath, Platform: "monitor-test-panic", Fetcher: ByAgent, Added: clk.Now()})
	r.add(store.Source{URL: good.URL + profilePath, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})
	r.pollAt(clk.Now())
	if src := r.source(bad.URL + profilePath); !strings.Contains(src.LastError, "(INTERNAL)") {
		t.Errorf("crashing source: last error %q, want an INTERNAL error in words", src.LastError)
	}
	if _, err := r.st.Get(review.TrustedShops, "rev-a"); err != nil {
		t.Errorf("the healthy source's review was not stored: %v", err)
	}
}

// updatingStore adds UpdateSource to the real store, as the store may offer
// it, written here with the store's own methods.
type updatingStore struct{ *store.Store }

func (u updatingStore) UpdateSource(url string, fn func(*store.Source)) error {
	srcs, err := u.Sources()
	if err != nil {
		return err
	}
	for _, s := range srcs {
		if s.URL == url {
			fn(&s)
			return u.PutSource(s)
		}
	}
	return store.ErrNotFound
}

// TestRemovedWhilePolled: a source the seller removes while its page is
// being fetched stays removed, given a store with UpdateSource.
func TestRemovedWhilePolled(t *testing.T) {
	clk := newClock()
	r := newRig(t, t.TempDir(), clk, nil)
	r.m.st = updatingStore{r.st}
	site := newTSSite(t, revA)
	url := site.URL + profilePath
	site.set(func(s *tsSite) {
		s.next = func(w http.ResponseWriter, _ *http.Request) {
			if err := r.st.DeleteSource(url); err != nil {
				t.Error(err)
			}
			w.WriteHeader(http.StatusNotFound)
		}
	})
	r.add(store.Source{URL: url, Platform: review.TrustedShops, Fetcher: ByAgent, Added: clk.Now()})
	r.pollAt(clk.Now())
	srcs, err := r.st.Sources()
	if err != nil || len(srcs) != 0 {
		t.Errorf("sources after removal during the poll: %v (%v), want none", srcs, err)
	}
}
