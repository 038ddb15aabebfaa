package reldate

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/shared/review"
)

// FuzzParse: never panics; a result is either unknown without dates or a
// valid range that ends no later than the day after the page was seen.
func FuzzParse(f *testing.F) {
	if fh, err := os.Open("testdata/cases.txt"); err == nil {
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if parts := strings.Split(sc.Text(), "|"); len(parts) >= 2 && !strings.HasPrefix(parts[0], "#") {
				f.Add(strings.TrimSpace(parts[1]), strings.TrimSpace(parts[0]))
			}
		}
		fh.Close()
	}
	f.Fuzz(func(t *testing.T, raw, lang string) {
		got := Parse(raw, lang, seen)
		if got.Precision == review.Unknown {
			if got.From != "" || got.To != "" {
				t.Fatalf("Parse(%q) = %+v: unknown with dates", raw, got)
			}
			return
		}
		from, err1 := time.Parse(isoDate, got.From)
		to, err2 := time.Parse(isoDate, got.To)
		if err1 != nil || err2 != nil || to.Before(from) || to.After(seen.AddDate(0, 0, 1)) {
			t.Fatalf("Parse(%q, %q) = %+v: bad range", raw, lang, got)
		}
	})
}
