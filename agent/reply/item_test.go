package reply

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

// itemCase is one review of testdata/items.jsonl: grammar traps for the
// product word a draft takes from the review (plural nouns, suffixed
// articles, compounds, diminutives, genitives) and the greeting's name.
type itemCase struct {
	ID     string         `json:"id"`
	Lang   string         `json:"lang"`
	Topics []review.Topic `json:"topics"`
	Author *string        `json:"author"`
	Text   string         `json:"text"`
	// Item and Plural: what findItem must read ("" = no product word).
	Item   string `json:"item"`
	Plural bool   `json:"plural"`
	// Name: what FirstName must greet by.
	Name string `json:"name"`
	// Key: the topic phrases the first clause must come from, when not
	// the first topic itself (a refinement such as "delivery_missing").
	Key string `json:"key"`
}

func loadItemCases(t *testing.T) []itemCase {
	t.Helper()
	f, err := os.Open("testdata/items.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []itemCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c itemCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("items.jsonl: %v", err)
		}
		out = append(out, c)
	}
	return out
}

// TestItemAgreement: the draft names the product in the customer's word,
// with the topic phrase that agrees in number, in every variant.
func TestItemAgreement(t *testing.T) {
	for _, c := range loadItemCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			b := books[c.Lang]
			got := findItem(b, tokenize(c.Text), c.Topics, b.DefaultTone)
			if got.text != c.Item || got.plural != c.Plural {
				t.Errorf("findItem(%q) = %q plural %v, want %q plural %v", c.Text, got.text, got.plural, c.Item, c.Plural)
			}
			if name := FirstName(c.Author); name != c.Name {
				t.Errorf("FirstName(%q) = %q, want %q", *c.Author, name, c.Name)
			}
			key := c.Key
			if key == "" {
				key = string(c.Topics[0])
			}
			// The clauses the draft may use: the topic's wordings for this
			// number, filled with the item (or the order when there is none).
			tp := b.Topics[key]
			alts := tp.alternatives(b.DefaultTone)
			if c.Plural {
				alts = tp.pluralAlternatives(b.DefaultTone)
			}
			item := c.Item
			base := Request{Review: review.Review{ID: c.ID, Author: c.Author, Text: c.Text}, Analysis: review.Analysis{Lang: c.Lang}}
			neutral := oneNamedPerson(base)
			if item == "" {
				for _, a := range b.Slots["item_default"].alternatives(b.DefaultTone) {
					if !neutral || !hasMark(a, b.NeutralMarks) {
						item = a // the order in the address the draft uses
						break
					}
				}
			}
			for v := range 3 {
				req := Request{
					Review:   review.Review{ID: c.ID, Author: c.Author, Text: c.Text},
					Analysis: review.Analysis{Lang: c.Lang, Kind: review.Complaint, Topics: c.Topics},
					Variant:  v,
				}
				d := Compose(req)
				found := false
				for _, a := range alts {
					if strings.Contains(d.Reply, strings.ReplaceAll(a, "{item}", item)) {
						found = true
					}
				}
				if !found {
					t.Errorf("variant %d names the problem with none of the %q wordings for %q:\n%s", v, key, item, d.Reply)
				}
				if neutral && strings.Contains(d.Reply, "Państw") {
					t.Errorf("variant %d addresses one person with the plural Państwo:\n%s", v, d.Reply)
				}
				if c.Name != "" && !strings.Contains(strings.SplitN(d.Reply, "\n", 2)[0], c.Name) {
					t.Errorf("variant %d greeting lacks %q:\n%s", v, c.Name, d.Reply)
				}
			}
		})
	}
}
