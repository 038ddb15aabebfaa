// Package monitor watches the seller's review pages in the background: one
// scheduler for every source, fetching pages the agent may read itself with
// the polite fetcher and asking the browser extension for pages behind a
// login or bot protection, parsing both with the same scrapers, saving new
// and edited reviews before announcing them, and keeping each source's state
// (last success, next run, last error in words) where the seller can see it.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sync"
	"time"

	"github.com/calmreply/calmreply/agent/monitor/fetch"
	"github.com/calmreply/calmreply/agent/pipeline"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"
)

// Store is what the monitor needs of agent/store; *store.Store satisfies it.
type Store interface {
	Sources() ([]store.Source, error)
	PutSource(store.Source) error
	Get(p review.Platform, id string) (store.Record, error)
	Settings() (review.Settings, error)
	// Save upserts records and returns an event for each new or changed
	// review, written in the same transaction.
	Save(recs []store.Record) ([]protocol.Event, error)
	AppendEvent(protocol.Event) (protocol.Event, error)
}

// Extension loads a page in the seller's own browser session. It returns an
// error wrapping ErrNoExtension when no extension is connected.
type Extension interface {
	FetchViaExtension(ctx context.Context, url string) (protocol.FetchResult, error)
}

// Announcer pushes stored events to every connected extension.
type Announcer interface {
	Announce([]protocol.Event)
}

// ErrNoExtension is what an Extension returns (wrapped) when no browser
// extension is connected to fetch a page.
var ErrNoExtension = errors.New("no browser extension connected")

// Fetchers: who loads a source's page.
const (
	ByAgent     = "agent"
	ByExtension = "extension"
)

// FetcherFor says who fetches a platform's pages: the agent reads Trusted
// Shops' public profiles itself; Etsy and Google sit behind bot protection
// or a login, so the seller's browser loads them.
func FetcherFor(p review.Platform) string {
	if p == review.TrustedShops {
		return ByAgent
	}
	return ByExtension
}

// Options tune the scheduler. Zero values take the defaults.
type Options struct {
	// Interval between polls of a healthy source (default 15 minutes),
	// spread by ±Jitter (a fraction, default 0.1).
	Interval time.Duration
	Jitter   float64
	// MaxBackoff caps the pause after repeated failures (default 6 hours).
	MaxBackoff time.Duration
	// Concurrency bounds sources polled at once (default 4). The fetcher
	// still sends only one request at a time to each host.
	Concurrency int
	// ExtensionTimeout bounds one page load by the extension (default 2
	// minutes).
	ExtensionTimeout time.Duration
	// NoExtension is the error the Extension returns (wrapped or not) when
	// no extension is connected, e.g. server.ErrNoExtension; ErrNoExtension
	// is always recognised.
	NoExtension error
	// Fetch is the agent's own fetcher (default fetch.New with Version).
	Fetch   *fetch.Client
	Version string
	// Now is the clock (tests pass a fake one).
	Now func() time.Time
	// Logf reports store failures that have nowhere else to go.
	Logf func(format string, args ...any)
}

// Monitor is the scheduler. Run it once; Wake and Poll are safe to call
// from other goroutines.
type Monitor struct {
	st   Store
	ext  Extension
	ann  Announcer
	opt  Options
	wake chan struct{}
	// poll serialises Poll, so Run and a test or Wake never poll the same
	// source twice at once.
	poll sync.Mutex
}

