package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// site is a test server that counts requests per path and answers with the
// handler the test set for a path.
type site struct {
	*httptest.Server
	mu     sync.Mutex
	hits   map[string]int
	agents map[string]bool
	routes map[string]http.HandlerFunc
}

func newSite(t *testing.T) *site {
	s := &site{hits: map[string]int{}, agents: map[string]bool{}, routes: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.agents[r.UserAgent()] = true
		h := s.routes[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) route(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.routes[path] = h
	s.mu.Unlock()
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func text(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

func testClient(clk *clock) *Client {
	return New(Options{AllowLoopback: true, Now: clk.Now, Version: "test"})
}

func TestRefusesLocalTargets(t *testing.T) {
	s := newSite(t)
	s.route("/page", text("secret"))
	port := s.Listener.Addr().String()[strings.LastIndex(s.Listener.Addr().String(), ":")+1:]
	c := New(Options{Now: newClock().Now}) // no AllowLoopback: the product's setting
	defer c.Close()
	for _, u := range []string{
		s.URL + "/page",                      // 127.0.0.1
		"http://localhost:" + port + "/page", // a name that resolves to loopback
		"http://[::ffff:127.0.0.1]:" + port + "/page",
		"http://[::1]:" + port + "/page",
		"http://169.254.169.254/latest/meta-data/", // cloud metadata
		"http://10.0.0.1/",
		"http://172.16.5.4/",
		"http://192.168.0.1/",
		"http://100.64.0.1/",
		"http://0.0.0.0:" + port + "/",
		"http://[fe80::1]/",
		"http://[fd00::1]/",
		"http://224.0.0.251/",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: u})
			if !errors.Is(err, ErrRefused) {
				t.Errorf("Get(%s) = %v, want ErrRefused", u, err)
			}
		})
	}
	if n := s.count("/page") + s.count("/robots.txt"); n != 0 {
		t.Errorf("the local server got %d requests, want none", n)
	}
}

func TestRedirectToLocalRefused(t *testing.T) {
	// The loopback test server stands for a public site; its redirect to a
	// private address must still be refused on the dial.
	s := newSite(t)
	s.route("/page", status(http.StatusFound, "Location", "http://10.0.0.7/admin"))
	c := testClient(newClock())
	defer c.Close()
	_, err := c.Get(context.Background(), Request{URL: s.URL + "/page"})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("Get = %v, want ErrRefused for the redirect target", err)
	}
}

func TestBadURL(t *testing.T) {
	c := testClient(newClock())
	for _, u := range []string{"file:///etc/passwd", "ftp://example.com/", "https://", "http://user:pw@example.com/", "::"} {
		if _, err := c.Get(context.Background(), Request{URL: u}); !errors.Is(err, ErrBadURL) {
			t.Errorf("Get(%q) = %v, want ErrBadURL", u, err)
		}
	}
}

func TestRobots(t *testing.T) {
	tests := []struct {
		name    string
		robots  http.HandlerFunc
		path    string
		wantErr error
	}{
		{"404 allows", status(http.StatusNotFound), "/page", nil},
		{"403 allows", status(http.StatusForbidden), "/page", nil},
		{"500 disallows", status(http.StatusInternalServerError), "/page", ErrDisallowed},
		{"503 disallows", status(http.StatusServiceUnavailable), "/page", ErrDisallowed},
		{"rule disallows", text("User-agent: *\nDisallow: /page\n"), "/page", ErrDisallowed},
		{"rule for calmreply", text("User-agent: calmreply\nDisallow: /\n\nUser-agent: *\nAllow: /\n"), "/page", ErrDisallowed},
		{"other path allowed", text("User-agent: *\nDisallow: /private\n"), "/page", nil},
		{"redirected robots", status(http.StatusMovedPermanently, "Location", "/robots2.txt"), "/page", ErrDisallowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.route("/robots.txt", tt.robots)
			s.route("/robots2.txt", text("User-agent: *\nDisallow: /\n"))
			s.route("/page", text("reviews"))
			c := testClient(newClock())
			defer c.Close()
			resp, err := c.Get(context.Background(), Request{URL: s.URL + tt.path})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Get = %v, want %v", err, tt.wantErr)
			}
			wantHits := 1
			if tt.wantErr != nil {
				wantHits = 0 // a disallowed page is never requested
			} else if string(resp.Body) != "reviews" {
				t.Errorf("body = %q", resp.Body)
			}
			if got := s.count(tt.path); got != wantHits {
				t.Errorf("page requested %d times, want %d", got, wantHits)
			}
		})
	}
}

