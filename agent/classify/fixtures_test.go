package classify

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/scrapers/scrapertest"
	"github.com/calmreply/calmreply/shared/review"
)

// realReview is one star-rated review from the team's shared datasets.
type realReview struct {
	text   string
	lang   string
	rating int // 0 when unknown
}

// realSets reads the shared review datasets (third-party text: read here,
// never copied into the repository).
var realSets = []struct {
	name string
	rel  string
	read func(t testing.TB, path string) []realReview
}{
	{"de coffee reviews", "reviews-de/marielledado-german-coffee-reviews/utopia_coffee_reviews_de.json", func(t testing.TB, p string) []realReview {
		var rows []struct {
			Rating int    `json:"rating"`
			Review string `json:"review"`
		}
		readJSON(t, p, &rows)
		var out []realReview
		for _, r := range rows {
			out = append(out, realReview{r.Review, "de", r.Rating})
		}
		return out
	}},
	{"de trustpilot insurer", "trustpilot/Ahmad1993Aj-trustpilot-reviews-scraper/oerag_trustpilot_reviews_de.csv", func(t testing.TB, p string) []realReview {
		return readCSV(t, p, "de", "rating", "text", "title")
	}},
	{"nl restaurant", "reviews-nl/TAMustafa-deBerenReviews/deBerenReviews.csv", func(t testing.TB, p string) []realReview {
		return readCSV(t, p, "nl", "stars", "review_text", "")
	}},
	{"sv trustpilot", "reviews-sv/TeaElming-trustpilot-scraper/trustpilot_sv_sample2000.csv", func(t testing.TB, p string) []realReview {
		return readCSV(t, p, "sv", "rating", "text", "")
	}},
	{"keytrade nl/fr/en", "trustpilot/jean-cheramy-keytrade-trustpilot-analysis/keytrade_trustpilot_reviews_nl_fr_en.json", func(t testing.TB, p string) []realReview {
		var rows []struct {
			Text     string `json:"text"`
			Title    string `json:"title"`
			Rating   int    `json:"rating"`
			Language string `json:"language"`
		}
		readJSON(t, p, &rows)
		var out []realReview
		for _, r := range rows {
			if r.Language == "nl" || r.Language == "fr" || r.Language == "en" {
				out = append(out, realReview{strings.TrimSpace(r.Title + ". " + r.Text), r.Language, r.Rating})
			}
		}
		return out
	}},
}

// TestRealReviews reports, per dataset and language, how often the detected
// language matches the dataset's (with no page language, and with the page
// language as a prior), and how often praise/complaint agrees with 4-5 and
// 1-2 stars. Stars are a noisy label, so that figure is a sanity check.
func TestRealReviews(t *testing.T) {
	c := mustNew(t)
	for _, set := range realSets {
		t.Run(set.name, func(t *testing.T) {
			rows := set.read(t, scrapertest.SharedFixture(t, set.rel))
			type tally struct{ n, bare, prior, pos, posOK, neg, negOK int }
			by := map[string]*tally{}
			confused := map[string]int{}
			for _, r := range rows {
				if strings.TrimSpace(r.text) == "" {
					continue
				}
				tl := by[r.lang]
				if tl == nil {
					tl = &tally{}
					by[r.lang] = tl
				}
				tl.n++
				in := Input{Text: r.text}
				if r.rating > 0 {
					in.Rating = &r.rating
				}
				if a := c.Classify(in); a.Lang == r.lang {
					tl.bare++
				} else {
					confused[r.lang+"→"+a.Lang]++
				}
				in.PageLang = r.lang
				a := c.Classify(in)
				if a.Lang == r.lang {
					tl.prior++
				}
				switch {
				case r.rating >= 4:
					tl.pos++
					if a.Kind == review.Praise {
						tl.posOK++
					}
				case r.rating >= 1 && r.rating <= 2:
					tl.neg++
					if a.Kind != review.Praise {
						tl.negOK++
					}
				}
			}
			langs := make([]string, 0, len(by))
			for l := range by {
				langs = append(langs, l)
			}
			sort.Strings(langs)
			for _, l := range langs {
				tl := by[l]
				bare, prior := ratio(tl.bare, tl.n), ratio(tl.prior, tl.n)
				t.Logf("%s n=%d lang-acc no-prior %.3f, with page prior %.3f; 4-5★ read as praise %.3f (n=%d); 1-2★ read as not praise %.3f (n=%d)",
					l, tl.n, bare, prior, ratio(tl.posOK, tl.pos), tl.pos, ratio(tl.negOK, tl.neg), tl.neg)
				if prior < realLangFloor {
					t.Errorf("%s: language accuracy with page prior %.3f < %.2f", l, prior, realLangFloor)
				}
			}
			if len(confused) > 0 {
				t.Logf("confusions without prior: %v", confused)
			}
		})
	}
}

// realLangFloor is the language accuracy real text must keep with the page
// language as prior.
const realLangFloor = 0.95

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// readCSV reads the text (and optional title) and rating columns by name.
func readCSV(t testing.TB, path, lang, ratingCol, textCol, titleCol string) []realReview {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, name := range []string{ratingCol, textCol} {
		if _, ok := col[name]; !ok {
			t.Fatalf("%s: no column %q in %v", path, name, recs[0])
		}
	}
	var out []realReview
	for _, rec := range recs[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		stars, _ := strconv.Atoi(strings.TrimSpace(get(ratingCol)))
		text := get(textCol)
		if titleCol != "" {
			if title := get(titleCol); title != "" && !strings.HasPrefix(text, strings.TrimSuffix(title, "…")) {
				text = fmt.Sprintf("%s. %s", title, text)
			}
		}
		out = append(out, realReview{text, lang, stars})
	}
	return out
}
