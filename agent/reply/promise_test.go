package reply

import (
	"slices"
	"testing"
	"time"

	"github.com/calmreply/calmreply/agent/deadline"
	"github.com/calmreply/calmreply/shared/review"
)

// TestDraftPromisesAreKept: every complaint draft says when the shop will
// come back, in words the deadline package reads as a promise, so the
// seller is reminded to keep it (PLAYBOOK section 3), in every language.
func TestDraftPromisesAreKept(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, c := range loadEval(t) {
		if c.Kind != review.Complaint || slices.Contains(c.Topics, review.Price) {
			continue // a price complaint gets options, not a time
		}
		d := Compose(c.request())
		in := deadline.Input{
			Review: review.Review{Rating: c.Rating}, Analysis: review.Analysis{Kind: c.Kind},
			Draft: d, FirstSeen: now, Now: now,
		}
		var follow *review.Deadline
		for _, dl := range deadline.All(in) {
			if dl.Kind == deadline.FollowUp {
				follow = &dl
			}
		}
		if follow == nil || !follow.Due.Equal(now.Add(24*time.Hour)) {
			t.Errorf("%s: deadlines %+v, want a follow-up 24 h after the draft's promise in:\n%s", c.ID, deadline.All(in), d.Reply)
		}
	}
}
