// Package fetch is the agent's own HTTP client for review pages it may read
// itself (Trusted Shops public profiles). It is polite to the sites it reads
// and safe for the machine it runs on: robots.txt per host, one request in
// flight per host, backoff with jitter after errors, Retry-After honoured,
// conditional GET, a descriptive User-Agent, a size cap and timeouts, and no
// connection to loopback, private or link-local addresses (SSRF), checked on
// the address actually dialled.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/calmreply/calmreply/scrapers"
)

// Errors callers decide by. StatusError and BackoffError carry details.
var (
	ErrDisallowed        = errors.New("robots.txt does not allow calmreply to read this page")
	ErrTooLarge          = errors.New("page is larger than calmreply reads")
	ErrTooManyRedirects  = errors.New("too many redirects")
	ErrBadURL            = errors.New("not a fetchable URL")
	errRobotsUnreachable = errors.New("robots.txt unreachable")
)

// StatusError is an HTTP answer other than 200, 304 or a redirect.
type StatusError struct {
	URL  string
	Code int
	// RetryAfter is what a 429 or 503 asked for; zero when it said nothing.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s answered HTTP %d", e.URL, e.Code)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// BackoffError says a host is resting after errors or a Retry-After, so no
// request was sent.
type BackoffError struct {
	Host  string
	Until time.Time
}

func (e *BackoffError) Error() string {
	return fmt.Sprintf("%s is resting after errors until %s", e.Host, e.Until.Format(time.RFC3339))
}

// Options configure a Client. Zero values take the defaults below.
type Options struct {
	// Version goes into the User-Agent.
	Version string
	// Timeout bounds one request (each redirect hop, with its robots.txt
	// fetch), counted from when the host's slot is free.
	Timeout time.Duration
	// MaxBytes caps a response body (default scrapers.MaxPageBytes).
	MaxBytes int64
	// MaxRedirects caps the redirects followed for one request.
	MaxRedirects int
	// RobotsTTL is how long a robots.txt is trusted; RobotsErrorTTL how long
	// a failed one (which disallows everything) is kept before trying again.
	RobotsTTL, RobotsErrorTTL time.Duration
	// BaseBackoff and MaxBackoff bound the per-host pause after errors; it
	// doubles with each consecutive error, with jitter.
	BaseBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After may park a host.
	MaxRetryAfter time.Duration
	// AllowLoopback lets tests reach an httptest server on 127.0.0.1. Never
	// set it in the product.
	AllowLoopback bool
	// Now is the clock (tests pass a fake one).
	Now func() time.Time
}

const (
	maxRobotsBytes = 512 << 10 // RFC 9309 asks parsers to read at least 500 KiB
	productToken   = "calmreply"
)

func (o *Options) defaults() {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = scrapers.MaxPageBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = 24 * time.Hour
	}
	if o.RobotsErrorTTL <= 0 {
		o.RobotsErrorTTL = 30 * time.Minute
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// UserAgent is what the client calls itself: who it is and where to learn
// more, so a site operator can tell what reads their pages.
func UserAgent(version string) string {
	return "calmreply/" + version + " (+https://github.com/calmreply/calmreply; review monitor for the shop owner)"
}

// Client fetches pages politely. It is safe for concurrent use.
type Client struct {
	opt  Options
	http *http.Client
	ua   string

	mu    sync.Mutex
	hosts map[string]*host
}

// host is what the client remembers about one scheme://host:port.
type host struct {
	slot chan struct{} // one request in flight

	// Guarded by Client.mu.
	robots      robots
	robotsUntil time.Time
	failures    int
	restUntil   time.Time
}

// New builds a Client.
func New(opt Options) *Client {
	opt.defaults()
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   dialControl(opt.AllowLoopback),
	}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would be dialled instead of the checked target
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  20 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Client{
		opt: opt,
		http: &http.Client{
			Transport: tr,
			// Redirects are followed by hand so each hop gets its host's
			// slot, its robots.txt check and the address check.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ua:    UserAgent(opt.Version),
		hosts: map[string]*host{},
	}
}

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Request is one conditional GET.
type Request struct {
	URL string
	// ETag and LastModified are the validators of the last 200 answer; the
	// server answers 304 when the page has not changed.
	ETag, LastModified string
}

// Response is a successful fetch.
type Response struct {
	URL         string // after redirects
	Status      int    // 200 or 304
	NotModified bool
	Body        []byte
	// Validators to send next time (kept from the request on a 304 that
	// repeats none).
	ETag, LastModified string
}

// Get fetches a page. A 304 is a success with NotModified set. Everything
// else comes back as an error: ErrRefused, ErrDisallowed, ErrTooLarge,
// ErrTooManyRedirects, ErrBadURL, *StatusError, *BackoffError, or a network
// error.
func (c *Client) Get(ctx context.Context, req Request) (Response, error) {
	u, err := parseURL(req.URL)
	if err != nil {
		return Response{}, err
	}
	for hop := 0; ; hop++ {
		resp, next, err := c.hop(ctx, u, req)
		if err != nil || next == nil {
			return resp, err
		}
		if hop >= c.opt.MaxRedirects {
			return Response{}, fmt.Errorf("%w: more than %d from %s", ErrTooManyRedirects, c.opt.MaxRedirects, req.URL)
		}
		u = next
	}
}

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%w: scheme %q (only http and https)", ErrBadURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrBadURL, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: credentials in the URL", ErrBadURL)
	}
	return u, nil
}

