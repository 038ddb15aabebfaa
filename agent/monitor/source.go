package monitor

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/protocol"
)

// ErrBadSource wraps every reason a URL cannot be watched.
var ErrBadSource = errors.New("cannot watch this address")

// NewSource checks that a URL can be watched (https, a scraper reads it) and
// returns the source to store, stamped with added. The CLI and the server's
// add_source both use it, so the rules are the same everywhere.
func NewSource(raw string, added time.Time) (store.Source, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return store.Source{}, fmt.Errorf("%w: %q is not a URL", ErrBadSource, raw)
	}
	if u.Scheme != "https" {
		return store.Source{}, fmt.Errorf("%w: %q: review pages are watched over https only", ErrBadSource, raw)
	}
	if u.Hostname() == "" || u.User != nil {
		return store.Source{}, fmt.Errorf("%w: %q needs a host and no user name or password", ErrBadSource, raw)
	}
	u.Fragment, u.RawFragment = "", ""
	sc, err := scrapers.ForURL(u)
	if err != nil {
		names := []string{}
		for _, s := range scrapers.All() {
			names = append(names, string(s.Platform()))
		}
		return store.Source{}, fmt.Errorf("%w: calmreply has no reader for %s (it reads review pages of: %s)",
			ErrBadSource, u.Redacted(), strings.Join(names, ", "))
	}
	return store.Source{
		URL:      u.String(),
		Platform: sc.Platform(),
		Fetcher:  FetcherFor(sc.Platform()),
		Added:    added.UTC(),
	}, nil
}

// Wire is a source as the protocol shows it.
func Wire(src store.Source) protocol.Source {
	fetcher := src.Fetcher
	if fetcher == "" {
		fetcher = FetcherFor(src.Platform)
	}
	return protocol.Source{
		URL: src.URL, Platform: src.Platform, Fetcher: fetcher,
		LastSuccess: src.LastSuccess, NextRun: src.NextRun, LastError: src.LastError,
	}
}
