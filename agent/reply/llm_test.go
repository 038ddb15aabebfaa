package reply

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// standIn is a local server speaking the chat-completions API. It checks
// each request's shape and answers as the test case says.
type standIn struct {
	t      *testing.T
	apiKey string // expected bearer token; "" means no Authorization header
	model  string
	reply  func(w http.ResponseWriter, r *http.Request)
	calls  atomic.Int32
	last   atomic.Pointer[chatRequest]
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		s.t.Errorf("request %s %s, want POST /v1/chat/completions", r.Method, r.URL.Path)
	}
	if got, want := r.Header.Get("Authorization"), bearer(s.apiKey); got != want {
		s.t.Errorf("Authorization = %q, want %q", got, want)
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.t.Errorf("request body: %v", err)
	}
	if req.Model != s.model || len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		s.t.Errorf("request = model %q, %d messages, want model %q with system and user", req.Model, len(req.Messages), s.model)
	} else {
		for _, must := range []string{"Never:", "blame the courier", "24 hours"} {
			if !strings.Contains(req.Messages[0].Content, must) {
				s.t.Errorf("system prompt lacks %q", must)
			}
		}
	}
	s.last.Store(&req)
	s.reply(w, r)
}

func bearer(key string) string {
	if key == "" {
		return ""
	}
	return "Bearer " + key
}

// answer replies with a chat completion whose content is a testdata file.
func answer(t *testing.T, file string) func(http.ResponseWriter, *http.Request) {
	data, err := os.ReadFile(filepath.Join("testdata", "llm", file))
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion",
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": string(data)}, "finish_reason": "stop"}},
		})
	}
}

func llmRequest(lang, text, author string, endpoint string) Request {
	return Request{
		Review:   review.Review{Platform: review.Google, ID: "m1", Author: &author, Rating: ptr(1), Text: text},
		Analysis: review.Analysis{Lang: lang, Kind: review.Complaint, Topics: []review.Topic{review.Damaged}},
		Settings: review.Settings{
			ShopName: "Tonhaus", Contact: review.Contact{Email: "hallo@tonhaus.example"},
			Offers: review.Offers{Replacement: true},
			LLM:    &review.LLM{Endpoint: endpoint, Model: "calm-7b", TimeoutMS: 2000},
		},
		Policy: site.Policy{ReplyMaxBytes: 4096},
	}
}

func TestModelDraft(t *testing.T) {
	de := func(url string) Request {
		return llmRequest("de", "Meine Tasse kam kaputt an. Sehr schade.", "Anna K.", url)
	}
	en := func(url string) Request {
		return llmRequest("en", "My lamp arrived broken, very disappointed.", "Tom", url)
	}
	es := func(url string) Request {
		return llmRequest("es", "La taza llegó rota. Qué pena.", "Lucía", url)
	}
	slow := func(w http.ResponseWriter, r *http.Request) {
		select { // hold the answer until the client gives up
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tests := []struct {
		name    string
		req     func(url string) Request
		apiKey  string
		timeout int // ms; 0 keeps the request's
		reply   func(http.ResponseWriter, *http.Request)
		used    bool
		note    string // the note contains this
	}{
		{name: "good answer", req: de, apiKey: "sk-local", reply: answer(t, "good_de.txt"), used: true, note: "language model"},
		{name: "good answer, language the classifier does not read", req: es, reply: answer(t, "good_es.txt"), used: true, note: "language model"},
		{name: "English for a Spanish review", req: es, reply: answer(t, "wrong_lang.txt"), note: "written in English, not in the review's language Spanish"},
		{name: "reasoning block stripped", req: en, reply: answer(t, "think_en.txt"), used: true, note: "checked"},
		{name: "slow", req: de, timeout: 100, reply: slow, note: "no answer within 100ms"},
		{name: "server error", req: de, reply: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "model not loaded", http.StatusInternalServerError)
		}, note: "HTTP 500"},
		{name: "malformed JSON", req: de, reply: func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"choices": [ {"message": `))
		}, note: "not chat-completion JSON"},
		{name: "no choices", req: de, reply: func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"choices": []}`))
		}, note: "no message"},
		{name: "empty content", req: de, reply: func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"choices": [{"message": {"role": "assistant", "content": "  \n"}}]}`))
		}, note: "empty"},
		{name: "huge body", req: de, reply: func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"choices": [{"message": {"content": "` + strings.Repeat("a", maxModelBody) + `"}}]}`))
		}, note: "larger than 256 KiB"},
		{name: "wrong language", req: de, reply: answer(t, "wrong_lang.txt"), note: "written in English, not in the review's language German"},
		{name: "defensive", req: en, reply: answer(t, "defensive_en.txt"), note: `blame on someone else: "the courier"`},
		{name: "lecturing", req: en, reply: answer(t, "lecture_en.txt"), note: "defensive wording"},
		{name: "promise not enabled", req: en, reply: answer(t, "promise_en.txt"), note: "an offer the shop has not enabled"},
		{name: "placeholder", req: en, reply: answer(t, "placeholder_en.txt"), note: "unfilled placeholder"},
		{name: "over the limit", req: func(url string) Request {
			r := de(url)
			r.Policy.ReplyMaxBytes = 300
			return r
		}, reply: answer(t, "good_de.txt"), note: "over the platform's limit of 300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &standIn{t: t, apiKey: tt.apiKey, model: "calm-7b", reply: tt.reply}
			srv := httptest.NewServer(s)
			defer srv.Close()
			req := tt.req(srv.URL + "/v1/")
			req.Settings.LLM.APIKey = tt.apiKey
			if tt.timeout > 0 {
				req.Settings.LLM.TimeoutMS = tt.timeout
			}
			builtin := Compose(req)
			d := Draft(context.Background(), req)
			if s.calls.Load() != 1 {
				t.Fatalf("stand-in called %d times, want 1", s.calls.Load())
			}
			if !strings.Contains(d.Note, tt.note) {
				t.Errorf("note %q lacks %q", d.Note, tt.note)
			}
			if tt.used {
				if d.Reply == builtin.Reply || strings.Contains(d.Reply, "<think>") || d.Reply != strings.TrimSpace(d.Reply) {
					t.Errorf("model reply not used or not cleaned:\n%s", d.Reply)
				}
			} else if d.Reply != builtin.Reply || !strings.Contains(d.Note, "built-in draft") {
				t.Errorf("got reply %q, note %q; want the built-in draft and a note saying so", d.Reply, d.Note)
			}
			if d.PrivateMessage != builtin.PrivateMessage || d.CheckBack != builtin.CheckBack {
				t.Errorf("private message or check-back changed")
			}
			if last := s.last.Load(); last != nil {
				user := last.Messages[1].Content
				for _, must := range []string{req.Review.Text, "Anna", "damaged", "Tonhaus", builtin.Reply} {
					if strings.Contains(req.Review.Text, "Tasse") && !strings.Contains(user, must) {
						t.Errorf("user message lacks %q:\n%s", must, user)
					}
				}
				if sys := last.Messages[0].Content; !strings.Contains(sys, "allows: a replacement. Nothing else.") {
					t.Errorf("system prompt does not list exactly the enabled offers:\n%s", sys)
				}
			}
		})
	}
}