func TestRobotsCached(t *testing.T) {
	s := newSite(t)
	s.route("/robots.txt", text("User-agent: *\nAllow: /\n"))
	s.route("/page", text("ok"))
	clk := newClock()
	c := New(Options{AllowLoopback: true, Now: clk.Now, RobotsTTL: time.Hour})
	defer c.Close()
	for range 3 {
		if _, err := c.Get(context.Background(), Request{URL: s.URL + "/page"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times within its TTL, want 1", n)
	}
	clk.Add(2 * time.Hour)
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/page"}); err != nil {
		t.Fatal(err)
	}
	if n := s.count("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times after its TTL, want 2", n)
	}
}

func TestUserAgent(t *testing.T) {
	s := newSite(t)
	s.route("/page", text("ok"))
	c := testClient(newClock())
	defer c.Close()
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/page"}); err != nil {
		t.Fatal(err)
	}
	want := "calmreply/test (+https://github.com/calmreply/calmreply; review monitor for the shop owner)"
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.agents) != 1 || !s.agents[want] {
		t.Errorf("User-Agents seen %v, want only %q", s.agents, want)
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Mon, 23 Nov 2026 09:00:00 GMT"
	s := newSite(t)
	s.route("/etag", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		fmt.Fprint(w, "page")
	})
	s.route("/lastmod", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lastMod)
		fmt.Fprint(w, "page")
	})
	c := testClient(newClock())
	defer c.Close()
	for _, path := range []string{"/etag", "/lastmod"} {
		t.Run(path, func(t *testing.T) {
			first, err := c.Get(context.Background(), Request{URL: s.URL + path})
			if err != nil || first.NotModified || string(first.Body) != "page" {
				t.Fatalf("first Get = %+v, %v; want the page", first, err)
			}
			second, err := c.Get(context.Background(), Request{URL: s.URL + path, ETag: first.ETag, LastModified: first.LastModified})
			if err != nil {
				t.Fatal(err)
			}
			if !second.NotModified || second.Status != http.StatusNotModified || len(second.Body) != 0 {
				t.Errorf("second Get = %+v, want 304 not modified", second)
			}
			if second.ETag != first.ETag || second.LastModified != first.LastModified {
				t.Errorf("validators after 304 = %q %q, want kept %q %q", second.ETag, second.LastModified, first.ETag, first.LastModified)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	clk := newClock()
	httpDate := clk.Now().Add(90 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name   string
		code   int
		header string
		want   time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, "120", 120 * time.Second},
		{"503 http date", http.StatusServiceUnavailable, httpDate, 90 * time.Second},
		{"429 garbage", http.StatusTooManyRequests, "soon", 0},
		{"429 absurd", http.StatusTooManyRequests, "99999999999", 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.route("/page", status(tt.code, "Retry-After", tt.header))
			c := testClient(clk)
			defer c.Close()
			_, err := c.Get(context.Background(), Request{URL: s.URL + "/page"})
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tt.code || se.RetryAfter != tt.want {
				t.Fatalf("Get = %v, want StatusError %d with RetryAfter %s", err, tt.code, tt.want)
			}
			if tt.want == 0 {
				return
			}
			// The host rests until then: no request is sent.
			_, err = c.Get(context.Background(), Request{URL: s.URL + "/page"})
			var be *BackoffError
			if !errors.As(err, &be) || !be.Until.Equal(clk.Now().Add(tt.want)) {
				t.Fatalf("Get while resting = %v, want BackoffError until %s", err, clk.Now().Add(tt.want))
			}
			if n := s.count("/page"); n != 1 {
				t.Errorf("page requested %d times, want 1", n)
			}
		})
	}
}

func TestServerErrorBackoff(t *testing.T) {
	clk := newClock()
	s := newSite(t)
	var fail atomic.Bool
	fail.Store(true)
	s.route("/page", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "back")
	})
	c := New(Options{AllowLoopback: true, Now: clk.Now, BaseBackoff: time.Minute, MaxBackoff: time.Hour})
	defer c.Close()
	var last time.Time
	for i := 1; i <= 3; i++ {
		_, err := c.Get(context.Background(), Request{URL: s.URL + "/page"})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 500 {
			t.Fatalf("attempt %d: Get = %v, want HTTP 500", i, err)
		}
		_, err = c.Get(context.Background(), Request{URL: s.URL + "/page"})
		var be *BackoffError
		if !errors.As(err, &be) {
			t.Fatalf("attempt %d: Get right after = %v, want BackoffError", i, err)
		}
		// Doubling with jitter in [0.5, 1]: attempt i rests between
		// 2^(i-1)/2 and 2^(i-1) minutes.
		rest := be.Until.Sub(clk.Now())
		lo, hi := time.Duration(1<<(i-1))*time.Minute/2, time.Duration(1<<(i-1))*time.Minute
		if rest < lo || rest > hi {
			t.Errorf("attempt %d: rest %s, want within [%s, %s]", i, rest, lo, hi)
		}
		last = be.Until
		clk.Add(rest)
	}
	fail.Store(false)
	resp, err := c.Get(context.Background(), Request{URL: s.URL + "/page"})
	if err != nil || string(resp.Body) != "back" {
		t.Fatalf("Get after %s = %v, %v; want the page", last, resp, err)
	}
	if n := s.count("/page"); n != 4 {
		t.Errorf("page requested %d times, want 4 (3 failures, 1 success)", n)
	}
}

