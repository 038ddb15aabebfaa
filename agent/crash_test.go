package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/agent/server"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/protocol"
)

// TestCrashLoop is the durability promise: the agent answers analyze_page
// only after the reviews and their events are committed with SyncWrites, so
// whatever it acknowledged survives kill -9. A child agent ingests reviews
// through the WebSocket and is killed at a random moment; after each kill
// the store opens, holds every acknowledged review, and its event log is
// contiguous without a review announced twice.
// CALMREPLY_CRASH_LOOPS=50 runs the long variant.
func TestCrashLoop(t *testing.T) {
	frag, err := os.ReadFile("../scrapers/etsy/testdata/fragment_review.html")
	if err != nil {
		t.Skipf("etsy testdata absent: %v", err)
	}
	loops := 5
	if n, err := strconv.Atoi(os.Getenv("CALMREPLY_CRASH_LOOPS")); err == nil && n > 0 {
		loops = n
	}
	dir := t.TempDir()
	acked := map[string]bool{}
	next := 0
	for loop := range loops {
		c := startChild(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
		m := startLine.FindStringSubmatch(c.line(t))
		if m == nil {
			t.Fatalf("loop %d: no start line; stderr %s", loop, c.stderr.String())
		}
		tok, err := os.ReadFile(filepath.Join(dir, "token"))
		if err != nil {
			t.Fatal(err)
		}
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+m[1]+"/ws", http.Header{"Origin": {"chrome-extension://" + server.PinnedExtensionID}})
		if err != nil {
			t.Fatalf("loop %d: dial: %v", loop, err)
		}
		send := func(typ, id string, p any) error {
			b, _ := protocol.Encode(typ, id, p)
			return ws.WriteMessage(websocket.TextMessage, b)
		}
		send(protocol.TypeAuth, "a", protocol.Auth{Token: strings.TrimSpace(string(tok)), Versions: []int{1}})

		var mu sync.Mutex
		done := make(chan struct{})
		go func() {
			defer close(done)
			pending := map[string][]string{} // request id -> review ids
			for {
				_, raw, err := ws.ReadMessage()
				if err != nil {
					return // killed
				}
				msg, _, _ := protocol.Decode(raw)
				if msg.Type == protocol.TypePageResult || msg.Type == protocol.TypeHello {
					mu.Lock()
					for _, id := range pending[msg.ID] {
						acked[id] = true
					}
					delete(pending, msg.ID)
					// Keep one request in flight, a few reviews each.
					var items []protocol.PageItem
					var ids []string
					for range 3 {
						id := fmt.Sprint(6000000 + next)
						next++
						ids = append(ids, id)
						items = append(items, protocol.PageItem{Key: id, HTML: strings.Replace(string(frag), `data-review-region="4100000002"`, `data-review-region="`+id+`"`, 1)})
					}
					rid := "r" + ids[0]
					pending[rid] = ids
					mu.Unlock()
					if send(protocol.TypeAnalyzePage, rid, protocol.AnalyzePage{URL: "https://www.etsy.com/de/shop/TonwerkLina/reviews", Items: items}) != nil {
						return
					}
				}
			}
		}()
		time.Sleep(time.Duration(20+rand.IntN(200)) * time.Millisecond)
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
		ws.Close()
		<-done

		st, err := store.Open(filepath.Join(dir, "store"))
		if err != nil {
			t.Fatalf("loop %d: store does not open after kill -9: %v", loop, err)
		}
		mu.Lock()
		for id := range acked {
			if _, err := st.Get("etsy", id); err != nil {
				t.Errorf("loop %d: acknowledged review %s lost: %v", loop, id, err)
			}
		}
		mu.Unlock()
		evs, err := st.EventsAfter(0, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, e := range evs {
			if e.Seq != uint64(i+1) {
				t.Fatalf("loop %d: event %d has seq %d", loop, i, e.Seq)
			}
			if e.Kind == protocol.EventNewReview {
				if seen[e.Review.Review.ID] {
					t.Errorf("loop %d: review %s announced twice", loop, e.Review.Review.ID)
				}
				seen[e.Review.Review.ID] = true
			}
		}
		n := 0
		st.List(func(r store.Record) bool {
			n++
			if !seen[r.Review.ID] {
				t.Errorf("loop %d: review %s stored but never announced", loop, r.Review.ID)
			}
			return true
		})
		if n != len(seen) {
			t.Errorf("loop %d: %d stored, %d announced", loop, n, len(seen))
		}
		st.Close()
	}
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged: the test proved nothing")
	}
	t.Logf("%d loops, %d reviews acknowledged", loops, len(acked))
}