func TestModelUnreachable(t *testing.T) {
	// A port that was just free: nothing listens there any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	req := llmRequest("de", "Meine Tasse kam kaputt an.", "Anna", "http://"+addr+"/v1")
	d := Draft(context.Background(), req)
	if d.Reply != Compose(req).Reply || !strings.Contains(d.Note, "could not reach http://"+addr) {
		t.Errorf("got note %q, want the built-in draft and an unreachable note", d.Note)
	}

	req.Settings.LLM.Endpoint = "ftp://example.invalid"
	if d := Draft(context.Background(), req); d.Reply != Compose(req).Reply || !strings.Contains(d.Note, "not an http(s) URL") {
		t.Errorf("bad endpoint: note %q", d.Note)
	}
}

func TestModelNotAsked(t *testing.T) {
	s := &standIn{t: t, model: "calm-7b", reply: answer(t, "good_de.txt")}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, kind := range []review.Kind{review.Troll, review.Abusive, review.Spam} {
		req := llmRequest("de", "Alles Betrüger hier.", "Anna", srv.URL+"/v1")
		req.Analysis.Kind = kind
		if d, want := Draft(context.Background(), req), Compose(req); d != want {
			t.Errorf("%s: Draft = %+v, want the built-in %+v", kind, d, want)
		}
	}
	// Etsy's rule leaves no public reply for a happy review: nothing to ask.
	req := llmRequest("de", "Wunderschön, danke!", "Anna", srv.URL+"/v1")
	req.Analysis.Kind, req.Review.Rating, req.Policy = review.Praise, ptr(5), site.Policy{ReplyMaxRating: 3}
	if d := Draft(context.Background(), req); d.Reply != "" {
		t.Errorf("etsy praise: reply %q, want none", d.Reply)
	}
	if n := s.calls.Load(); n != 0 {
		t.Errorf("stand-in called %d times, want 0", n)
	}
	// No model configured: the built-in composer, byte for byte.
	req = llmRequest("de", "Meine Tasse kam kaputt an.", "Anna", "")
	req.Settings.LLM = nil
	if d, want := Draft(context.Background(), req), Compose(req); d != want {
		t.Errorf("without a model Draft = %+v, want %+v", d, want)
	}
}

// A review in a language without built-in wording gets an English draft; a
// model's reply in the review's own language is better and keeps a note on
// the English private messages.
func TestModelLanguageWithoutBook(t *testing.T) {
	s := &standIn{t: t, model: "calm-7b", reply: answer(t, "good_de.txt")}
	srv := httptest.NewServer(s)
	defer srv.Close()
	req := llmRequest("xx", "Meine Tasse kam kaputt an.", "Anna", srv.URL+"/v1")
	d := Draft(context.Background(), req)
	if d.Lang != "xx" || !strings.Contains(d.Note, "private messages are in English") || strings.Contains(d.Note, "this draft is in English") {
		t.Errorf("Lang %q, note %q", d.Lang, d.Note)
	}
}