func TestSizeCap(t *testing.T) {
	s := newSite(t)
	s.route("/big", text(strings.Repeat("x", 2000)))
	s.route("/fits", text(strings.Repeat("x", 1000)))
	c := New(Options{AllowLoopback: true, Now: newClock().Now, MaxBytes: 1000})
	defer c.Close()
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/big"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Get(big) = %v, want ErrTooLarge", err)
	}
	if r, err := c.Get(context.Background(), Request{URL: s.URL + "/fits"}); err != nil || len(r.Body) != 1000 {
		t.Errorf("Get(fits) = %d bytes, %v; want 1000", len(r.Body), err)
	}
}

func TestRedirects(t *testing.T) {
	s := newSite(t)
	s.route("/robots.txt", text("User-agent: *\nDisallow: /hidden\n"))
	s.route("/old", status(http.StatusMovedPermanently, "Location", "/new"))
	s.route("/new", text("moved here"))
	s.route("/loop", status(http.StatusFound, "Location", "/loop"))
	s.route("/sneaky", status(http.StatusFound, "Location", "/hidden"))
	s.route("/hidden", text("should not be read"))
	s.route("/ftp", status(http.StatusFound, "Location", "ftp://example.com/"))
	c := testClient(newClock())
	defer c.Close()

	r, err := c.Get(context.Background(), Request{URL: s.URL + "/old"})
	if err != nil || string(r.Body) != "moved here" || r.URL != s.URL+"/new" {
		t.Errorf("Get(old) = %+v, %v; want the body of /new", r, err)
	}
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/loop"}); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("Get(loop) = %v, want ErrTooManyRedirects", err)
	}
	if n := s.count("/loop"); n != 6 {
		t.Errorf("/loop requested %d times, want 6 (1 + 5 redirects)", n)
	}
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/sneaky"}); !errors.Is(err, ErrDisallowed) {
		t.Errorf("Get(sneaky) = %v, want ErrDisallowed for the redirect target", err)
	}
	if n := s.count("/hidden"); n != 0 {
		t.Errorf("/hidden requested %d times, want 0", n)
	}
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/ftp"}); !errors.Is(err, ErrBadURL) {
		t.Errorf("Get(ftp) = %v, want ErrBadURL", err)
	}
}

func TestOneRequestPerHost(t *testing.T) {
	s := newSite(t)
	var inFlight, most atomic.Int32
	s.route("/page", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		// Hold the request open briefly so overlapping requests, if the
		// client sent any, would be seen here.
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
		fmt.Fprint(w, "ok")
	})
	c := testClient(newClock())
	defer c.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: s.URL + "/page"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m != 1 {
		t.Errorf("at most %d requests were in flight to one host, want 1", m)
	}
	if n := s.count("/page"); n != 8 {
		t.Errorf("page requested %d times, want 8", n)
	}
}

func TestContextCancelWhileWaiting(t *testing.T) {
	s := newSite(t)
	release := make(chan struct{})
	s.route("/slow", func(w http.ResponseWriter, r *http.Request) { <-release })
	c := testClient(newClock())
	defer c.Close()
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), Request{URL: s.URL + "/slow"})
		done <- err
	}()
	// Wait until the first request holds the host's slot.
	for s.count("/slow") == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Get(ctx, Request{URL: s.URL + "/slow"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context = %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("first Get = %v", err)
	}
}

func TestTimeout(t *testing.T) {
	s := newSite(t)
	release := make(chan struct{})
	defer close(release)
	s.route("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := New(Options{AllowLoopback: true, Now: newClock().Now, Timeout: 50 * time.Millisecond})
	defer c.Close()
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/hang"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get(hang) = %v, want a deadline error", err)
	}
}

func TestRobotsUnreachable(t *testing.T) {
	s := newSite(t)
	s.route("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		// Drop the connection without an answer.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	s.route("/page", text("reviews"))
	c := testClient(newClock())
	defer c.Close()
	if _, err := c.Get(context.Background(), Request{URL: s.URL + "/page"}); !errors.Is(err, ErrDisallowed) {
		t.Errorf("Get = %v, want ErrDisallowed when robots.txt is unreachable", err)
	}
	if n := s.count("/page"); n != 0 {
		t.Errorf("page requested %d times, want 0", n)
	}
}
