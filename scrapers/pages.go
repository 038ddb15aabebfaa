package scrapers

import (
	"fmt"
	"net/url"
	"regexp"

	"github.com/calmreply/calmreply/shared/site"
)

// Pages is a platform's site profile with its URL patterns compiled. It
// tells which of the profile's pages a URL is the way the extension's
// matchPage does: pages in profile order, the first whose pattern matches
// wins. Each platform's Scraper embeds it for Profile, Match and its page
// kinds, so the agent and the extension cannot disagree about a URL.
type Pages struct {
	profile site.Profile
	pages   []pagePatterns
}

type pagePatterns struct {
	name  string
	match []*regexp.Regexp
}

// NewPages compiles the Match patterns of a profile's pages.
func NewPages(p site.Profile) (*Pages, error) {
	ps := &Pages{profile: p, pages: make([]pagePatterns, 0, len(p.Pages))}
	for _, pg := range p.Pages {
		cp := pagePatterns{name: pg.Name}
		for _, m := range pg.Match {
			re, err := regexp.Compile(m)
			if err != nil {
				return nil, fmt.Errorf("%s page %s: pattern %q: %w", p.Platform, pg.Name, m, err)
			}
			cp.match = append(cp.match, re)
		}
		ps.pages = append(ps.pages, cp)
	}
	return ps, nil
}

// MustPages is NewPages for a scraper's built-in profile, whose patterns are
// code: one that does not compile is a programming error every test hits.
func MustPages(p site.Profile) *Pages {
	ps, err := NewPages(p)
	if err != nil {
		panic("scrapers: " + err.Error())
	}
	return ps
}

// Profile is the site profile sent to the extension; it serves as a
// scraper's Profile.
func (ps *Pages) Profile() site.Profile { return ps.profile }

// PageKind names the page a URL is, or "" when it is none of the profile's
// pages (or u is nil). Patterns are matched against the full URL.
func (ps *Pages) PageKind(u *url.URL) string {
	if u == nil {
		return ""
	}
	full := u.String()
	for _, p := range ps.pages {
		for _, re := range p.match {
			if re.MatchString(full) {
				return p.name
			}
		}
	}
	return ""
}

// Match reports whether a URL is one of the profile's pages; it serves as a
// scraper's Match.
func (ps *Pages) Match(u *url.URL) bool { return ps.PageKind(u) != "" }
