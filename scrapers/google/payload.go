package google

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/scrapers/reldate"
	"github.com/calmreply/calmreply/shared/review"
)

// Maps loads reviews as nested JSON arrays without keys (the review RPC,
// the place payload, the state embedded in a place page's HTML). Positions
// drift between captures, so reviews are found by shape wherever they sit:
//
//	current: [id, meta, content, reply, links, ...]
//	  meta    [placeFID, _, createdµs, editedµs, author, _, "2 months ago", ...]
//	  author  [_, _, [url], _, _, [name, photo, ...]]  or older [[_, n, n, photo, name, ...], ...]
//	  content [[rating], [text, lang, ...]?, ..., 14: [lang, ...], 15: [[original], [translation]]]
//	  reply   [_, createdµs, editedµs, "2 months ago", ..., 13: [lang, ...], 14: [[original], ...]]
//	older:   [[url, name, photo, ...], "a week ago", _, text, rating, _, userID, [report], _, reply, id, ...]
//	  reply   ["3 weeks ago", text, _, createdms, ...]
//
// Reviews from other sites that Maps aggregates (no Google star rating)
// are left out.

const (
	maxDepth = 64
	maxNodes = 2_000_000
)

var (
	reviewIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{16,300}$`)
	// Google review ids are base64 of a protobuf starting CIHM0og or
	// CAIQACod...; seeing them means reviews are there, whatever the layout.
	reviewIDLike = regexp.MustCompile(`"(?:Ch[ZdRc]DSUhN|Ci9DQUlR)[A-Za-z0-9_-]{8,}`)
	xssiPrefix   = []byte(")]}'")
	// hl= in the profile links, also when the payload escapes "=" as \u003d.
	payloadHL = regexp.MustCompile(`[?&]hl(?:=|\\{1,2}u003d)([A-Za-z]{2}(?:[-_][A-Za-z]{2})?)\b`)
)

type walker struct {
	nodes   int
	current map[string]*review.Review
	older   map[string]*review.Review
	order   []string
	hl      string
}

// parsePayload reads a JSON payload (with or without Google's )]}' guard).
func parsePayload(body []byte, seen time.Time) ([]review.Review, string, error) {
	v, err := decodeJSON(body)
	if err != nil {
		return nil, "", fmt.Errorf("%w: Google Maps payload is not JSON: %v", scrapers.ErrMalformed, err)
	}
	w := newWalker()
	w.walk(v, 0)
	return w.result(body, seen)
}

// parseEmbedded reads the state a Maps place page embeds in its HTML
// (window.APP_INITIALIZATION_STATE), including the JSON strings nested in it.
func parseEmbedded(body []byte, seen time.Time) ([]review.Review, string, error) {
	const marker = "APP_INITIALIZATION_STATE="
	i := bytes.Index(body, []byte(marker))
	if i < 0 {
		return nil, "", fmt.Errorf("%w: no reviews and no embedded Maps state", scrapers.ErrMarkupChanged)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body[i+len(marker):]))
	if err := dec.Decode(&v); err != nil {
		return nil, "", fmt.Errorf("%w: embedded Maps state: %v", scrapers.ErrMalformed, err)
	}
	w := newWalker()
	w.walk(v, 0)
	return w.result(body, seen)
}

