package reldate

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/calmreply/calmreply/shared/review"
)

var (
	isoRe     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][0-9:.+\-z]*)?$`)
	numericRe = regexp.MustCompile(`^(\d{1,2})([./-])(\d{1,2})[./-](\d{4}|\d{2})\.?$`)
	ordinalRe = regexp.MustCompile(`^(\d{1,2})(?:\.|st|nd|rd|th|er|e|º|ª)?$`)
	yearRe    = regexp.MustCompile(`^\d{4}$`)
)

// Words that sit between the parts of a written date: "12 de marzo de
// 2024", "the 12th of March".
var joiners = map[string]bool{"de": true, "del": true, "di": true, "of": true, "the": true, "den": true, "le": true}

// absolute reads exact dates. Numeric dates with both parts 12 or less
// need the page's language to know which is the day; without it they stay
// unknown.
func absolute(raw, lang string, ref time.Time) (review.DateRange, bool) {
	s := strings.TrimSpace(strings.ToLower(raw))
	if m := isoRe.FindStringSubmatch(s); m != nil {
		return dayOf(atoi(m[1]), atoi(m[2]), atoi(m[3]), ref)
	}
	if m := numericRe.FindStringSubmatch(s); m != nil {
		a, b, y := atoi(m[1]), atoi(m[3]), atoi(m[4])
		if len(m[4]) == 2 {
			y += 2000
		}
		day, mon := a, b
		switch {
		case a > 12 && b <= 12:
		case b > 12 && a <= 12:
			day, mon = b, a
		case m[2] == ".":
			// dotted dates are day-first everywhere the product works
		case monthFirst(lang):
			day, mon = b, a
		case dayFirst(lang):
		default:
			return review.DateRange{}, false
		}
		return dayOf(y, mon, day, ref)
	}
	return written(raw, ref)
}

// monthFirst: only US English writes month/day/year.
func monthFirst(lang string) bool {
	l := strings.ToLower(lang)
	return l == "en-us" || l == "en_us"
}

// dayFirst: languages (and English variants) that write day/month/year.
func dayFirst(lang string) bool {
	l := strings.ToLower(lang)
	base, _, _ := strings.Cut(strings.ReplaceAll(l, "_", "-"), "-")
	switch base {
	case "de", "nl", "sv", "da", "no", "nb", "nn", "fr", "es", "it", "pt", "pl", "fi":
		return true
	case "en":
		return l != "en" && !monthFirst(l) // en-GB, en-IE, en-AU ...
	}
	return false
}

// written reads dates with a month name: "12. März 2024", "Mar 12, 2024",
// "12 de março de 2024", and month-only "März 2024".
func written(raw string, ref time.Time) (review.DateRange, bool) {
	var parts []string
	for _, f := range strings.Fields(strings.ToLower(raw)) {
		f = strings.Trim(f, ",")
		if f != "" && !joiners[f] {
			parts = append(parts, f)
		}
	}
	month := func(s string) int { return monthNames[strings.TrimSuffix(s, ".")] }
	day := func(s string) int {
		m := ordinalRe.FindStringSubmatch(s)
		if m == nil {
			return 0
		}
		return atoi(m[1])
	}
	year := func(s string) int {
		if !yearRe.MatchString(s) {
			return 0
		}
		return atoi(s)
	}
	switch len(parts) {
	case 3:
		if d, m, y := day(parts[0]), month(parts[1]), year(parts[2]); d > 0 && m > 0 && y > 0 {
			return dayOf(y, m, d, ref)
		}
		if m, d, y := month(parts[0]), day(parts[1]), year(parts[2]); d > 0 && m > 0 && y > 0 {
			return dayOf(y, m, d, ref)
		}
	case 2:
		if m, y := month(parts[0]), year(parts[1]); m > 0 && y > 0 {
			first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			if first.After(ref.AddDate(0, 0, 1)) {
				return review.DateRange{}, false
			}
			return review.DateRange{
				From:      first.Format(isoDate),
				To:        first.AddDate(0, 1, -1).Format(isoDate),
				Precision: review.Month,
			}, true
		}
	}
	return review.DateRange{}, false
}

// dayOf validates a calendar day (no 31 February, nothing after the page
// was seen, give or take a time zone) and makes it a one-day range.
func dayOf(y, m, d int, ref time.Time) (review.DateRange, bool) {
	if y < 1990 || m < 1 || m > 12 || d < 1 {
		return review.DateRange{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return review.DateRange{}, false
	}
	if t.After(ref.AddDate(0, 0, 1)) {
		return review.DateRange{}, false
	}
	s := t.Format(isoDate)
	return review.DateRange{From: s, To: s, Precision: review.Day}, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
