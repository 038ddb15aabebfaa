package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDraftCommand(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"Meine Tasse kam kaputt an.","rating":1,"author":"Anna K.","platform":"google","page_lang":"de","settings":{"tone":"informal","signature":"Jule"}}`,
		`{"id":"b","text":"Love it, so pretty!","rating":5,"author":"Tom","platform":"etsy","page_lang":"en"}`,
		`not json`,
		``,
		`{"id":"c","rating":2}`,
		`{"id":"d","text":"ok","rating":9}`,
	}, "\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"draft"}, strings.NewReader(in), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d output lines, want 6:\n%s", len(lines), out.String())
	}
	var rows []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("bad output line %q: %v", l, err)
		}
		rows = append(rows, m)
	}
	a := rows[0]
	if a["id"] != "a" || a["lang"] != "de" || a["kind"] != "complaint" || a["action"] != "reply_now" {
		t.Errorf("line a = %v", a)
	}
	if r := a["reply"].(string); !strings.Contains(r, "Anna") || !strings.Contains(r, "deine Tasse") || !strings.HasSuffix(r, "Jule") {
		t.Errorf("reply a does not follow the settings:\n%s", r)
	}
	if a["private_message"] == "" || a["check_back"] == "" {
		t.Errorf("line a lacks private message or check-back: %v", a)
	}
	if b := rows[1]; b["reply"] != "" || !strings.Contains(b["note"].(string), "3 stars") {
		t.Errorf("etsy 5-star line = %v, want no public reply and a note on the rule", b)
	}
	for i, wantID := range []any{nil, nil, "c", "d"} {
		row := rows[2+i]
		if row["error"] == nil || row["id"] != wantID {
			t.Errorf("line %d = %v, want an error line with id %v", 3+i, row, wantID)
		}
	}
}

func TestDraftLongLine(t *testing.T) {
	in := `{"id":"x","text":"` + strings.Repeat("a", maxDraftLine+10) + `"}` + "\n" + `{"id":"y","text":"Thanks, great shop!","rating":5}` + "\n"
	var out, errOut bytes.Buffer
	if code := run([]string{"draft"}, strings.NewReader(in), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"error"`) || !strings.Contains(lines[1], `"id":"y"`) {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestDraftCommandModel: a line whose settings name a model gets the model's
// reply when it passes the checks, and the built-in one with a note when the
// endpoint fails.
func TestDraftCommandModel(t *testing.T) {
	good := "Hi Tom,\n\nI'm really sorry that your lamp reached you broken. We will look into it and get back to you within 24 hours. Thank you for telling us; please write to us at hi@lamps.example so we can sort it out.\n\nBest wishes,\nThe lamp team"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.Error(w, "no such model", http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": good}}}})
	}))
	defer srv.Close()
	line := func(id, endpoint string) string {
		return `{"id":"` + id + `","text":"My lamp arrived broken.","rating":1,"author":"Tom","platform":"google","page_lang":"en","settings":{"llm":{"endpoint":"` + endpoint + `","model":"m"}}}`
	}
	in := line("ok", srv.URL+"/v1") + "\n" + line("bad", srv.URL+"/wrong") + "\n"
	var out, errOut bytes.Buffer
	if code := run([]string{"draft"}, strings.NewReader(in), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rows []draftOutput
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var o draftOutput
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("bad output line %q: %v", l, err)
		}
		rows = append(rows, o)
	}
	if len(rows) != 2 || rows[0].Reply != good || rows[1].Reply == good || !strings.Contains(rows[1].Note, "HTTP 404") {
		t.Errorf("output:\n%s", out.String())
	}
}
