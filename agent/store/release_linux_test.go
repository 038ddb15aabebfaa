package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// mappedKB sums the resident pages of this process's mappings of files in
// dir, from /proc/self/smaps.
func mappedKB(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	kb, inDir := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			inDir = len(f) >= 6 && strings.HasPrefix(f[5], dir+"/")
		case inDir && len(f) == 3 && f[0] == "Rss:":
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("smaps line %q: %v", line, err)
			}
			kb += n
		}
	}
	return kb
}

// Badger writes the value log through a mapping; after releaseMapped the
// pages of what was written no longer count in the agent's memory, and
// everything still reads back.
func TestReleaseMappedDropsStorePages(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	text := strings.Repeat("Die Vase kam zerbrochen an, die Verpackung war zu dünn. ", 40)
	var recs []Record
	for i := range 2000 {
		recs = append(recs, rec(fmt.Sprint(i), 1+i%5, text))
	}
	if _, err := s.Save(recs); err != nil {
		t.Fatal(err)
	}
	before := mappedKB(t, dir)
	if before < 4<<10 {
		t.Fatalf("%d kB of store files mapped after writing 2000 reviews of %d bytes; want several MB", before, len(text))
	}
	if err := releaseMapped(dir); errors.Is(err, errPageoutUnsupported) {
		t.Skip("this kernel cannot page out (MADV_PAGEOUT needs Linux 5.4)")
	} else if err != nil {
		t.Fatal(err)
	}
	after := mappedKB(t, dir)
	if after > before/4 {
		t.Errorf("store files resident: %d kB before releaseMapped, %d kB after; want under a quarter", before, after)
	}
	t.Logf("store files resident: %d kB, after releaseMapped %d kB", before, after)
	n := 0
	err := s.List(func(r Record) bool {
		if r.Review.Text != text {
			t.Errorf("review %s reads back %q", r.Review.ID, r.Review.Text)
		}
		n++
		return true
	})
	if err != nil || n != len(recs) {
		t.Fatalf("List after release: %d records, %v; want %d", n, err, len(recs))
	}
}