// hop sends one request, holding the host's slot. It returns the next URL
// for a redirect.
func (c *Client) hop(ctx context.Context, u *url.URL, req Request) (Response, *url.URL, error) {
	key := u.Scheme + "://" + u.Host
	h := c.host(key)
	select {
	case h.slot <- struct{}{}:
	case <-ctx.Done():
		return Response{}, nil, ctx.Err()
	}
	defer func() { <-h.slot }()
	// The time limit starts once the host is ours: waiting behind other
	// sources on the same host is not the host being slow.
	ctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()

	c.mu.Lock()
	rest := h.restUntil
	c.mu.Unlock()
	if c.opt.Now().Before(rest) {
		return Response{}, nil, &BackoffError{Host: u.Host, Until: rest}
	}
	rb, err := c.robotsFor(ctx, u, h)
	if err != nil {
		return Response{}, nil, err
	}
	if !rb.allowed(u.EscapedPath() + query(u)) {
		if rb.disallowAll {
			return Response{}, nil, fmt.Errorf("%w: %s/robots.txt could not be read (server error or unreachable), which counts as no", ErrDisallowed, key)
		}
		return Response{}, nil, fmt.Errorf("%w: %s", ErrDisallowed, u.Redacted())
	}

	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Response{}, nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	hr.Header.Set("User-Agent", c.ua)
	hr.Header.Set("Accept", "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.5")
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		c.failed(h, 0)
		return Response{}, nil, unwrapURLError(err)
	}
	defer resp.Body.Close()

	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		c.succeeded(h)
		out := Response{URL: u.String(), Status: code, NotModified: true, ETag: req.ETag, LastModified: req.LastModified}
		if v := resp.Header.Get("ETag"); v != "" {
			out.ETag = v
		}
		if v := resp.Header.Get("Last-Modified"); v != "" {
			out.LastModified = v
		}
		return out, nil, nil
	case code >= 300 && code < 400 && resp.Header.Get("Location") != "":
		next, err := u.Parse(resp.Header.Get("Location"))
		if err != nil {
			return Response{}, nil, fmt.Errorf("%w: redirect to %q: %v", ErrBadURL, resp.Header.Get("Location"), err)
		}
		if _, err := parseURL(next.String()); err != nil {
			return Response{}, nil, fmt.Errorf("redirect from %s: %w", u.Redacted(), err)
		}
		c.succeeded(h)
		return Response{}, next, nil
	case code == http.StatusOK:
		body, err := readCapped(resp.Body, c.opt.MaxBytes)
		if err != nil {
			if !errors.Is(err, ErrTooLarge) { // a big page is not the host failing
				c.failed(h, 0)
			}
			return Response{}, nil, fmt.Errorf("%s: %w", u.Redacted(), err)
		}
		c.succeeded(h)
		return Response{
			URL: u.String(), Status: code, Body: body,
			ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		}, nil, nil
	default:
		se := &StatusError{URL: u.Redacted(), Code: code}
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			se.RetryAfter = c.retryAfter(resp.Header.Get("Retry-After"))
		}
		if code == http.StatusTooManyRequests || code >= 500 {
			c.failed(h, se.RetryAfter)
		}
		return Response{}, nil, se
	}
}

