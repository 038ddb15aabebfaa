package reldate

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/scrapers/scrapertest"
	"github.com/calmreply/calmreply/shared/review"
)

var seen = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type tcase struct {
	Lang string           `json:"lang"`
	Raw  string           `json:"raw"`
	Got  review.DateRange `json:"got"`
}

// TestParse runs every case in testdata/cases.txt; the expected ranges are
// in the golden file testdata/cases.golden.json (rewrite with -update and
// check the diff by hand against the table in the package comment).
func TestParse(t *testing.T) {
	f, err := os.Open("testdata/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []tcase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) < 2 {
			t.Fatalf("bad case line %q", line)
		}
		lang, raw := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		got = append(got, tcase{Lang: lang, Raw: raw, Got: Parse(raw, lang, seen)})
	}
	scrapertest.Golden(t, "testdata/cases.golden.json", got)
}
