package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func rec(id string, rating int, text string) Record {
	return Record{Review: review.Review{Platform: review.Etsy, ID: id, Rating: &rating, Text: text}}
}

func kinds(evs []protocol.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind+":"+e.Review.Review.ID)
	}
	return out
}

func TestSaveUpsertsAndAnnounces(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	reply := "Thanks!"
	withReply := rec("b", 2, "late")
	withReply.Review.ShopReply = &reply

	steps := []struct {
		name string
		save []Record
		want []string
	}{
		{"new reviews", []Record{rec("a", 5, "lovely"), rec("b", 2, "late")}, []string{"new_review:a", "new_review:b"}},
		{"identical again", []Record{rec("a", 5, "lovely"), rec("b", 2, "late")}, nil},
		{"text edited", []Record{rec("a", 5, "lovely, really")}, []string{"updated_review:a"}},
		{"rating edited", []Record{rec("a", 4, "lovely, really")}, []string{"updated_review:a"}},
		{"shop reply appears", []Record{withReply}, []string{"state_changed:b"}},
		{"reply seen again", []Record{withReply}, nil},
	}
	var seq uint64
	for _, st := range steps {
		evs, err := s.Save(st.save)
		if err != nil {
			t.Fatalf("%s: Save: %v", st.name, err)
		}
		if got := strings.Join(kinds(evs), " "); got != strings.Join(st.want, " ") {
			t.Errorf("%s: events %q, want %q", st.name, got, strings.Join(st.want, " "))
		}
		for _, e := range evs {
			seq++
			if e.Seq != seq {
				t.Errorf("%s: seq %d, want %d", st.name, e.Seq, seq)
			}
		}
	}
	n := 0
	if err := s.List(func(Record) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("List saw %d records, want 2 (upsert never duplicates)", n)
	}
	b, err := s.Get(review.Etsy, "b")
	if err != nil {
		t.Fatal(err)
	}
	if b.State != review.Replied || b.RepliedAt == nil {
		t.Errorf("b: state %q replied_at %v, want replied with a time", b.State, b.RepliedAt)
	}
	if _, err := s.Get(review.Etsy, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
}

func TestFirstSeenAndStateKept(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return t0 }
	if _, err := s.Save([]Record{rec("a", 1, "broken")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetState(review.Etsy, "a", review.Ignored); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t0.Add(48 * time.Hour) }
	later := rec("a", 1, "broken and late")
	later.FirstSeen = t0.Add(48 * time.Hour) // the pipeline's guess must not win
	if _, err := s.Save([]Record{later}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(review.Etsy, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !got.FirstSeen.Equal(t0) {
		t.Errorf("FirstSeen = %v, want %v", got.FirstSeen, t0)
	}
	if got.State != review.Ignored {
		t.Errorf("State = %q, want ignored (kept across re-save)", got.State)
	}
	if got.Review.Text != "broken and late" {
		t.Errorf("Text = %q, want the edited text", got.Review.Text)
	}
}

func TestEventsContiguousAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.Save([]Record{rec("a", 5, "x"), rec("b", 4, "y")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendEvent(protocol.Event{Kind: protocol.EventSourceError, Source: "https://example.com", Error: "500"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if _, err := s.Save([]Record{rec("c", 3, "z")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetState(review.Etsy, "c", review.Inserted); err != nil {
		t.Fatal(err)
	}
	evs, err := s.EventsAfter(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 5 {
		t.Fatalf("EventsAfter(0) = %d events, want 5", len(evs))
	}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Errorf("event %d has seq %d, want %d", i, e.Seq, i+1)
		}
	}
	last, err := s.LastSeq()
	if err != nil || last != 5 {
		t.Errorf("LastSeq = %d, %v; want 5", last, err)
	}
	tail, err := s.EventsAfter(3, 1)
	if err != nil || len(tail) != 1 || tail[0].Seq != 4 {
		t.Errorf("EventsAfter(3, 1) = %+v, %v; want only seq 4", tail, err)
	}
}

func TestSecondOpenRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	_, err := Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "another calmreply agent is using "+dir) {
		t.Errorf("second Open message %q does not name the situation", err)
	}
}

func TestSetState(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	if _, err := s.Save([]Record{rec("a", 2, "meh")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id    string
		state review.State
		ok    bool
	}{
		{"a", review.Inserted, true},
		{"a", review.Replied, true},
		{"a", "done", false},
		{"missing", review.Ignored, false},
	}
	for _, c := range cases {
		ev, err := s.SetState(review.Etsy, c.id, c.state)
		if (err == nil) != c.ok {
			t.Errorf("SetState(%s, %s) error = %v, want ok=%v", c.id, c.state, err, c.ok)
			continue
		}
		if c.ok && (ev.Kind != protocol.EventStateChanged || ev.Review.State != c.state) {
			t.Errorf("SetState(%s, %s) event = %+v", c.id, c.state, ev)
		}
	}
	got, _ := s.Get(review.Etsy, "a")
	if got.State != review.Replied || got.RepliedAt == nil {
		t.Errorf("after SetState: %q %v, want replied with a time", got.State, got.RepliedAt)
	}
}

func TestSourcesAndSettings(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	for _, u := range []string{"https://b.example/r", "https://a.example/r"} {
		if err := s.PutSource(Source{URL: u, Platform: review.TrustedShops, Fetcher: "agent"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSource("https://b.example/r"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSource("https://nope.example/"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteSource(unknown) = %v, want ErrNotFound", err)
	}
	srcs, err := s.Sources()
	if err != nil || len(srcs) != 1 || srcs[0].URL != "https://a.example/r" {
		t.Errorf("Sources = %+v, %v", srcs, err)
	}
	st, err := s.Settings()
	if err != nil || st.ShopName != "" {
		t.Errorf("Settings on a new store = %+v, %v; want zero", st, err)
	}
	if err := s.SaveSettings(review.Settings{ShopName: "Tonwerk", Tone: "formal"}); err != nil {
		t.Fatal(err)
	}
	st, _ = s.Settings()
	if st.ShopName != "Tonwerk" || st.Tone != "formal" {
		t.Errorf("Settings = %+v after save", st)
	}
}
