// Package all links every platform's scraper into a binary: import it for
// its side effect, and each scraper registers itself with the scrapers
// registry. Its test is the meta-test that holds every platform package to
// the project's conventions.
package all

import (
	_ "github.com/calmreply/calmreply/scrapers/etsy"
	_ "github.com/calmreply/calmreply/scrapers/google"
	_ "github.com/calmreply/calmreply/scrapers/trustedshops"
)