func decodeJSON(body []byte) (any, error) {
	body = bytes.TrimSpace(body)
	if bytes.HasPrefix(body, xssiPrefix) {
		body = body[len(xssiPrefix):]
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func newWalker() *walker {
	return &walker{current: map[string]*review.Review{}, older: map[string]*review.Review{}}
}

func (w *walker) walk(v any, depth int) {
	w.nodes++
	if depth > maxDepth || w.nodes > maxNodes {
		return
	}
	switch x := v.(type) {
	case string:
		// Place data nests further JSON documents as strings.
		if len(x) > 100 && strings.HasPrefix(x, ")]}'") {
			if inner, err := decodeJSON([]byte(x)); err == nil {
				w.walk(inner, depth+1)
			}
		}
	case []any:
		if r, ok := currentReview(x); ok {
			w.add(w.current, r)
			return
		}
		if r, ok := olderReview(x); ok {
			w.add(w.older, r)
			return
		}
		for _, e := range x {
			w.walk(e, depth+1)
		}
	case map[string]any:
		for _, e := range x {
			w.walk(e, depth+1)
		}
	}
}

func (w *walker) add(into map[string]*review.Review, r review.Review) {
	if _, dup := into[r.ID]; dup {
		return
	}
	if _, seen := w.current[r.ID]; !seen {
		if _, seen := w.older[r.ID]; !seen {
			w.order = append(w.order, r.ID)
		}
	}
	into[r.ID] = &r
}

// result merges both layouts (the current one wins, the older one fills
// what it lacks, such as the owner's reply in some captures) and turns the
// relative dates into ranges.
func (w *walker) result(body []byte, seen time.Time) ([]review.Review, string, error) {
	if m := payloadHL.FindSubmatch(body); m != nil {
		w.hl = string(m[1])
	}
	out := make([]review.Review, 0, len(w.order))
	for _, id := range w.order {
		cur, old := w.current[id], w.older[id]
		r := cur
		if r == nil {
			r = old
		} else if old != nil {
			if r.ShopReply == nil {
				r.ShopReply = old.ShopReply
			}
			if r.Text == "" {
				r.Text = old.Text
			}
			if r.Author == nil {
				r.Author = old.Author
			}
		}
		if r.Date == nil && r.DateRange != nil {
			d := reldate.Parse(r.DateRange.Raw, w.hl, seen)
			r.DateRange = &d
		}
		out = append(out, *r)
	}
	if len(out) == 0 {
		if reviewIDLike.Match(body) {
			return nil, "", fmt.Errorf("%w: the Maps data holds review ids but no review in a known layout", scrapers.ErrMarkupChanged)
		}
		return nil, "", fmt.Errorf("%w: the Maps data holds no reviews", scrapers.ErrNoReviews)
	}
	return out, w.hl, nil
}

// currentReview reads [id, meta, content, reply, ...].
func currentReview(x []any) (review.Review, bool) {
	id, ok := at(x, 0).(string)
	if !ok || !reviewIDRe.MatchString(id) {
		return review.Review{}, false
	}
	meta, _ := at(x, 1).([]any)
	content, _ := at(x, 2).([]any)
	if len(meta) < 7 || content == nil {
		return review.Review{}, false
	}
	created, ok := at(meta, 2).(float64)
	if !ok {
		return review.Review{}, false
	}
	stars, ok := at(at(content, 0), 0).(float64)
	if !ok || stars < 1 || stars > 5 || stars != float64(int(stars)) {
		return review.Review{}, false // not a Google star rating (aggregated from another site)
	}
	n := int(stars)
	r := review.Review{Platform: review.Google, ID: id, Rating: &n}

	day := time.UnixMicro(int64(created)).UTC().Format("2006-01-02")
	rel, _ := at(meta, 6).(string)
	r.Date = &day
	r.DateRange = &review.DateRange{From: day, To: day, Precision: review.Day, Raw: oneLine(rel)}

	author := str(at(meta, 4), 5, 0) // current
	if author == "" {
		author = str(at(meta, 4), 0, 4) // older
	}
	if author == "" {
		author = str(at(meta, 4), 1, 1)
	}
	if author != "" {
		r.Author = &author
	}

	// Prefer the original text over Google's translation.
	r.Text = tidy(str(content, 15, 0, 0))
	if r.Text == "" {
		r.Text = tidy(str(content, 1, 0))
	}
	r.Lang = str(content, 14, 0)
	if r.Lang == "" {
		r.Lang = str(content, 1, 1)
	}

	if reply, ok := at(x, 3).([]any); ok {
		for i := 13; i < len(reply) && i < 20; i++ {
			if t := tidy(str(reply, i, 0, 0)); t != "" {
				r.ShopReply = &t
				break
			}
		}
	}
	r.URL = findString(x[min(4, len(x)):], "https://www.google.com/maps/reviews/", 0)
	return r, true
}

// olderReview reads [[author...], "a week ago", _, text, rating, ..., 9: reply, 10: id].
func olderReview(x []any) (review.Review, bool) {
	if len(x) < 11 {
		return review.Review{}, false
	}
	id, ok := at(x, 10).(string)
	if !ok || !reviewIDRe.MatchString(id) {
		return review.Review{}, false
	}
	stars, ok := at(x, 4).(float64)
	rel, ok2 := at(x, 1).(string)
	if !ok || !ok2 || stars < 1 || stars > 5 || stars != float64(int(stars)) {
		return review.Review{}, false
	}
	n := int(stars)
	r := review.Review{Platform: review.Google, ID: id, Rating: &n, Text: tidy(str(x, 3))}
	r.DateRange = &review.DateRange{Precision: review.Unknown, Raw: oneLine(rel)}
	if a := str(x, 0, 1); a != "" {
		r.Author = &a
	}
	if t := tidy(str(x, 9, 1)); t != "" {
		r.ShopReply = &t
	}
	return r, true
}

// at indexes into nested arrays, nil when out of range or not an array.
func at(v any, i int) any {
	a, ok := v.([]any)
	if !ok || i < 0 || i >= len(a) {
		return nil
	}
	return a[i]
}

// str follows a path of indexes to a string.
func str(v any, path ...int) string {
	for _, i := range path {
		v = at(v, i)
	}
	s, _ := v.(string)
	return s
}

// findString is the first string below v with the prefix (bounded search).
func findString(v any, prefix string, depth int) string {
	if depth > 8 {
		return ""
	}
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, prefix) {
			return x
		}
	case []any:
		for _, e := range x {
			if s := findString(e, prefix, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}
