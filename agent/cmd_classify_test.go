package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

func TestClassifyCommand(t *testing.T) {
	long := `{"id":"big","text":"` + strings.Repeat("a", maxClassifyLine) + `"}`
	tests := []struct {
		name string
		line string
		want map[string]any // fields the answer line must hold
	}{
		{"praise", `{"id":"r1","text":"Super schnelle Lieferung, sehr schön verpackt!","rating":5,"author":null,"platform":"etsy","page_lang":"de"}`,
			map[string]any{"id": "r1", "lang": "de", "kind": "praise", "action": "thank", "topics": []any{}}},
		{"complaint despite stars", `{"id":"r2","text":"Love the design but it arrived cracked.","rating":5,"page_lang":"de"}`,
			map[string]any{"id": "r2", "lang": "en", "kind": "complaint", "action": "reply_now", "topics": []any{"damaged"}}},
		{"short with page language", `{"id":"r3","text":"Allt bra","rating":null,"page_lang":"sv"}`,
			map[string]any{"id": "r3", "lang": "sv", "kind": "praise"}},
		{"norwegian locale nb", `{"id":"r4","text":"Kjempebra!","page_lang":"nb"}`,
			map[string]any{"id": "r4", "lang": "no", "kind": "praise"}},
		{"rating as float", `{"id":"r5","text":"Helaas kapot aangekomen.","rating":2.0}`,
			map[string]any{"id": "r5", "kind": "complaint", "topics": []any{"damaged"}}},
		{"numeric id echoed", `{"id":42,"text":"Do you ship to Canada?"}`,
			map[string]any{"id": 42.0, "kind": "question", "action": "answer"}},
		{"invalid json", `{"id":"x", "text": `, map[string]any{"id": nil, "error": "invalid JSON: unexpected end of JSON input"}},
		{"not json at all", `hello`, map[string]any{"id": nil}},
		{"missing text", `{"id":"m1","rating":3}`, map[string]any{"id": "m1", "error": "missing text"}},
		{"null text", `{"id":"m2","text":null}`, map[string]any{"id": "m2", "error": "missing text"}},
		{"empty text", `{"id":"m3","text":"  "}`, map[string]any{"id": "m3", "error": "text is empty"}},
		{"text of wrong type", `{"id":"m4","text":5}`, map[string]any{"id": "m4"}},
		{"rating out of range", `{"id":"m5","text":"ok","rating":9}`, map[string]any{"id": "m5", "error": "rating 9 is not 1-5 or null"}},
		{"blank line", ``, map[string]any{"id": nil, "error": "empty line"}},
		{"line too long", long, map[string]any{"id": nil, "error": "line longer than 1048576 bytes"}},
	}
	var in strings.Builder
	for _, tt := range tests {
		in.WriteString(tt.line + "\n")
	}
	in.WriteString(`{"id":"last","text":"Perfekt!","rating":5,"page_lang":"de"}`) // no final newline
	var out, errb bytes.Buffer
	if code := run([]string{"classify"}, strings.NewReader(in.String()), &out, &errb); code != 0 {
		t.Fatalf("run(classify) = %d, stderr %q", code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(tests)+1 {
		t.Fatalf("got %d output lines for %d input lines:\n%s", len(lines), len(tests)+1, out.String())
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
				t.Fatalf("line %d is not JSON: %v: %s", i+1, err, lines[i])
			}
			for k, want := range tt.want {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(t, want) {
					t.Errorf("line %d %s = %s, want %s (line %s)", i+1, k, g, mustJSON(t, want), lines[i])
				}
			}
			_, isErr := got["error"]
			if wantErr := tt.want["kind"] == nil; isErr != wantErr {
				t.Fatalf("line %d: error line = %v, want %v: %s", i+1, isErr, wantErr, lines[i])
			}
			if !isErr {
				for _, k := range []string{"lang", "kind", "topics", "action", "confidence", "reasons"} {
					if _, ok := got[k]; !ok {
						t.Errorf("line %d lacks %q: %s", i+1, k, lines[i])
					}
				}
			}
		})
	}
	if !strings.Contains(lines[len(lines)-1], `"id":"last"`) {
		t.Errorf("last line without newline not answered: %s", lines[len(lines)-1])
	}
}

func TestClassifyCommandErrorLinesForBadInput(t *testing.T) {
	for _, line := range []string{"{", "[1,2]", `"text"`, `{"id":"e","text":["a"]}`, "\x00\xff"} {
		var out, errb bytes.Buffer
		if code := run([]string{"classify"}, strings.NewReader(line+"\n"), &out, &errb); code != 0 {
			t.Fatalf("run(classify) on %q = %d", line, code)
		}
		var got struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Error == "" {
			t.Errorf("classify(%q) = %q, want one error line", line, out.String())
		}
	}
}

func TestClassifyCommandRejectsArguments(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"classify", "--bogus"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("run(classify --bogus) = %d, want 2", code)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkClassifyCommand measures the whole command, JSON in and out, on
// the classifier's evaluation set.
func BenchmarkClassifyCommand(b *testing.B) {
	data, err := os.ReadFile("classify/testdata/eval.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Count(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := run([]string{"classify"}, bytes.NewReader(data), io.Discard, io.Discard); code != 0 {
			b.Fatalf("run = %d", code)
		}
	}
	b.ReportMetric(float64(b.N*lines)/b.Elapsed().Seconds(), "reviews/s")
}
