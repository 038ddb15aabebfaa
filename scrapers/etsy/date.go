package etsy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// months maps the month names and abbreviations Etsy prints in its locales
// (en, de, nl, sv, fr, es, it, pl) to month numbers. Keys are lower case
// without a trailing dot.
var months = map[string]time.Month{}

func init() {
	names := [12][]string{
		{"jan", "january", "januar", "januari", "janv", "janvier", "ene", "enero", "gen", "gennaio", "sty", "stycznia", "jän", "jänner"},
		{"feb", "february", "februar", "februari", "févr", "fevr", "février", "fév", "febrero", "febbraio", "lut", "lutego"},
		{"mar", "march", "mär", "märz", "maart", "mars", "mrt", "marzo", "mrz", "marca"},
		{"apr", "april", "avr", "avril", "abr", "abril", "aprile", "kwi", "kwietnia"},
		{"may", "mai", "mei", "maj", "mayo", "mag", "maggio", "maja"},
		{"jun", "june", "juni", "juin", "junio", "giu", "giugno", "cze", "czerwca"},
		{"jul", "july", "juli", "juil", "juillet", "julio", "lug", "luglio", "lip", "lipca"},
		{"aug", "august", "augustus", "augusti", "août", "aout", "ago", "agosto", "sie", "sierpnia"},
		{"sep", "sept", "september", "septembre", "septiembre", "set", "settembre", "wrz", "września"},
		{"oct", "october", "okt", "oktober", "octobre", "octubre", "ott", "ottobre", "paź", "października"},
		{"nov", "november", "novembre", "noviembre", "lis", "listopada"},
		{"dec", "december", "dez", "dezember", "déc", "décembre", "dic", "diciembre", "dicembre", "gru", "grudnia"},
	}
	for i, list := range names {
		for _, n := range list {
			months[n] = time.Month(i + 1)
		}
	}
}

var (
	// "Jun 12, 2022" (en-US)
	reMonthDayYear = regexp.MustCompile(`(?i)\b(\p{L}{3,12})\.?\s+(\d{1,2}),?\s+(\d{4})\b`)
	// "12 Jun, 2022", "12. Juni 2022", "12 jun. 2022", "12 de junio de 2022"
	reDayMonthYear = regexp.MustCompile(`(?i)\b(\d{1,2})\.?\s+(?:de\s+)?(\p{L}{3,12})\.?,?\s+(?:de\s+)?(\d{4})\b`)
	// "2022-06-12" (sv)
	reISO = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	// "12.06.2022" (de), "12-06-2022" (nl), "12/06/2022" (fr, en-GB; US order is ambiguous)
	reNumeric = regexp.MustCompile(`\b(\d{1,2})([./-])(\d{1,2})[./-](\d{4})\b`)
)

// findDate finds the first date in s and returns it as YYYY-MM-DD. Numeric
// dates with slashes are read day first (en-GB, fr, es, it) unless usOrder
// says the page's locale is en-US; Etsy's en-US pages spell the month out.
func findDate(s string, usOrder bool) (day string, ok bool) {
	// Every pattern below has a four-digit year, the ISO one dashes, and
	// the two with month names white space before the year: most lines
	// tried lack them, and the regexps cost more than a look.
	year, spaced := hasYear(s)
	if !year {
		return "", false
	}
	if strings.IndexByte(s, '-') >= 0 {
		if m := reISO.FindStringSubmatch(s); m != nil {
			return ymd(m[1], m[2], m[3])
		}
	}
	if spaced {
		// A word before a number is not always a month ("Carrie 12 ..."):
		// try every match, bounded, until one names a month.
		for _, m := range reMonthDayYear.FindAllStringSubmatch(s, 8) {
			if mon, found := months[strings.ToLower(m[1])]; found {
				return ymd(m[3], strconv.Itoa(int(mon)), m[2])
			}
		}
		for _, m := range reDayMonthYear.FindAllStringSubmatch(s, 8) {
			if mon, found := months[strings.ToLower(m[2])]; found {
				return ymd(m[3], strconv.Itoa(int(mon)), m[1])
			}
		}
	}
	if m := reNumeric.FindStringSubmatch(s); m != nil {
		d, mo := m[1], m[3]
		if m[2] == "/" && usOrder {
			d, mo = mo, d
		}
		return ymd(m[4], mo, d)
	}
	return "", false
}

// hasYear says whether s has four ASCII digits in a row (the patterns' \d),
// and whether some such run follows white space (the patterns' \s).
func hasYear(s string) (year, spaced bool) {
	run, start := 0, 0
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			if run == 0 {
				start = i
			}
			if run++; run >= 4 {
				year = true
				if start > 0 && strings.IndexByte(" \t\n\f\r", s[start-1]) >= 0 {
					return true, true
				}
			}
		} else {
			run = 0
		}
	}
	return year, false
}

// ymd validates a calendar date (no 31 June) and formats it.
func ymd(y, m, d string) (string, bool) {
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	di, err3 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || err3 != nil || yi < 2005 || yi > 2100 {
		return "", false
	}
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", yi, mi, di), true
}
