package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/review"
)

// seedStore fills a data dir's store with reviews, a source and settings.
func seedStore(t *testing.T, dir string, n int) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var recs []store.Record
	for i := range n {
		rating := i%5 + 1
		author := fmt.Sprintf("Buyer %d", i)
		recs = append(recs, store.Record{
			Review:   review.Review{Platform: review.Etsy, ID: fmt.Sprint(100 + i), Rating: &rating, Author: &author, Text: strings.Repeat("text ", i%7)},
			Analysis: review.Analysis{Lang: "de", Kind: review.Complaint, Action: review.ReplyNow, Topics: []review.Topic{review.Delivery}},
			Draft:    review.Draft{Lang: "de", Reply: "Hallo", Variant: i % 3},
			Deadline: &review.Deadline{Due: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), Kind: "first_reply", Reason: "soon"},
		})
	}
	if _, err := st.Save(recs); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetState(review.Etsy, "100", review.Ignored); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSource(store.Source{URL: "https://www.etsy.com/shop/X/reviews", Platform: review.Etsy, Fetcher: "extension", Added: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSettings(review.Settings{ShopName: "Tonwerk", Tone: "formal", Offers: review.Offers{Refund: true}}); err != nil {
		t.Fatal(err)
	}
}

// dump reads a data dir's store as comparable JSON.
func dump(t *testing.T, dir string) string {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var recs []store.Record
	st.List(func(r store.Record) bool { recs = append(recs, r); return true })
	srcs, _ := st.Sources()
	set, _ := st.Settings()
	b, _ := json.Marshal([]any{recs, srcs, set})
	return string(b)
}

func TestExportImportRoundTrip(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	seedStore(t, src, 250) // more than one import batch and one transaction
	file := filepath.Join(t.TempDir(), "backup.jsonl")
	var out, errb bytes.Buffer
	if code := run([]string{"export", "--data", src, file}, nil, &out, &errb); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errb.String())
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file: %v %v, want mode 0600", fi, err)
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, file)), "\n")
	if len(lines) != 1+250+1+1 {
		t.Errorf("export has %d lines, want header + 250 reviews + 1 source + settings", len(lines))
	}
	for i, l := range lines {
		var k struct{ Kind string }
		if err := json.Unmarshal([]byte(l), &k); err != nil || k.Kind == "" {
			t.Fatalf("line %d has no kind: %s", i+1, l)
		}
	}
	for range 2 { // importing twice never duplicates
		errb.Reset()
		if code := run([]string{"import", "--data", dst, file}, nil, &out, &errb); code != 0 {
			t.Fatalf("import: exit %d: %s", code, errb.String())
		}
	}
	if a, b := dump(t, src), dump(t, dst); a != b {
		t.Errorf("round trip changed the data:\nbefore %.300s\nafter  %.300s", a, b)
	}
	// To stdout as well.
	out.Reset()
	if code := run([]string{"export", "--data", src}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), `{"kind":"header"`) {
		t.Errorf("export to stdout: exit %d, %.80s", code, out.String())
	}
}

func TestImportRefusals(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "empty input"},
		{"no header", `{"kind":"review","review":{"platform":"etsy","id":"1"}}` + "\n", "not a calmreply export"},
		{"newer version", `{"kind":"header","format":"calmreply-export","version":99}` + "\n", "newer"},
		{"unknown kind", `{"kind":"header","format":"calmreply-export","version":1}` + "\n" + `{"kind":"virus"}` + "\n", `unknown kind "virus"`},
		{"review without id", `{"kind":"header","format":"calmreply-export","version":1}` + "\n" + `{"kind":"review","review":{"platform":"etsy"}}` + "\n", "without platform or id"},
		{"unknown field", `{"kind":"header","format":"calmreply-export","version":1}` + "\n" + `{"kind":"source","url":"x","evil":1}` + "\n", "unknown field"},
		{"not JSON", "hello\n", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"import", "--data", dir, "-"}, strings.NewReader(tt.input), &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, errb.String(), tt.want)
			}
		})
	}
}

func TestExportWhileAgentRuns(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, cmd := range []string{"export", "import"} {
		var out, errb bytes.Buffer
		code := run([]string{cmd, "--data", dir, "-"}, strings.NewReader(""), &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), "stop the agent first") {
			t.Errorf("%s with the store in use: exit %d, stderr %q", cmd, code, errb.String())
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
