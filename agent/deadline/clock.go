package deadline

import (
	"fmt"
	"sync"
	"time"

	"github.com/calmreply/calmreply/shared/review"
)

// clock counts time either around the clock or in the seller's working
// hours, in the seller's time zone. Days are walked by wall clock (time.Date
// per day), so a daylight-saving change never shifts the opening hours.
type clock struct {
	loc        *time.Location
	working    bool
	start, end int // minutes after midnight
	days       [7]bool
}

// newClock reads working hours; invalid ones fall back to around-the-clock
// counting with a note that says so, rather than failing the review.
func newClock(h *review.WorkingHours) (clock, string) {
	c := clock{loc: time.UTC}
	if h == nil {
		return c, ""
	}
	if h.TimeZone != "" {
		loc, err := loadZone(h.TimeZone)
		if err != nil {
			return c, fmt.Sprintf("(Working hours ignored: unknown time zone %q.)", h.TimeZone)
		}
		c.loc = loc
	}
	var err1, err2 error
	c.start, err1 = minutes(h.Start)
	c.end, err2 = minutes(h.End)
	if err1 != nil || err2 != nil || c.end <= c.start {
		return clock{loc: c.loc}, fmt.Sprintf("(Working hours ignored: %q to %q is not a valid range.)", h.Start, h.End)
	}
	if len(h.Days) == 0 {
		c.days = [7]bool{true, true, true, true, true, true, true}
	}
	for _, d := range h.Days {
		if d < 0 || d > 6 {
			return clock{loc: c.loc}, fmt.Sprintf("(Working hours ignored: day %d is not 0-6.)", d)
		}
		c.days[d] = true
	}
	c.working = true
	return c, ""
}

// zones caches time zones by name: time.LoadLocation reads and parses the
// zone file on every call, and every review's deadline and notices need
// the seller's zone. A Location never changes once loaded.
var zones sync.Map // string -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err // not cached: only real zone names are kept
	}
	zones.Store(name, loc)
	return loc, nil
}

func minutes(s string) (int, error) {
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// due is when a target falls due for a review that went live at at.
func (c clock) due(at time.Time, t target) time.Time {
	if t.WorkingDays > 0 {
		return c.addWorkingDays(at, t.WorkingDays)
	}
	d, err := time.ParseDuration(t.Within)
	if err != nil {
		d = 0
	}
	return c.add(at, d)
}

// add moves d forward in working time (or plain time without hours).
func (c clock) add(t time.Time, d time.Duration) time.Time {
	if !c.working {
		return t.Add(d)
	}
	t = t.In(c.loc)
	for i := 0; i < 800; i++ { // a year of days at most, whatever the input
		y, m, day := t.Date()
		open := time.Date(y, m, day, 0, c.start, 0, 0, c.loc)
		shut := time.Date(y, m, day, 0, c.end, 0, 0, c.loc)
		next := time.Date(y, m, day+1, 0, 0, 0, 0, c.loc)
		if !c.days[t.Weekday()] || !t.Before(shut) {
			t = next
			continue
		}
		if t.Before(open) {
			t = open
		}
		if left := shut.Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		t = next
	}
	return t
}

// addWorkingDays adds n working days: n full working days of working time,
// or n calendar days without working hours.
func (c clock) addWorkingDays(t time.Time, n int) time.Time {
	if !c.working {
		return t.AddDate(0, 0, n)
	}
	return c.add(t, time.Duration(n*(c.end-c.start))*time.Minute)
}
