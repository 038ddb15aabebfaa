// Package reply drafts the seller's answers to a review.
package reply

import (
	"time"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// Request is everything a draft depends on.
type Request struct {
	Review   review.Review
	Analysis review.Analysis
	Settings review.Settings
	Policy   site.Policy
	// Variant selects another wording ("Another wording" in the overlay);
	// the same request and variant always give the same draft.
	Variant int
	Now     time.Time
}

// Compose drafts the public reply and private messages for a review.
// First version: a placeholder until the drafting issue lands.
func Compose(req Request) review.Draft {
	return review.Draft{Lang: req.Analysis.Lang, Note: "drafting not built yet"}
}
