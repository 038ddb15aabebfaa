package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

// A table whose footer is garbage would make Badger panic in its own
// goroutine; Open refuses it with a message instead. A whole store opens.
func TestOpenRefusesDamagedTable(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, name string)
		refused bool
	}{
		{name: "whole", damage: func(*testing.T, string) {}},
		{name: "garbage footer", refused: true, damage: func(t *testing.T, name string) {
			writeAt(t, name, -8, []byte{0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0xff, 0xf0})
		}},
		{name: "garbage from the start", refused: true, damage: func(t *testing.T, name string) {
			fi, err := os.Stat(name)
			if err != nil {
				t.Fatal(err)
			}
			writeAt(t, name, 0, []byte(strings.Repeat("\x00\xff", int(fi.Size()/2))))
		}},
		{name: "index bit flipped", refused: true, damage: func(t *testing.T, name string) {
			writeAt(t, name, -20, []byte{0x5a})
		}},
		{name: "empty", refused: true, damage: func(t *testing.T, name string) {
			if err := os.Truncate(name, 0); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir)
			if _, err := s.Save([]Record{rec("1", 1, "kaputt angekommen")}); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil { // flushes the memtable to a table
				t.Fatal(err)
			}
			tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
			if len(tables) == 0 {
				t.Fatal("no table after Close")
			}
			tt.damage(t, tables[0])
			s, err := Open(dir)
			if !tt.refused {
				if err != nil {
					t.Fatalf("Open on a whole store: %v", err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a damaged table")
			}
			if !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), filepath.Base(tables[0])) {
				t.Errorf("Open = %v; want the damaged table named", err)
			}
		})
	}
}

// writeAt overwrites name at off (from the end when negative).
func writeAt(t *testing.T, name string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if off < 0 {
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		off += fi.Size()
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// Badger yields an empty value, without an error, for a value-log entry it
// cannot read; the store says the log is damaged instead of failing on
// empty JSON, and never returns a record made of the damaged bytes.
func TestDamagedValueLogSaysSo(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	text := strings.Repeat("kaputt angekommen ", 100) // over valueThreshold: in the value log
	if _, err := s.Save([]Record{rec("1", 1, text)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if len(logs) == 0 {
		t.Fatal("no value log")
	}
	for _, f := range logs {
		writeAt(t, f, 40, []byte(strings.Repeat("\xde\xad\xbe\xef", 64)))
	}
	s = open(t, dir)
	defer s.Close()
	want := map[string]error{}
	_, want["Get"] = s.Get(review.Etsy, "1")
	want["List"] = s.List(func(Record) bool { return true })
	_, want["EventsAfter"] = s.EventsAfter(0, 10)
	for op, err := range want {
		if err == nil || !strings.Contains(err.Error(), "value log is damaged") {
			t.Errorf("%s on a damaged value log = %v; want it to say so", op, err)
		}
	}
}
