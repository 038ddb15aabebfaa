// Package deadline computes when a review needs its next step, and the
// platform-rule notices the seller must see before acting.
//
// The targets per kind (a couple of hours for a negative review, a working
// day for a question, a few days for praise; none for a troll) are data in
// policy.json. Platform rules come from the scraper's site.Policy and are
// honoured by what they say, not by platform name: a policy whose reply locks
// the review gets "contact privately first", one with a quarantine gets its
// end date, one with a review window gets "reply before it closes".
//
// Decisions: spam gets a "report" deadline of a working day (leaving an ad up
// costs little but should not linger); abusive reviews get a "report"
// deadline as urgent as a complaint. The review time is FirstSeen when it
// falls on the review's stated date (or range), else the start of that date:
// a deadline is never later than the truth. Windows count from the start of
// the earliest possible day.
package deadline

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
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
	// RepliedAt is when the shop's existing reply was posted, if known;
	// promises in it count from then (else from FirstSeen).
	RepliedAt time.Time
}

// Deadline kinds: stable strings on the wire.
const (
	FirstReply     = "first_reply"
	PrivateContact = "private_contact"
	PlatformWindow = "platform_window"
	QuarantineEnd  = "quarantine_end"
	FollowUp       = "follow_up"
	ReportKind     = "report"
)

//go:embed policy.json
var policyJSON []byte

type target struct {
	Kind        string `json:"kind"`
	Within      string `json:"within,omitempty"`
	WorkingDays int    `json:"working_days,omitempty"`
	BeforeClose string `json:"before_close,omitempty"`
	Reason      string `json:"reason"`
}

type promiseWords struct {
	Lead        []string       `json:"lead"`
	Numbers     map[string]int `json:"numbers"`
	Hours       []string       `json:"hours"`
	Days        []string       `json:"days"`
	WorkingDays []string       `json:"working_days"`
}

type policyData struct {
	Targets      map[review.Kind]target  `json:"targets"`
	PrivateFirst target                  `json:"private_first"`
	PrivateOnly  target                  `json:"private_only"`
	WindowReply  target                  `json:"window_reply"`
	Quarantine   target                  `json:"quarantine"`
	FollowUp     target                  `json:"follow_up"`
	Promises     map[string]promiseWords `json:"promises"`
}

type promiseRule struct {
	re    *regexp.Regexp
	words promiseWords
}

var (
	policy   policyData
	promises []promiseRule
)

