package deadline

import (
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// Test fixtures only: the product's policies are each scraper's
// Profile().Policy; these mirror their shape so the rules can be tested here.
var (
	etsyLike   = site.Policy{ReplyMaxRating: 3, ReplyLocksReview: true, ReviewWindowDays: 100, ReportGrounds: []string{"threats or extortion"}}
	googleLike = site.Policy{ReplyMaxBytes: 4096, Moderation: "Replies are checked before they appear.", ReportGrounds: []string{"spam", "off-topic"}}
	tsLike     = site.Policy{ReviewWindowDays: 183}
	wwkLike    = site.Policy{QuarantineDays: 14, QuarantineMaxRating: 2}
)

func ptr[T any](v T) *T { return &v }

func at(tz, s string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

var office = &review.WorkingHours{TimeZone: "Europe/Berlin", Start: "09:00", End: "18:00", Days: []int{1, 2, 3, 4, 5}}

func TestCompute(t *testing.T) {
	sat := at("Europe/Berlin", "2026-11-21 23:00") // a Saturday
	tests := []struct {
		name     string
		kind     review.Kind
		rating   int
		policy   site.Policy
		hours    *review.WorkingHours
		seen     time.Time
		date     string
		wantKind string
		wantDue  time.Time // zero: no deadline
	}{
		{"complaint around the clock", review.Complaint, 1, googleLike, nil, sat, "", FirstReply, sat.Add(2 * time.Hour)},
		{"saturday night in working hours", review.Complaint, 1, googleLike, office, sat, "", FirstReply, at("Europe/Berlin", "2026-11-23 11:00")},
		{"friday 17:00 carries over", review.Complaint, 2, googleLike, office, at("Europe/Berlin", "2026-11-20 17:00"), "", FirstReply, at("Europe/Berlin", "2026-11-23 10:00")},
		{"dst spring forward weekend", review.Complaint, 1, googleLike, office, at("Europe/Berlin", "2026-03-27 17:30"), "", FirstReply, at("Europe/Berlin", "2026-03-30 10:30")},
		{"dst in calendar time", review.Complaint, 1, googleLike, nil, at("Europe/Berlin", "2026-03-29 01:30"), "", FirstReply, at("Europe/Berlin", "2026-03-29 04:30")},
		{"question a working day", review.Question, 4, googleLike, office, at("Europe/Berlin", "2026-11-20 15:00"), "", FirstReply, at("Europe/Berlin", "2026-11-23 15:00")},
		{"question without hours", review.Question, 4, tsLike, nil, sat, "", FirstReply, sat.Add(24 * time.Hour)},
		{"praise few days", review.Praise, 5, googleLike, nil, sat, "", FirstReply, sat.Add(72 * time.Hour)},
		{"troll never", review.Troll, 1, googleLike, office, sat, "", "", time.Time{}},
		{"spam report", review.Spam, 1, googleLike, nil, sat, "", ReportKind, sat.Add(24 * time.Hour)},
		{"abusive report", review.Abusive, 1, googleLike, nil, sat, "", ReportKind, sat.Add(2 * time.Hour)},
		{"etsy complaint private first", review.Complaint, 2, etsyLike, nil, sat, "2026-11-21", PrivateContact, sat.Add(2 * time.Hour)},
		{"etsy praise above rating", review.Praise, 5, etsyLike, nil, sat, "2026-11-21", PrivateContact, sat.Add(72 * time.Hour)},
		// An old review on a newly watched page counts from its first sighting, not from its date.
		{"etsy window closed, old review first seen now", review.Complaint, 2, etsyLike, nil, sat, "2026-01-02", FirstReply, sat.Add(2 * time.Hour)},
		{"review a few days before first seen stays overdue", review.Complaint, 2, googleLike, nil, sat, "2026-11-17", FirstReply, at("UTC", "2026-11-17 02:00")},
		{"quarantine private first", review.Complaint, 1, wwkLike, nil, sat, "2026-11-21", PrivateContact, sat.Add(2 * time.Hour)},
		{"date before first seen: start of day", review.Complaint, 1, googleLike, nil, sat, "2026-11-19", FirstReply, at("UTC", "2026-11-19 02:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{
				Review:    review.Review{Rating: ptr(tt.rating), Text: "x"},
				Analysis:  review.Analysis{Kind: tt.kind},
				Policy:    tt.policy,
				Settings:  review.Settings{Hours: tt.hours},
				FirstSeen: tt.seen,
				Now:       tt.seen.Add(time.Hour),
			}
			if tt.date != "" {
				in.Review.Date = &tt.date
			}
			got := Compute(in)
			if tt.wantDue.IsZero() {
				if got != nil {
					t.Fatalf("Compute = %+v, want nil", got)
				}
				return
			}
			if got == nil || got.Kind != tt.wantKind || !got.Due.Equal(tt.wantDue) {
				t.Fatalf("Compute = %+v, want %s at %s", got, tt.wantKind, tt.wantDue)
			}
			if got.Reason == "" {
				t.Error("empty reason")
			}
		})
	}
}

func TestEtsyWindowDeadline(t *testing.T) {
	date := "2026-11-01"
	in := Input{
		Review: review.Review{Rating: ptr(2), Date: &date}, Analysis: review.Analysis{Kind: review.Complaint},
		Policy: etsyLike, FirstSeen: at("UTC", "2026-11-01 10:00"), Now: at("UTC", "2026-11-02 10:00"),
	}
	all := All(in)
	if len(all) != 2 || all[1].Kind != PlatformWindow || !all[1].Due.Equal(at("UTC", "2027-02-08 00:00")) {
		t.Fatalf("All = %+v, want private contact then the window reply a day before 2027-02-09", all)
	}
}

func TestPromises(t *testing.T) {
	now := at("UTC", "2026-11-23 10:00")
	tests := []struct {
		text string
		want time.Time
	}{
		{"We will get back to you within 24 hours.", now.Add(24 * time.Hour)},
		{"Wir melden uns innerhalb von 24 Stunden bei Ihnen.", now.Add(24 * time.Hour)},
		{"We nemen binnen twee werkdagen contact op.", now.AddDate(0, 0, 2)},
		{"Jag återkommer inom 3 dagar.", now.AddDate(0, 0, 3)},
		{"Nous revenons vers vous sous 48 heures.", now.Add(48 * time.Hour)},
		{"Thanks for your review!", time.Time{}},
	}
	for _, tt := range tests {
		reply := tt.text
		in := Input{
			Review:   review.Review{Rating: ptr(2), ShopReply: &reply},
			Analysis: review.Analysis{Kind: review.Complaint}, RepliedAt: now, Now: now.Add(time.Hour),
		}
		got := Compute(in)
		if tt.want.IsZero() {
			if got != nil {
				t.Errorf("%q: Compute = %+v, want nil (already answered, no promise)", tt.text, got)
			}
			continue
		}
		if got == nil || got.Kind != FollowUp || !got.Due.Equal(tt.want) {
			t.Errorf("%q: Compute = %+v, want follow_up at %s", tt.text, got, tt.want)
		}
	}
	// A draft's promise counts from now, after the first reply deadline.
	in := Input{Review: review.Review{Rating: ptr(1)}, Analysis: review.Analysis{Kind: review.Complaint},
		Draft: review.Draft{Reply: "Ich melde mich innerhalb von 24 Stunden."}, FirstSeen: now, Now: now}
	if all := All(in); len(all) != 2 || all[1].Kind != FollowUp || !all[1].Due.Equal(now.Add(24*time.Hour)) {
		t.Errorf("All = %+v, want first_reply then follow_up", all)
	}
}

func TestNotices(t *testing.T) {
	date := "2026-11-01"
	now := at("UTC", "2026-11-21 12:00")
	codes := func(ns []review.Notice) string {
		var c []string
		for _, n := range ns {
			c = append(c, n.Code)
		}
		return strings.Join(c, ",")
	}
	in := Input{Review: review.Review{Rating: ptr(2), Date: &date}, Analysis: review.Analysis{Kind: review.Complaint}, Policy: etsyLike, Now: now}
	ns := Notices(in)
	if codes(ns) != "reply_locks_review,cannot_delete" || ns[0].DaysLeft == nil || *ns[0].DaysLeft != 80 {
		t.Errorf("etsy complaint notices = %+v", ns)
	}
	in.Review.Rating = ptr(5)
	in.Analysis.Kind = review.Praise
	if got := codes(Notices(in)); got != "no_reply_above_rating" {
		t.Errorf("etsy praise notices = %s", got)
	}
	in = Input{Review: review.Review{Rating: ptr(1)}, Analysis: review.Analysis{Kind: review.Spam}, Policy: googleLike, Now: now,
		Draft: review.Draft{Reply: strings.Repeat("ä", 1600)}}
	if got := codes(Notices(in)); got != "reply_max_bytes,moderated,cannot_delete,report_grounds" {
		t.Errorf("google spam notices = %s", got)
	}
}

func TestBadHours(t *testing.T) {
	seen := at("UTC", "2026-11-21 23:00")
	in := Input{Review: review.Review{Rating: ptr(1)}, Analysis: review.Analysis{Kind: review.Complaint}, FirstSeen: seen, Now: seen,
		Settings: review.Settings{Hours: &review.WorkingHours{TimeZone: "Mars/Olympus", Start: "09:00", End: "18:00"}}}
	got := Compute(in)
	if got == nil || !got.Due.Equal(seen.Add(2*time.Hour)) || !strings.Contains(got.Reason, "ignored") {
		t.Errorf("Compute = %+v, want calendar time and a note", got)
	}
}
