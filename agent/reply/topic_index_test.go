package reply

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

// TestTopicTokens: the first-byte index marks exactly the tokens (and
// topics) that trying every topic word at every token marks, in every
// language, on the evaluation texts.
func TestTopicTokens(t *testing.T) {
	var texts []string
	for _, file := range []string{"testdata/eval.jsonl", "testdata/items.jsonl"} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var c struct {
				Text string `json:"text"`
			}
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			texts = append(texts, c.Text)
		}
		f.Close()
	}
	if len(texts) == 0 {
		t.Fatal("no evaluation texts")
	}
	for _, lang := range Languages() {
		b := books[lang]
		for _, text := range texts {
			toks := tokenize(text)
			want := make([]uint64, len(toks))
			for i, tp := range review.Topics {
				for _, parts := range b.topicWordParts(string(tp)) {
					for at := range topicHits(toks, parts) {
						want[at] |= 1 << i
					}
				}
			}
			if got := b.topicTokens(toks); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: topicTokens(%q) = %v, want %v", lang, text, got, want)
			}
		}
	}
}
