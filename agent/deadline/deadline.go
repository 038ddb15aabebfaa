// Package deadline computes when a review needs its next step, and the
// platform-rule notices the seller must see before acting.
package deadline

import (
	"time"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// Input is everything a deadline depends on.
type Input struct {
	Review    review.Review
	Analysis  review.Analysis
	Draft     review.Draft // promises in the draft become follow-up deadlines
	Policy    site.Policy
	Settings  review.Settings
	FirstSeen time.Time // when calmreply first saw the review
	Now       time.Time
}

// Compute returns the review's next deadline, or nil when none applies
// (a troll is never answered). First version: none yet.
func Compute(in Input) *review.Deadline { return nil }

// Notices returns the platform-rule facts to show before the seller acts.
func Notices(in Input) []review.Notice { return nil }
