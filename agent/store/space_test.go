package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

func TestFullDiskRefusesWritesAndKeepsData(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rating := 1
	rec := func(id string) Record {
		return Record{Review: review.Review{Platform: review.Etsy, ID: id, Rating: &rating, Text: "kaputt"}, State: review.Open}
	}
	if _, err := s.Save([]Record{rec("1")}); err != nil {
		t.Fatal(err)
	}

	s.free = func(string) (uint64, error) { return 1 << 20, nil } // 1 MB left
	_, err = s.Save([]Record{rec("2")})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "free some space") {
		t.Fatalf("Save on a full disk = %v, want ErrDiskFull naming the fix", err)
	}
	if _, err := s.SetState(review.Etsy, "1", review.Ignored); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("SetState on a full disk = %v, want ErrDiskFull", err)
	}

	s.free = freeBytes // space is back
	if _, err := s.Get(review.Etsy, "2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(2) after a refused save = %v, want ErrNotFound", err)
	}
	got, err := s.Get(review.Etsy, "1")
	if err != nil || got.State != review.Open {
		t.Fatalf("Get(1) = %+v, %v; want the first save, untouched", got, err)
	}
	if _, err := s.Save([]Record{rec("2")}); err != nil {
		t.Fatalf("Save after space came back = %v", err)
	}
}
