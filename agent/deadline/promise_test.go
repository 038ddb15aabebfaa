package deadline

import (
	"math"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
)

// promiseTexts builds texts around every lead, number and unit the policy
// knows, in the spellings the filter must not miss: other case, Unicode
// fold partners (ſ for s, the Kelvin sign for k), tabs and line breaks for
// spaces, punctuation or nothing before the lead, a letter glued before it.
func promiseTexts() []string {
	var out []string
	langs := make([]string, 0, len(policy.Promises))
	for l := range policy.Promises {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		w := policy.Promises[l]
		nums := []string{"2", "24"}
		for n := range w.Numbers {
			nums = append(nums, n)
		}
		sort.Strings(nums)
		units := append(append(append([]string{}, w.Hours...), w.Days...), w.WorkingDays...)
		for i, lead := range w.Lead {
			num, unit := nums[i%len(nums)], units[i%len(units)]
			base := lead + " " + num + " " + unit
			out = append(out,
				"We reply "+base+".",
				base,
				"("+strings.ToUpper(base)+")",
				strings.ReplaceAll(base, " ", "\t\n "),
				strings.ReplaceAll(strings.ReplaceAll(base, "s", "ſ"), "k", "\u212a"),
				"x"+base, // glued to a word: no match
				"1"+base, // after a digit: a word start
				"«"+base+"»",
			)
		}
	}
	return append(out,
		"", "within", "within ", "within 3", "in the next 2 days", "In\u00a0the next 2 days",
		"invalid \xff"+"within 2 days", "\xc3within 2 days", "innerhalb von\v2 Tagen",
		"Wir melden uns innerhalb von 24 Stunden bei Ihnen.", "Thanks for your review!",
		// A lead word that promises nothing comes before the one that does.
		"It is in the box; within reach; within 2 days we write.",
		"Binnen de doos, binnen 2 dagen.", "in den Karton, innerhalb 3 Tagen", "innen innen 2 dager",
	)
}

// TestPromiseFilter: the lead-word filter never hides a rule whose regexp
// matches, so findPromise answers exactly as running every rule would.
func TestPromiseFilter(t *testing.T) {
	for _, text := range promiseTexts() {
		checkFilter(t, text)
	}
}

func checkFilter(t *testing.T, text string) {
	t.Helper()
	mask, from := candidates(text)
	for i, r := range promises {
		if i >= maxFiltered {
			break
		}
		loc := r.re.FindStringIndex(text)
		switch {
		case loc != nil && mask&(1<<i) == 0:
			t.Errorf("candidates(%q) leaves out rule %d, whose pattern matches", text, i)
		case loc != nil && from[i] > loc[1]:
			t.Errorf("candidates(%q) starts rule %d at %d, after its match %v", text, i, from[i], loc)
		}
	}
	c, _ := newClock(nil)
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	d1, w1, ok1 := findPromise(text, c, base)
	d2, w2, ok2 := firstPromise(text, c, base, math.MaxUint64, &[maxFiltered]int{})
	if ok1 != ok2 || w1 != w2 || !d1.Equal(d2) {
		t.Errorf("findPromise(%q) = %v %q %v, every rule gives %v %q %v", text, d1, w1, ok1, d2, w2, ok2)
	}
}

func FuzzPromiseFilter(f *testing.F) {
	for _, text := range promiseTexts() {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkFilter(t, text)
	})
}

// BenchmarkFindPromise is a draft without a promise: the common case.
func BenchmarkFindPromise(b *testing.B) {
	c, _ := newClock(nil)
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	text := strings.Repeat("Thank you so much for your kind words about the blue mug; we are glad it arrived safely in time. ", 4)
	for b.Loop() {
		findPromise(text, c, base)
	}
}

// TestFoldKey: runes that fold together share a key, and the ASCII short
// cut agrees with the orbit walk.
func TestFoldKey(t *testing.T) {
	for r := rune(0); r < 0x2200; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if foldKey(f) != foldKey(r) {
				t.Fatalf("foldKey(%q) = %q, foldKey(%q) = %q; they fold together", f, foldKey(f), r, foldKey(r))
			}
			if !equalFold(r, f) {
				t.Fatalf("equalFold(%q, %q) = false; they fold together", r, f)
			}
		}
	}
}
