// Package scrapers turns review pages into reviews. Each platform is one
// subpackage that registers itself here (see scrapers/all); everything the
// project knows about a platform's pages lives in that subpackage.
package scrapers

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// MaxPageBytes bounds what any scraper is asked to parse. Pages are hostile
// input; a real reviews page is far below this.
const MaxPageBytes = 8 << 20

// Page is a saved or live page to parse: its URL (may be nil for a file
// given without --url) and its body. The body is HTML, or JSON for platforms
// whose pages load reviews as data (Etsy's pagination, Google's RPCs,
// Trusted Shops' API).
type Page struct {
	URL  *url.URL
	Body []byte
	// Seen is when the page was captured; relative dates ("2 weeks ago")
	// count back from it. Zero means now.
	Seen time.Time
}

// Result is what a scraper read from a page.
type Result struct {
	Platform review.Platform `json:"platform"`
	// PageKind names the kind of page (matches a site.Page name).
	PageKind string          `json:"page_kind"`
	Lang     string          `json:"page_lang,omitempty"` // the page's locale, when stated
	Reviews  []review.Review `json:"reviews"`
}

// Scraper reads one platform's pages. Parse does no I/O.
type Scraper interface {
	// Platform is the platform's stable name.
	Platform() review.Platform
	// Profile is the site profile sent to the extension.
	Profile() site.Profile
	// Match reports whether the URL is a page of this platform that the
	// scraper understands.
	Match(u *url.URL) bool
	// Detect reports whether a page without a URL looks like this platform's.
	Detect(body []byte) bool
	// Parse reads the reviews of a page. A page that holds no reviews the
	// scraper can read returns one of the typed errors below.
	Parse(p Page) (Result, error)
}

// Typed errors: callers (the overlay, the monitor, the CLI) decide by kind
// and tell the user "calmreply does not understand this page any more"
// rather than showing nothing.
var (
	ErrNoScraper     = errors.New("no scraper for this page")
	ErrMarkupChanged = errors.New("page markup not recognised (the platform may have changed it)")
	ErrLoginWall     = errors.New("page asks for a login")
	ErrCaptcha       = errors.New("page is a bot check (captcha)")
	ErrNoReviews     = errors.New("page has no reviews")
	ErrTooLarge      = errors.New("page is too large")
	ErrMalformed     = errors.New("page could not be parsed")
)

// Code is the stable string for a typed error (wire protocol, CLI, monitor).
func Code(err error) string {
	switch {
	case errors.Is(err, ErrNoScraper):
		return "NO_SCRAPER"
	case errors.Is(err, ErrMarkupChanged):
		return "MARKUP_CHANGED"
	case errors.Is(err, ErrLoginWall):
		return "LOGIN_WALL"
	case errors.Is(err, ErrCaptcha):
		return "CAPTCHA"
	case errors.Is(err, ErrNoReviews):
		return "NO_REVIEWS"
	case errors.Is(err, ErrTooLarge):
		return "TOO_LARGE"
	case errors.Is(err, ErrMalformed):
		return "MALFORMED"
	}
	return "PARSE_FAILED"
}

var (
	mu       sync.RWMutex
	registry = map[review.Platform]Scraper{}
)

// Register adds a scraper; it panics on a duplicate platform, as
// database/sql.Register does, because that is a programming error.
func Register(s Scraper) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[s.Platform()]; dup {
		panic("scrapers: Register called twice for " + string(s.Platform()))
	}
	registry[s.Platform()] = s
}

// All returns every registered scraper, ordered by platform name.
func All() []Scraper {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Scraper, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Platform() < out[j].Platform() })
	return out
}

// ByName returns the scraper of a platform.
func ByName(p review.Platform) (Scraper, error) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := registry[p]
	if !ok {
		return nil, fmt.Errorf("%w: unknown platform %q", ErrNoScraper, p)
	}
	return s, nil
}

// ForURL returns the scraper that handles a URL.
func ForURL(u *url.URL) (Scraper, error) {
	for _, s := range All() {
		if s.Match(u) {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNoScraper, u.Redacted())
}

// Find picks the scraper for a page: by platform name if given, else by URL,
// else by looking at the body.
func Find(platform string, p Page) (Scraper, error) {
	if platform != "" {
		return ByName(review.Platform(platform))
	}
	if p.URL != nil {
		if s, err := ForURL(p.URL); err == nil {
			return s, nil
		}
	}
	// No URL, or a URL no scraper claims (a Google search page shows the
	// review dialog only after a click): the body may still say what it is.
	for _, s := range All() {
		if s.Detect(p.Body) {
			return s, nil
		}
	}
	if p.URL != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoScraper, p.URL.Redacted())
	}
	return nil, fmt.Errorf("%w: give --platform or --url", ErrNoScraper)
}

// Parse finds the scraper for a page and parses it, enforcing the size cap.
func Parse(platform string, p Page) (Result, error) {
	if len(p.Body) > MaxPageBytes {
		return Result{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(p.Body), MaxPageBytes)
	}
	s, err := Find(platform, p)
	if err != nil {
		return Result{}, err
	}
	return s.Parse(p)
}
