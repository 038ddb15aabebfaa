package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the examples below")

// examples holds one message per type. testdata/<type>.json is written from
// it with -update and read by both this test and the extension's tests.
func examples() map[string]Message {
	ptr := func(s string) *string { return &s }
	four := 2
	seen := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	rr := ReviewResult{
		Key: "1234567890",
		Review: review.Review{
			Platform: review.Etsy, ID: "1234567890", Author: ptr("Mara"), Rating: &four,
			Date: ptr("2026-11-18"), Text: "Die Tasse kam leider zerbrochen an.", ShopReply: nil,
			Listing: &review.Listing{ID: "987654", Title: "Handgetöpferte Tasse"},
		},
		Analysis: review.Analysis{Lang: "de", Kind: review.Complaint, Topics: []review.Topic{review.Damaged},
			Action: review.ReplyNow, Confidence: 0.9, Reasons: []string{"\"zerbrochen\" → damaged", "2 stars"}},
		Draft:    review.Draft{Lang: "de", Reply: "Liebe Mara, …", PrivateMessage: "Hallo Mara, …", Note: "", Variant: 0},
		Deadline: &review.Deadline{Due: seen.Add(2 * time.Hour), Kind: "private_contact", Reason: "negative review: contact the buyer privately first"},
		Notices:  []review.Notice{{Code: "reply_locks_review", DaysLeft: &four, Text: "Replying stops the buyer from updating this review."}},
		State:    review.Open, FirstSeen: seen,
	}
	msg := func(typ, id string, p any) Message {
		b, err := json.Marshal(p)
		if err != nil {
			panic(err)
		}
		return Message{Type: typ, ID: id, Data: b}
	}
	client := ClientInfo{Name: "calmreply", Version: "0.1.0", Browser: "chromium"}
	return map[string]Message{
		TypePair:         msg(TypePair, "1", Pair{Code: "K7M-2QX", Versions: []int{1}, Client: client}),
		TypeAuth:         msg(TypeAuth, "1", Auth{Token: strings.Repeat("ab", 32), Versions: []int{1}, Client: client}),
		TypePing:         msg(TypePing, "7", Empty{}),
		TypeAnalyzePage:  msg(TypeAnalyzePage, "2", AnalyzePage{URL: "https://www.etsy.com/shop/Tonwerk/reviews", PageLang: "de", Items: []PageItem{{Key: "1234567890", HTML: `<div data-review-region="1234567890">…</div>`}}}),
		TypeSetState:     msg(TypeSetState, "3", SetState{ReviewRef: ReviewRef{Platform: review.Etsy, ReviewID: "1234567890"}, State: review.Inserted}),
		TypeRedraft:      msg(TypeRedraft, "4", Redraft{ReviewRef: ReviewRef{Platform: review.Etsy, ReviewID: "1234567890"}, Variant: 1}),
		TypeGetSettings:  msg(TypeGetSettings, "5", Empty{}),
		TypeSaveSettings: msg(TypeSaveSettings, "6", review.Settings{ShopName: "Tonwerk", Signature: "Anna von Tonwerk", Contact: review.Contact{Email: "hallo@tonwerk.example"}, Tone: "formal", Offers: review.Offers{Replacement: true}}),
		TypeListInbox:    msg(TypeListInbox, "8", InboxQuery{State: review.Open, Limit: 50}),
		TypeListSources:  msg(TypeListSources, "9", Empty{}),
		TypeAddSource:    msg(TypeAddSource, "10", SourceURL{URL: "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html"}),
		TypeRemoveSource: msg(TypeRemoveSource, "11", SourceURL{URL: "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html"}),
		TypeCatchUp:      msg(TypeCatchUp, "12", CatchUp{AfterSeq: 41}),
		TypeFetchResult:  msg(TypeFetchResult, "a-3", FetchResult{URL: "https://www.etsy.com/your/shops/me/reviews", Status: 200, HTML: "<html>…</html>"}),
		TypeGetStats:     msg(TypeGetStats, "13", Empty{}),

		TypePaired:     msg(TypePaired, "1", Paired{Token: strings.Repeat("ab", 32)}),
		TypeHello:      msg(TypeHello, "1", Hello{Version: 1, AgentVersion: "0.1.0", LastSeq: 41, Profiles: []site.Profile{{Platform: "etsy", Pages: []site.Page{{Name: "shop_reviews", Match: []string{`^https://www\.etsy\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?shop/[^/?#]+`}, Hosts: []string{"https://www.etsy.com/*"}, Review: "[data-review-region]", ID: site.IDRule{Attr: "data-review-region"}}}, Policy: site.Policy{ReplyMaxRating: 3, ReplyLocksReview: true, ReviewWindowDays: 100}}}}),
		TypePong:       msg(TypePong, "7", Empty{}),
		TypePageResult: msg(TypePageResult, "2", PageResult{URL: "https://www.etsy.com/shop/Tonwerk/reviews", Platform: review.Etsy, PageKind: "shop_reviews", Results: []ReviewResult{rr}, Errors: []ItemError{{Key: "x1", Error: Error{Code: CodeMarkupChanged, Message: "review element has no rating"}}}}),
		TypeAck:        msg(TypeAck, "3", Empty{}),
		TypeDraft:      msg(TypeDraft, "4", rr),
		TypeSettings:   msg(TypeSettings, "5", review.Settings{ShopName: "Tonwerk", Tone: "formal"}),
		TypeInbox:      msg(TypeInbox, "8", Inbox{Items: []ReviewResult{rr}, Open: 1}),
		TypeSources:    msg(TypeSources, "9", Sources{Sources: []Source{{URL: "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html", Platform: review.TrustedShops, Fetcher: "agent", LastSuccess: &seen, NextRun: &seen}}}),
		TypeEvents:     msg(TypeEvents, "12", Events{Events: []Event{{Seq: 42, Kind: EventNewReview, At: seen, Review: &rr}}, LastSeq: 42}),
		TypeEvent:      msg(TypeEvent, "", Event{Seq: 43, Kind: EventSourceError, At: seen, Source: "https://www.etsy.com/your/shops/me/reviews", Error: "calmreply does not understand this page any more"}),
		TypeFetchPage:  msg(TypeFetchPage, "a-3", FetchPage{URL: "https://www.etsy.com/your/shops/me/reviews"}),
		TypeStats:      msg(TypeStats, "13", Stats{Platforms: []PlatformStats{{Platform: review.Etsy, Reviews: 12, Months: []MonthRating{{Month: "2026-10", Average: 4.5, Count: 10}}, Answered: 0.5}}}),
		TypeError:      msg(TypeError, "2", Error{Code: CodeUnauthenticated, Message: "authenticate first: send auth with the paired token"}),
	}
}