// New builds a Monitor. ext may be nil (no extension fetching), ann may be
// nil (events only go to the store's log, for catch_up).
func New(st Store, ext Extension, ann Announcer, opt Options) *Monitor {
	if opt.Interval <= 0 {
		opt.Interval = 15 * time.Minute
	}
	if opt.Jitter <= 0 || opt.Jitter >= 1 {
		opt.Jitter = 0.1
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 6 * time.Hour
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.ExtensionTimeout <= 0 {
		opt.ExtensionTimeout = 2 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Fetch == nil {
		opt.Fetch = fetch.New(fetch.Options{Version: opt.Version, Now: opt.Now})
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	return &Monitor{st: st, ext: ext, ann: ann, opt: opt, wake: make(chan struct{}, 1)}
}

// Wake asks Run to look at the sources now: a source was added, or an
// extension connected.
func (m *Monitor) Wake() {
	select {
	case m.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// minSleep keeps Run from spinning when sources stay due.
const minSleep = time.Second

// Run polls due sources until ctx ends, sleeping until the next source is
// due or Wake is called. It returns nil when ctx ends.
func (m *Monitor) Run(ctx context.Context) error {
	defer m.opt.Fetch.Close()
	for {
		next, err := m.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			m.opt.Logf("monitor: %v", err)
		}
		d := m.opt.Interval
		if !next.IsZero() {
			d = min(max(next.Sub(m.opt.Now()), minSleep), m.opt.Interval)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-m.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Poll runs every due source once, at most Concurrency at a time, and
// returns when all are done, with the earliest next run of any source (zero
// when there are none).
func (m *Monitor) Poll(ctx context.Context) (time.Time, error) {
	m.poll.Lock()
	defer m.poll.Unlock()
	srcs, err := m.st.Sources()
	if err != nil {
		return time.Time{}, err
	}
	settings, err := m.st.Settings()
	if err != nil {
		return time.Time{}, err
	}
	now := m.opt.Now()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next time.Time
		sem  = make(chan struct{}, m.opt.Concurrency)
	)
	earliest := func(t *time.Time) {
		if t == nil {
			return
		}
		mu.Lock()
		if next.IsZero() || t.Before(next) {
			next = *t
		}
		mu.Unlock()
	}
	for _, src := range srcs {
		if src.NextRun != nil && src.NextRun.After(now) {
			earliest(src.NextRun)
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return next, ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			earliest(m.runSource(ctx, src, settings))
		})
	}
	wg.Wait()
	return next, ctx.Err()
}

// runSource polls one source, saves what is new, announces it and records
// the source's state. It returns the source's next run.
func (m *Monitor) runSource(ctx context.Context, src store.Source, settings review.Settings) *time.Time {
	if src.Fetcher == "" {
		src.Fetcher = FetcherFor(src.Platform)
	}
	now := m.opt.Now()
	src.LastAttempt = &now
	var (
		p      *problem
		events []protocol.Event
	)
	page, validators, err := m.load(ctx, src)
	if ctx.Err() != nil {
		return src.NextRun // stopping: record nothing half done
	}
	switch {
	case err != nil:
		p = describe(err, now)
	case page == nil: // 304: nothing changed; keep the validators the server sent
		src.ETag, src.LastModified = validators.ETag, validators.LastModified
	default:
		events, err = m.ingest(src, *page, settings, now)
		if err != nil {
			p = describe(err, now)
		} else {
			// Only now, with the reviews saved, may the validators move on:
			// a 304 must never hide reviews that failed to save.
			src.ETag, src.LastModified = validators.ETag, validators.LastModified
		}
	}
	if p == nil {
		src.LastSuccess = &now
		src.LastError = ""
		src.Failures = 0
		src.NextRun = ptr(now.Add(m.jitter(m.opt.Interval)))
	} else {
		if p.lasting && p.words != src.LastError {
			ev, err := m.st.AppendEvent(protocol.Event{Kind: protocol.EventSourceError, At: now, Source: src.URL, Error: p.words})
			if err != nil {
				m.opt.Logf("monitor: %s: %v", src.URL, err)
			} else {
				events = append(events, ev)
			}
		}
		src.LastError = p.words
		src.NextRun = ptr(m.nextAfter(&src, p, now))
	}
	if err := m.saveState(src); err != nil {
		m.opt.Logf("monitor: %s: saving its state: %v", src.URL, err)
	}
	if len(events) > 0 && m.ann != nil {
		m.ann.Announce(events)
	}
	return src.NextRun
}

// SourceUpdater is an optional Store method: change a source only while it
// is still watched (ErrNotFound otherwise), in one transaction. Without it
// the monitor writes the whole source back, and a source removed during its
// poll could come back.
type SourceUpdater interface {
	UpdateSource(url string, fn func(*store.Source)) error
}

// saveState records a polled source's state.
func (m *Monitor) saveState(src store.Source) error {
	u, ok := m.st.(SourceUpdater)
	if !ok {
		return m.st.PutSource(src)
	}
	err := u.UpdateSource(src.URL, func(cur *store.Source) {
		cur.LastSuccess, cur.LastAttempt, cur.NextRun = src.LastSuccess, src.LastAttempt, src.NextRun
		cur.LastError, cur.Failures = src.LastError, src.Failures
		cur.ETag, cur.LastModified = src.ETag, src.LastModified
		if cur.Fetcher == "" {
			cur.Fetcher = src.Fetcher
		}
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // removed while it was polled: stay removed
	}
	return err
}

// nextAfter is when a source that hit a problem runs again.
func (m *Monitor) nextAfter(src *store.Source, p *problem, now time.Time) time.Time {
	switch {
	case !p.hostUntil.IsZero():
		// The host rests because of another source; this one did nothing wrong.
		return p.hostUntil.Add(m.jitter(time.Second) + time.Second)
	case p.waiting:
		return now.Add(m.jitter(m.opt.Interval))
	}
	src.Failures++
	d := fetch.Backoff(m.opt.Interval, m.opt.MaxBackoff, src.Failures)
	return now.Add(max(d, p.retryAfter))
}

// jitter spreads d by ±Jitter so sources added together do not poll together.
func (m *Monitor) jitter(d time.Duration) time.Duration {
	f := 1 + m.opt.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}

// load fetches a source's page. It returns a nil page when the page has not
// changed since the last fetch (304).
func (m *Monitor) load(ctx context.Context, src store.Source) (*scrapers.Page, fetch.Response, error) {
	u, err := url.Parse(src.URL)
	if err != nil {
		return nil, fetch.Response{}, err
	}
	now := m.opt.Now()
	if src.Fetcher == ByAgent {
		resp, err := m.opt.Fetch.Get(ctx, fetch.Request{URL: src.URL, ETag: src.ETag, LastModified: src.LastModified})
		if err != nil || resp.NotModified {
			return nil, resp, err
		}
		return &scrapers.Page{URL: u, Body: resp.Body, Seen: now}, resp, nil
	}
	if m.ext == nil {
		return nil, fetch.Response{}, ErrNoExtension
	}
	ctx, cancel := context.WithTimeout(ctx, m.opt.ExtensionTimeout)
	defer cancel()
	res, err := m.ext.FetchViaExtension(ctx, src.URL)
	if m.opt.NoExtension != nil && errors.Is(err, m.opt.NoExtension) {
		return nil, fetch.Response{}, fmt.Errorf("%w: %v", ErrNoExtension, err)
	}
	if err != nil {
		return nil, fetch.Response{}, err
	}
	if res.Error != "" {
		return nil, fetch.Response{}, &extensionError{words: res.Error}
	}
	if res.Status != 0 && res.Status != 200 {
		return nil, fetch.Response{}, &fetch.StatusError{URL: src.URL, Code: res.Status}
	}
	return &scrapers.Page{URL: u, Body: []byte(res.HTML), Seen: now}, fetch.Response{}, nil
}

// ingest parses a page, saves its reviews and returns the events the store
// wrote for new or changed ones.
func (m *Monitor) ingest(src store.Source, page scrapers.Page, settings review.Settings, now time.Time) (_ []protocol.Event, err error) {
	defer func() {
		// Pages are hostile input: a scraper or analysis bug they trigger
		// becomes this source's error, not the end of the agent.
		if r := recover(); r != nil {
			m.opt.Logf("monitor: %s: panic while reading the page: %v", src.URL, r)
			err = &parseError{err: fmt.Errorf("%w: internal error while reading the page", errInternal)}
		}
	}()
	out, err := pipeline.Analyze(page, pipeline.Options{
		Platform: string(src.Platform),
		Settings: settings,
		Now:      now,
		Source:   src.URL,
		Prior: func(p review.Platform, id string) (store.Record, bool) {
			rec, err := m.st.Get(p, id)
			return rec, err == nil
		},
	})
	if errors.Is(err, scrapers.ErrNoReviews) {
		return nil, nil // a shop without reviews yet is watched, not broken
	}
	if err != nil {
		return nil, &parseError{err: err}
	}
	events, err := m.st.Save(out.Records)
	if err != nil {
		return nil, &saveError{err: err}
	}
	return events, nil
}

// errInternal marks a bug hit while reading a page.
var errInternal = errors.New("internal error")

func ptr[T any](v T) *T { return &v }
