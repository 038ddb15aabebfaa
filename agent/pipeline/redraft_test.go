package pipeline

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/review"
)

// TestRedraftUsesTheSellersModel: "Another wording" with a model configured
// asks the model and keeps its checked answer; with the model gone, the
// built-in composer answers and the note says why.
func TestRedraftUsesTheSellersModel(t *testing.T) {
	const answer = "Hallo Anna,\n\nes tut uns wirklich leid, dass Ihre Tasse zerbrochen bei Ihnen angekommen ist. " +
		"Wir melden uns innerhalb von 24 Stunden bei Ihnen, um alles zu klären. Danke, dass Sie uns Bescheid gegeben haben. " +
		"Schreiben Sie uns gern an hallo@tonhaus.example.\n\nHerzliche Grüße"
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path != "/v1/chat/completions" {
			t.Errorf("model asked at %s", r.URL.Path)
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": answer}}}})
	}))
	defer srv.Close()

	sc, err := scrapers.ByName("etsy")
	if err != nil {
		t.Fatal(err)
	}
	two, author := 2, "Anna"
	rec := store.Record{
		Review:    review.Review{Platform: review.Etsy, ID: "77", Rating: &two, Author: &author, Text: "Die Tasse kam leider zerbrochen an."},
		FirstSeen: time.Now(), Variant: 1,
	}
	st := review.Settings{Contact: review.Contact{Email: "hallo@tonhaus.example"}, LLM: &review.LLM{Endpoint: srv.URL + "/v1", Model: "m"}}
	pol := sc.Profile().Policy

	builtin := rec
	Fill(&builtin, pol, "de", st, time.Now())
	if calls != 0 {
		t.Fatalf("Fill asked the model %d times; a page is drafted by the built-in composer", calls)
	}

	Redraft(context.Background(), &rec, pol, "de", st, time.Now())
	if calls != 1 || rec.Draft.Reply != answer {
		t.Fatalf("Redraft: %d model calls, reply %q; want the model's answer", calls, rec.Draft.Reply)
	}
	if rec.Deadline == nil {
		t.Error("Redraft left no deadline")
	}

	srv.Close() // the model goes away
	again := store.Record{Review: rec.Review, FirstSeen: rec.FirstSeen, Variant: 1}
	Redraft(context.Background(), &again, pol, "de", st, time.Now())
	if again.Draft.Reply != builtin.Draft.Reply || !strings.Contains(strings.ToLower(again.Draft.Note), "model") {
		t.Errorf("without the model: reply %q note %q; want the built-in draft and a note", again.Draft.Reply, again.Draft.Note)
	}
}
