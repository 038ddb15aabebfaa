// Package all links every platform's scraper into a binary: import it for
// its side effect, and each scraper registers itself with the scrapers
// registry.
package all

import (
	_ "github.com/calmreply/calmreply/scrapers/etsy"
)
