// Package reldate reads the dates review pages show, relative ("vor 2
// Wochen", "för en månad sedan", "2 weeks ago") or absolute ("12. März
// 2024", "Mar 12, 2024"), as the range of calendar days they can mean.
//
// Platforms shorten ages: some floor ("2 weeks" = 14-20 days), some round
// ("2 months" from 1.5 months on, as Google seems to in captures), so each
// unit maps to the union of both readings, a range of ages (ref minus the
// time shown) that always holds the real one:
//
//	just now, today                age in [0, 1) day
//	yesterday, a day ago           age in [1, 2) days
//	n minutes, n hours, n days     age in [n-½, n+1) of the unit (day precision)
//	n weeks                        age in [7n-3½, 7n+7) days
//	n months                       age in [30n-16, 31(n+1)] days
//	n years                        age in [365n-183, 366(n+1)] days
//
// The ages become From/To dates in ref's location. Anything not fully
// understood gives Precision "unknown" with no dates: a wrong date would be
// worse than none, because deadlines are computed from it.
package reldate

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/calmreply/calmreply/shared/review"
)

const (
	maxRaw   = 200  // longer strings are not dates
	maxCount = 1000 // "1000 years ago" is already nonsense
	dayLen   = 24 * time.Hour
	isoDate  = "2006-01-02"
)

// Parse reads raw, a date as a page shows it. lang is the page's language
// when known ("de", "en-US", ""); it decides day/month order of numeric
// dates and is tried first for words. ref is when the page was seen (zero
// means now). Raw is always set; From/To only when the date was understood.
func Parse(raw, lang string, ref time.Time) review.DateRange {
	out := review.DateRange{Precision: review.Unknown, Raw: strings.TrimSpace(raw)}
	if ref.IsZero() {
		ref = time.Now()
	}
	if out.Raw == "" || len(out.Raw) > maxRaw {
		return out
	}
	if r, ok := absolute(out.Raw, lang, ref); ok {
		r.Raw = out.Raw
		return r
	}
	if r, ok := relative(out.Raw, lang, ref); ok {
		r.Raw = out.Raw
		return r
	}
	return out
}

// words lowercases s and splits it into letter/digit runs: punctuation,
// apostrophes and odd spaces (U+00A0, U+202F) all separate words.
func words(s string) []string {
	s = strings.ToLower(s)
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// clean drops filler words: edit markers and a trailing "on Google".
func clean(ws []string) []string {
	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch {
		case fillers[w]:
			continue
		case w == "google":
			if n := len(out); n > 0 && onWords[out[n-1]] {
				out = out[:n-1]
			}
			continue
		case w == "mis" && i+2 < len(ws) && ws[i+1] == "à" && ws[i+2] == "jour": // fr "mis à jour"
			i += 2
			continue
		}
		out = append(out, w)
	}
	return out
}

func relative(raw, lang string, ref time.Time) (review.DateRange, bool) {
	ws := clean(words(raw))
	if len(ws) == 0 || len(ws) > 8 {
		return review.DateRange{}, false
	}
	if n, ok := dayWords[strings.Join(ws, " ")]; ok {
		return ageRange(ref, time.Duration(n)*dayLen, time.Duration(n+1)*dayLen, review.Day), true
	}
	for _, l := range ordered(lang) {
		if n, u, ok := l.read(ws); ok {
			return unitRange(ref, n, u), true
		}
	}
	return review.DateRange{}, false
}

// ordered puts the hinted language first.
func ordered(lang string) []language {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	if base == "nb" || base == "nn" {
		base = "no"
	}
	out := make([]language, 0, len(languages))
	for _, l := range languages {
		if l.code == base {
			out = append(out, l)
		}
	}
	for _, l := range languages {
		if l.code != base {
			out = append(out, l)
		}
	}
	return out
}

// read accepts ws only if every word is this language's marker, number or
// unit, with one unit, at least one marker and the count before the unit.
// A missing count means one ("tydzień temu").
func (l language) read(ws []string) (int, unit, bool) {
	count, countAt, unitAt, markers := -1, -1, -1, 0
	var u unit
	for i, w := range ws {
		if contains(l.markers, w) {
			markers++
			continue
		}
		if uu, ok := l.units[w]; ok {
			if unitAt >= 0 {
				return 0, 0, false
			}
			u, unitAt = uu, i
			continue
		}
		n, ok := l.numbers[w]
		if !ok {
			v, err := strconv.Atoi(w)
			if err != nil || len(w) > 4 || v > maxCount {
				return 0, 0, false
			}
			n = v
		}
		if countAt >= 0 {
			return 0, 0, false
		}
		count, countAt = n, i
	}
	if unitAt < 0 || markers == 0 || countAt > unitAt {
		return 0, 0, false
	}
	if countAt < 0 {
		count = 1
	}
	return count, u, true
}

func contains(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

func unitRange(ref time.Time, n int, u unit) review.DateRange {
	d := time.Duration(n)
	half := func(unit time.Duration) time.Duration { return max(0, d*unit-unit/2) }
	switch u {
	case minute:
		return ageRange(ref, half(time.Minute), (d+1)*time.Minute, review.Day)
	case hour:
		return ageRange(ref, half(time.Hour), (d+1)*time.Hour, review.Day)
	case day:
		return ageRange(ref, half(dayLen), (d+1)*dayLen, review.Day)
	case week:
		return ageRange(ref, half(7*dayLen), (7*d+7)*dayLen, review.Week)
	case month:
		return ageRange(ref, max(0, (30*d-16)*dayLen), 31*(d+1)*dayLen, review.Month)
	default:
		return ageRange(ref, max(0, (365*d-183)*dayLen), 366*(d+1)*dayLen, review.Year)
	}
}

// ageRange turns ages [minAge, maxAge] into the dates they fall on.
func ageRange(ref time.Time, minAge, maxAge time.Duration, p review.Precision) review.DateRange {
	return review.DateRange{
		From:      ref.Add(-maxAge).Format(isoDate),
		To:        ref.Add(-minAge).Format(isoDate),
		Precision: p,
	}
}