func query(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

// unwrapURLError drops net/http's *url.Error wrapper (which repeats the
// URL) but keeps the cause, so errors.Is(err, ErrRefused) works.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.URL, ue.Err)
	}
	return err
}

func readCapped(r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, max)
	}
	return body, nil
}

func (c *Client) host(key string) *host {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.hosts[key]
	if !ok {
		h = &host{slot: make(chan struct{}, 1)}
		c.hosts[key] = h
	}
	return h
}

// failed parks a host: for retryAfter when the server asked, else for an
// exponential pause with jitter.
func (c *Client) failed(h *host, retryAfter time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.failures++
	pause := retryAfter
	if pause <= 0 {
		pause = Backoff(c.opt.BaseBackoff, c.opt.MaxBackoff, h.failures)
	}
	h.restUntil = c.opt.Now().Add(pause)
}

func (c *Client) succeeded(h *host) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.failures = 0
	h.restUntil = time.Time{}
}

// Backoff is base doubled per failure after the first, capped at max, then
// scaled by a random factor in [0.5, 1] so many clients that failed
// together do not come back together.
func Backoff(base, max time.Duration, failures int) time.Duration {
	d := base
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. Garbage
// or the past gives zero; absurd values are capped.
func (c *Client) retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(c.opt.MaxRetryAfter/time.Second) {
			return c.opt.MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(c.opt.Now())
	}
	if d <= 0 {
		return 0
	}
	return min(d, c.opt.MaxRetryAfter)
}

// robotsFor returns the host's robots rules, fetching them when the cache is
// stale. The caller holds the host's slot, so robots.txt is fetched once.
func (c *Client) robotsFor(ctx context.Context, u *url.URL, h *host) (robots, error) {
	now := c.opt.Now()
	c.mu.Lock()
	rb, until := h.robots, h.robotsUntil
	c.mu.Unlock()
	if now.Before(until) {
		return rb, nil
	}
	rb, ttl, err := c.fetchRobots(ctx, u)
	if err != nil {
		return robots{}, err // the caller's context ended: nothing to cache
	}
	c.mu.Lock()
	h.robots, h.robotsUntil = rb, now.Add(ttl)
	c.mu.Unlock()
	return rb, nil
}

// fetchRobots applies RFC 9309: 2xx parses, 4xx means no rules, 5xx or an
// unreachable server means disallow everything. Redirects are followed a
// few times on the same host only (robots of another host do not apply).
func (c *Client) fetchRobots(ctx context.Context, u *url.URL) (robots, time.Duration, error) {
	target := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	for hop := 0; hop <= c.opt.MaxRedirects; hop++ {
		hr, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
		if err != nil {
			return robots{disallowAll: true}, c.opt.RobotsErrorTTL, nil
		}
		hr.Header.Set("User-Agent", c.ua)
		resp, err := c.http.Do(hr)
		if err != nil {
			if ctx.Err() != nil {
				return robots{}, 0, ctx.Err()
			}
			if errors.Is(err, ErrRefused) {
				return robots{}, 0, unwrapURLError(err)
			}
			return robots{disallowAll: true}, c.opt.RobotsErrorTTL, nil
		}
		code := resp.StatusCode
		switch {
		case code >= 200 && code < 300:
			// Read what fits: the RFC lets a parser stop at its limit.
			body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
			resp.Body.Close()
			if err != nil {
				return robots{disallowAll: true}, c.opt.RobotsErrorTTL, nil
			}
			return parseRobots(body, productToken), c.opt.RobotsTTL, nil
		case code >= 300 && code < 400:
			loc := resp.Header.Get("Location")
			resp.Body.Close()
			next, err := target.Parse(loc)
			if err != nil || next.Host != u.Host {
				return robots{}, c.opt.RobotsTTL, nil
			}
			target = next
		case code >= 400 && code < 500 && code != http.StatusTooManyRequests:
			resp.Body.Close()
			return robots{}, c.opt.RobotsTTL, nil
		default:
			resp.Body.Close()
			return robots{disallowAll: true}, c.opt.RobotsErrorTTL, nil
		}
	}
	return robots{}, c.opt.RobotsTTL, nil
}
