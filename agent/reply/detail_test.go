package reply

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

// detailCase is one review of testdata/details.jsonl: a trap for a detail
// the draft could invent ("took a day off" read as a delivery time, a
// parcel named but no delay, an order number or a size read as the item).
type detailCase struct {
	ID     string         `json:"id"`
	Lang   string         `json:"lang"`
	Topics []review.Topic `json:"topics"`
	Text   string         `json:"text"`
	// Duration: what findDuration must read ("" = no waiting time).
	Duration string `json:"duration"`
	// Keys: the topic phrases the problem may name, in order.
	Keys []string `json:"keys"`
	// Item, when given: what findItem must read ("" = no product word).
	Item *string `json:"item"`
	// Absent: words no variant of the reply or private message may say.
	Absent []string `json:"absent"`
}

// TestDetailsSaid: every detail a draft names is one the review says, in
// every variant of the public reply and the private message.
func TestDetailsSaid(t *testing.T) {
	f, err := os.Open("testdata/details.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c detailCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("details.jsonl: %v", err)
		}
		t.Run(c.ID, func(t *testing.T) {
			b := books[c.Lang]
			if b == nil {
				t.Fatalf("no phrase book %q", c.Lang)
			}
			toks := tokenize(c.Text)
			if got := findDuration(b, toks); got != c.Duration {
				t.Errorf("findDuration(%q) = %q, want %q", c.Text, got, c.Duration)
			}
			if c.Item != nil {
				if got := findItem(b, toks, c.Topics, b.DefaultTone); got.text != *c.Item {
					t.Errorf("findItem(%q) = %q, want %q", c.Text, got.text, *c.Item)
				}
			}
			req := Request{
				Review:   review.Review{ID: c.ID, Platform: review.Etsy, Lang: c.Lang, Text: c.Text},
				Analysis: review.Analysis{Lang: c.Lang, Kind: review.Complaint, Topics: c.Topics},
			}
			w, _ := newWriter(req)
			if got := w.problemKeys(); strings.Join(got, ",") != strings.Join(c.Keys, ",") {
				t.Errorf("problemKeys = %v, want %v", got, c.Keys)
			}
			for v := range 6 {
				req.Variant = v
				d := Compose(req)
				text := d.Reply + "\n" + d.PrivateMessage
				for _, a := range c.Absent {
					if strings.Contains(strings.ToLower(text), strings.ToLower(a)) {
						t.Errorf("variant %d says %q, which the review does not:\n%s", v, a, text)
					}
				}
				if c.Duration != "" && !strings.Contains(d.Reply, c.Duration) {
					t.Errorf("variant %d does not name the wait %q:\n%s", v, c.Duration, d.Reply)
				}
			}
		})
	}
}
