package server

import (
	"sort"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"
)

// Stats computes the inbox's pictures per platform: the average rating of
// each month (by the review's date), the share of reviews needing an answer
// that got one, and the median hours from first seeing a review to its
// answer (reviews already answered when first seen do not count: calmreply
// cannot know how long those took).
func Stats(recs []store.Record) protocol.Stats {
	var acc statsAcc
	for _, r := range recs {
		acc.add(r)
	}
	return acc.result()
}

// statsAcc counts what Stats shows one record at a time, so the server can
// feed it while reading the store.
type statsAcc struct {
	per map[review.Platform]*platformAcc
}

type platformAcc struct {
	n, needing, answered int
	months               map[string][2]int // month -> sum, count
	hours                []float64
}

func (s *statsAcc) add(r store.Record) {
	if s.per == nil {
		s.per = map[review.Platform]*platformAcc{}
	}
	a := s.per[r.Review.Platform]
	if a == nil {
		a = &platformAcc{months: map[string][2]int{}}
		s.per[r.Review.Platform] = a
	}
	a.n++
	if m := month(r.Review); m != "" && r.Review.Rating != nil {
		v := a.months[m]
		a.months[m] = [2]int{v[0] + *r.Review.Rating, v[1] + 1}
	}
	if r.Analysis.Action == review.Ignore || r.Analysis.Action == review.Report {
		return
	}
	a.needing++
	if r.State == review.Replied {
		a.answered++
		if r.RepliedAt != nil && r.RepliedAt.After(r.FirstSeen) {
			a.hours = append(a.hours, r.RepliedAt.Sub(r.FirstSeen).Hours())
		}
	}
}

func (s *statsAcc) result() protocol.Stats {
	out := protocol.Stats{Platforms: []protocol.PlatformStats{}}
	for p, a := range s.per {
		ps := protocol.PlatformStats{Platform: p, Reviews: a.n, Months: []protocol.MonthRating{}}
		for m, v := range a.months {
			ps.Months = append(ps.Months, protocol.MonthRating{Month: m, Average: float64(v[0]) / float64(v[1]), Count: v[1]})
		}
		sort.Slice(ps.Months, func(i, j int) bool { return ps.Months[i].Month < ps.Months[j].Month })
		if a.needing > 0 {
			ps.Answered = float64(a.answered) / float64(a.needing)
		}
		if len(a.hours) > 0 {
			m := median(a.hours)
			ps.MedianFirstAnswerHours = &m
		}
		out.Platforms = append(out.Platforms, ps)
	}
	sort.Slice(out.Platforms, func(i, j int) bool { return out.Platforms[i].Platform < out.Platforms[j].Platform })
	return out
}

// month is the review's YYYY-MM: its exact date, else the start of its range.
func month(r review.Review) string {
	d := ""
	if r.Date != nil {
		d = *r.Date
	} else if r.DateRange != nil {
		d = r.DateRange.From
	}
	if len(d) < 7 {
		return ""
	}
	return d[:7]
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