func init() {
	dec := json.NewDecoder(strings.NewReader(string(policyJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&policy); err != nil {
		panic("deadline: policy.json: " + err.Error()) // embedded data is part of the build
	}
	langs := make([]string, 0, len(policy.Promises))
	for l := range policy.Promises {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		w := policy.Promises[l]
		nums := []string{`\d{1,3}`}
		for n := range w.Numbers {
			nums = append(nums, regexp.QuoteMeta(n))
		}
		units := append(append(append([]string{}, w.WorkingDays...), w.Hours...), w.Days...)
		re := `(?i)(?:^|[^\pL])(?:` + alt(w.Lead) + `)\s+(` + alt(nums) + `)\s+(` + alt(units) + `)(?:[^\pL]|$)`
		promises = append(promises, promiseRule{regexp.MustCompile(re), w})
	}
	indexLeads()
}

// alt joins words into a regexp alternation, longest first so "werktagen"
// wins over "tag".
func alt(words []string) string {
	ws := append([]string{}, words...)
	sort.Slice(ws, func(i, j int) bool { return len(ws[i]) > len(ws[j]) })
	for i, w := range ws {
		if !strings.HasPrefix(w, `\d`) {
			ws[i] = strings.ReplaceAll(regexp.QuoteMeta(w), " ", `\s+`)
		}
	}
	return strings.Join(ws, "|")
}

// Compute returns the review's next deadline, or nil when none applies
// (a troll is never answered).
func Compute(in Input) *review.Deadline {
	all := All(in)
	if len(all) == 0 {
		return nil
	}
	return &all[0]
}

// All returns every deadline of a review, earliest first.
func All(in Input) []review.Deadline {
	clock, clockNote := newClock(in.Settings.Hours)
	var out []review.Deadline
	add := func(due time.Time, t target, args ...any) {
		reason := t.Reason
		if len(args) > 0 {
			reason = fmt.Sprintf(reason, args...)
		}
		if clockNote != "" {
			reason += " " + clockNote
		}
		out = append(out, review.Deadline{Due: due.UTC(), Kind: t.Kind, Reason: reason})
	}

	kind := in.Analysis.Kind
	if kind == "" {
		kind = review.Complaint
	}
	if kind == review.Troll {
		return nil // never answered, so never due
	}
	replied := in.Review.ShopReply != nil && strings.TrimSpace(*in.Review.ShopReply) != ""
	at := reviewTime(in, clock.loc)
	start := windowStart(in, clock.loc)
	p := in.Policy
	rating := in.Review.Rating
	publicAllowed := p.ReplyMaxRating == 0 || rating == nil || *rating <= p.ReplyMaxRating
	var windowEnd time.Time
	if p.ReviewWindowDays > 0 && !start.IsZero() {
		windowEnd = start.AddDate(0, 0, p.ReviewWindowDays)
	}
	windowOpen := !windowEnd.IsZero() && in.Now.Before(windowEnd)
	quarantined := p.QuarantineDays > 0 && rating != nil && *rating <= p.QuarantineMaxRating && !start.IsZero()

	if t, ok := policy.Targets[kind]; ok && !replied {
		negative := kind == review.Complaint || kind == review.Extortion
		switch {
		case !publicAllowed && t.Kind == FirstReply:
			pt := t
			pt.Kind, pt.Reason = policy.PrivateOnly.Kind, policy.PrivateOnly.Reason+" "+t.Reason
			add(clock.due(at, pt), pt)
		case negative && (quarantined || (p.ReplyLocksReview && windowOpen)):
			add(clock.due(at, policy.PrivateFirst), policy.PrivateFirst)
		default:
			add(clock.due(at, t), t)
		}
		if negative && publicAllowed && p.ReplyLocksReview && windowOpen {
			before, _ := time.ParseDuration(policy.WindowReply.BeforeClose)
			add(windowEnd.Add(-before), policy.WindowReply, p.ReviewWindowDays)
		}
	}
	if quarantined {
		add(start.AddDate(0, 0, p.QuarantineDays), policy.Quarantine, p.QuarantineDays)
	}

	// Promises: in the existing shop reply (counted from when it was
	// posted) and in the draft (counted from now, when it would be sent).
	if replied {
		base := in.RepliedAt
		if base.IsZero() {
			base = in.FirstSeen
		}
		if d, words, ok := findPromise(*in.Review.ShopReply, clock, base); ok {
			add(d, policy.FollowUp, words)
		}
	} else {
		for _, text := range []string{in.Draft.Reply, in.Draft.PrivateMessage} {
			if d, words, ok := findPromise(text, clock, in.Now); ok {
				add(d, policy.FollowUp, words)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// staleAfter is how much older than its first sighting a review must be for
// its answer to count from that sighting rather than from its date.
const staleAfter = 7 * 24 * time.Hour

// reviewTime is when the answer clock starts: when the review went live as
// far as we know (FirstSeen when it falls inside the stated date range, else
// the start of that range). A review calmreply first sees long after it was
// written (an old review on a newly watched page) counts from that sighting:
// calmreply could not have warned earlier, and "overdue by 900 days" helps
// no seller act.
func reviewTime(in Input, loc *time.Location) time.Time {
	from, to, ok := dateRange(in.Review, loc)
	if !ok {
		return in.FirstSeen
	}
	if !in.FirstSeen.IsZero() && !in.FirstSeen.Before(from) && in.FirstSeen.Before(to) {
		return in.FirstSeen
	}
	if !in.FirstSeen.IsZero() && in.FirstSeen.Sub(to) > staleAfter {
		return in.FirstSeen
	}
	return from
}

// windowStart is the earliest moment the review can have been written.
func windowStart(in Input, loc *time.Location) time.Time {
	if from, _, ok := dateRange(in.Review, loc); ok {
		return from
	}
	return in.FirstSeen
}

// dateRange returns the review's date as [from, to) in loc.
func dateRange(r review.Review, loc *time.Location) (from, to time.Time, ok bool) {
	var a, b string
	switch {
	case r.Date != nil && *r.Date != "":
		a, b = *r.Date, *r.Date
	case r.DateRange != nil && r.DateRange.From != "":
		a, b = r.DateRange.From, r.DateRange.To
		if b == "" {
			b = a
		}
	default:
		return time.Time{}, time.Time{}, false
	}
	f, err1 := time.ParseInLocation("2006-01-02", a, loc)
	t, err2 := time.ParseInLocation("2006-01-02", b, loc)
	if err1 != nil || err2 != nil || t.Before(f) {
		return time.Time{}, time.Time{}, false
	}
	return f, t.AddDate(0, 0, 1), true
}

// findPromise finds "within 24 hours" (in any language the policy knows) and
// returns when it falls due from base, and the promised words.
func findPromise(text string, c clock, base time.Time) (time.Time, string, bool) {
	if text == "" || base.IsZero() {
		return time.Time{}, "", false
	}
	mask, from := candidates(text)
	return firstPromise(text, c, base, mask, &from)
}

// firstPromise runs the rules that may match (a bit each in mask, see
// candidates) in order, each from its first lead word; the first that reads
// a promise wins.
func firstPromise(text string, c clock, base time.Time, mask uint64, from *[maxFiltered]int) (time.Time, string, bool) {
	for i, r := range promises {
		at := 0
		if i < maxFiltered {
			if mask&(1<<i) == 0 {
				continue
			}
			at = from[i]
		}
		m := r.re.FindStringSubmatch(text[at:])
		if m == nil {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = r.words.Numbers[strings.ToLower(m[1])]
		}
		if n <= 0 || n > 365 {
			continue
		}
		unit := strings.Join(strings.Fields(strings.ToLower(m[2])), " ")
		words := m[1] + " " + m[2]
		switch {
		case contains(r.words.WorkingDays, unit):
			return c.addWorkingDays(base, n), words, true
		case contains(r.words.Hours, unit):
			return base.Add(time.Duration(n) * time.Hour), words, true
		default:
			return base.AddDate(0, 0, n), words, true
		}
	}
	return time.Time{}, "", false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.ToLower(x) == s {
			return true
		}
	}
	return false
}

// Notices returns the platform-rule facts to show before the seller acts.
func Notices(in Input) []review.Notice {
	p := in.Policy
	kind := in.Analysis.Kind
	var out []review.Notice
	rating := in.Review.Rating
	clock, _ := newClock(in.Settings.Hours)
	start := windowStart(in, clock.loc)
	if p.ReplyMaxRating > 0 && rating != nil && *rating > p.ReplyMaxRating {
		out = append(out, review.Notice{Code: "no_reply_above_rating",
			Text: fmt.Sprintf("This platform allows public replies only to reviews of %d stars or fewer; answer with a private message instead.", p.ReplyMaxRating)})
	} else if p.ReplyLocksReview && kind != review.Troll {
		n := review.Notice{Code: "reply_locks_review",
			Text: "Replying publicly stops the customer from editing this review, so try to solve it privately first."}
		if p.ReviewWindowDays > 0 && !start.IsZero() {
			left := daysLeft(start.AddDate(0, 0, p.ReviewWindowDays), in.Now)
			n.DaysLeft = &left
			n.Text = fmt.Sprintf("Replying publicly stops the customer from editing this review; %d days left to solve it privately first.", left)
			if left == 0 {
				n.Text = "The review window has closed: the customer can no longer edit the review, so a public reply costs nothing more."
			}
		}
		out = append(out, n)
	}
	if p.QuarantineDays > 0 && rating != nil && *rating <= p.QuarantineMaxRating && !start.IsZero() {
		left := daysLeft(start.AddDate(0, 0, p.QuarantineDays), in.Now)
		out = append(out, review.Notice{Code: "quarantine", DaysLeft: &left,
			Text: fmt.Sprintf("The platform holds this review back for %d days (%d left) so you can solve the problem first.", p.QuarantineDays, left)})
	}
	if p.ReplyMaxBytes > 0 {
		n := len(in.Draft.Reply)
		if n > p.ReplyMaxBytes*3/4 {
			out = append(out, review.Notice{Code: "reply_max_bytes",
				Text: fmt.Sprintf("Replies are limited to %d bytes of UTF-8 (letters such as ä or å count twice); this draft uses %d.", p.ReplyMaxBytes, n)})
		}
	}
	if p.Moderation != "" && kind != review.Troll {
		out = append(out, review.Notice{Code: "moderated", Text: p.Moderation})
	}
	negative := kind != review.Praise && kind != review.Question && kind != ""
	if !p.CanDelete && negative {
		out = append(out, review.Notice{Code: "cannot_delete",
			Text: "Reviews cannot be deleted by the seller here; only reviews that break the platform's rules can be reported."})
	}
	if len(p.ReportGrounds) > 0 && (kind == review.Abusive || kind == review.Spam || kind == review.Extortion) {
		t := "The platform accepts reports on these grounds: " + strings.Join(p.ReportGrounds, "; ") + "."
		if p.ReportHelp != "" {
			t += " " + p.ReportHelp
		}
		out = append(out, review.Notice{Code: "report_grounds", Text: t})
	}
	return out
}

func daysLeft(end, now time.Time) int {
	d := end.Sub(now).Hours() / 24
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d))
}
