package server

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/review"
)

// inboxTop keeps only limit records but must list exactly what a stable
// sort of every record, cut at limit, lists: ties (same deadline, same
// first sighting) included.
func TestInboxTopMatchesFullSort(t *testing.T) {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []store.Record
	for i := range 300 {
		r := store.Record{
			Review:    review.Review{Platform: review.Etsy, ID: fmt.Sprint(i)},
			State:     []review.State{review.Open, review.Replied, review.Ignored}[rng.IntN(3)],
			Analysis:  review.Analysis{Action: []review.Action{review.ReplyNow, review.Ignore}[rng.IntN(2)]},
			FirstSeen: base.Add(time.Duration(rng.IntN(5)) * time.Hour), // many ties
		}
		if rng.IntN(3) > 0 {
			r.Deadline = &review.Deadline{Due: base.Add(time.Duration(rng.IntN(4)) * 24 * time.Hour)}
		}
		recs = append(recs, r)
	}
	want := append([]store.Record(nil), recs...)
	sort.SliceStable(want, func(i, j int) bool { return moreUrgent(want[i], want[j]) })

	for _, limit := range []int{1, 2, 17, 299, 300, 1000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			top := inboxTop{limit: limit}
			for _, r := range recs {
				top.offer(r)
			}
			got := top.sorted()
			n := min(limit, len(want))
			if len(got) != n {
				t.Fatalf("%d records kept, want %d", len(got), n)
			}
			for i := range got {
				if got[i].Review.ID != want[i].Review.ID {
					t.Fatalf("position %d: review %s, want %s", i, got[i].Review.ID, want[i].Review.ID)
				}
			}
		})
	}
}