func TestEveryTypeHasAGoldenExample(t *testing.T) {
	ex := examples()
	types := make([]string, 0, len(Payloads))
	for typ := range Payloads {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			m, ok := ex[typ]
			if !ok {
				t.Fatalf("no example for message type %q: add one to examples()", typ)
			}
			path := filepath.Join("testdata", typ+".json")
			if *update {
				b, _ := json.MarshalIndent(m, "", "  ")
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/protocol -update)", err)
			}
			got, payload, err := Decode(raw)
			if err != nil {
				t.Fatalf("Decode(%s) = %v", path, err)
			}
			if got.Type != typ {
				t.Fatalf("Decode(%s).Type = %q, want %q", path, got.Type, typ)
			}
			// Round trip: re-encoding the typed payload gives the same JSON.
			again, err := Encode(got.Type, got.ID, payload)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, again, raw) {
				t.Errorf("round trip of %s changed it:\n%s", path, again)
			}
		})
	}
}

func TestNoStrayGoldenFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		typ := strings.TrimSuffix(filepath.Base(f), ".json")
		if _, ok := Payloads[typ]; !ok {
			t.Errorf("%s names no message type", f)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"not json", `hello`},
		{"unknown type", `{"type":"rm_rf","id":"1"}`},
		{"unknown envelope field", `{"type":"ping","id":"1","token":"x"}`},
		{"unknown payload field", `{"type":"auth","id":"1","data":{"token":"x","admin":true}}`},
		{"wrong payload type", `{"type":"catch_up","id":"1","data":{"after_seq":"many"}}`},
		{"trailing data", `{"type":"ping","id":"1"} {"type":"ping"}`},
		{"deep nesting", `{"type":"ping","id":"1","data":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`},
		{"invalid utf-8", "{\"type\":\"ping\",\"id\":\"\xff\xfe\"}"},
		{"small type too large", `{"type":"ping","id":"` + strings.Repeat("x", MaxSmallBytes) + `"}`},
		{"too large", `{"type":"analyze_page","id":"1","data":{"url":"` + strings.Repeat("x", MaxMessageBytes) + `"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode([]byte(tt.raw))
			if !errors.Is(err, ErrBadMessage) {
				t.Errorf("Decode(%.60q) error = %v, want ErrBadMessage", tt.raw, err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"type":"ping"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, p, err := Decode(raw)
		if err != nil {
			return
		}
		if _, ok := Payloads[m.Type]; !ok || p == nil {
			t.Fatalf("Decode accepted unknown type %q", m.Type)
		}
	})
}

// TestAgentMessagesMayBeLarge: a catch_up or inbox of hundreds of reviews is
// far above the client's small-message cap, and a client must still read it.
func TestAgentMessagesMayBeLarge(t *testing.T) {
	ex := examples()[TypeEvents]
	var evs Events
	if err := json.Unmarshal(ex.Data, &evs); err != nil {
		t.Fatal(err)
	}
	for len(evs.Events) < 2000 {
		evs.Events = append(evs.Events, evs.Events[0])
	}
	raw, err := Encode(TypeEvents, "c", evs)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) <= MaxMessageBytes/4 {
		t.Fatalf("test message only %d bytes", len(raw))
	}
	if _, _, err := Decode(raw); err != nil {
		t.Fatalf("Decode(events of %d bytes) = %v", len(raw), err)
	}
	// What a client sends stays small.
	if LimitFor(TypeCatchUp) != MaxSmallBytes || LimitFor(TypeAnalyzePage) != MaxMessageBytes {
		t.Errorf("client limits changed: catch_up %d, analyze_page %d", LimitFor(TypeCatchUp), LimitFor(TypeAnalyzePage))
	}
}
