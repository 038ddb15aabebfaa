package blackbox

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/protocol"
)

// crashRounds is how many times TestCrashLoop kills the agent: 8 by default
// so CI stays quick, 50 with CALMREPLY_LONG=1.
func crashRounds() int {
	if os.Getenv("CALMREPLY_LONG") == "1" {
		return 50
	}
	return 8
}

// TestCrashLoop is the durability promise under test: the agent answers
// page_result only after the reviews and their events are committed with
// Badger's SyncWrites, so every review a client saw acknowledged survives a
// kill -9 at any moment, and the event log resumes without a gap or a
// duplicate.
func TestCrashLoop(t *testing.T) {
	html := etsyFragment(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CALMREPLY_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (CALMREPLY_SEED=%d repeats this run)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	data := t.TempDir()
	acked := map[string]bool{}
	var token string
	var lastSeq uint64
	next := 7100000000
	rounds := crashRounds()
	for round := range rounds {
		if round%3 == 2 {
			// Killed while it opens the store and replays its log.
			killDuringStart(t, data, time.Duration(rng.IntN(60))*time.Millisecond)
		}
		p := startAgent(t, data)
		var c *client
		if token == "" {
			c, token = p.pair(t)
		} else {
			c = p.auth(t, token, pinnedOrigin)
			// What the store showed with the agent down is what the
			// restarted agent serves.
			if c.Hello.LastSeq != lastSeq {
				t.Fatalf("round %d: hello.last_seq %d, the store's last seq was %d", round, c.Hello.LastSeq, lastSeq)
			}
			checkCatchUp(t, c, acked, lastSeq)
		}

		// Ingest from two clients at once until the kill.
		var mu sync.Mutex
		var newAcks []string
		var wg sync.WaitGroup
		for w := range 2 {
			ids := make([][]string, 0, 64)
			for range 64 {
				batch := make([]string, 1+rng.IntN(8))
				for i := range batch {
					next++
					batch[i] = strconv.Itoa(next)
				}
				ids = append(ids, batch)
			}
			wc, err := authClient(p.Addr, token, pinnedOrigin, nil)
			if err != nil {
				t.Fatalf("round %d writer %d: %v", round, w, err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer wc.ws.Close()
				for _, batch := range ids {
					got, err := wc.analyze(reviewItems(html, batch...))
					if err != nil {
						return // killed mid-request: not acknowledged
					}
					mu.Lock()
					newAcks = append(newAcks, got...)
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		p.kill()
		wg.Wait()
		for _, id := range newAcks {
			acked[id] = true
		}
		lastSeq = checkStore(t, filepath.Join(data, "store"), acked)
		t.Logf("round %d: %d reviews acknowledged before the kill, %d in all, last seq %d", round, len(newAcks), len(acked), lastSeq)
	}
	if len(acked) == 0 {
		t.Fatal("no review was ever acknowledged: the crash loop proved nothing")
	}
	// A last restart must come up and serve.
	p := startAgent(t, data)
	c := p.auth(t, token, "")
	checkCatchUp(t, c, acked, lastSeq)
	c.usable(html, "7000000001")
}

// killDuringStart starts an agent on data and kills it after delay,
// whether or not it has finished starting.
func killDuringStart(t *testing.T, data string, delay time.Duration) {
	t.Helper()
	cmd := exec.Command(agentBin, "serve", "--addr", freeAddr(t), "--data", data)
	cmd.Dir = os.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(delay)
	cmd.Process.Kill()
	cmd.Wait()
}

// checkStore opens the store the killed agent left behind, as the next
// start would, and checks it: every acknowledged review is there, and the
// event log is 1..last with exactly one new_review per stored review. It
// returns the last seq.
func checkStore(t *testing.T, dir string, acked map[string]bool) uint64 {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatalf("the store does not open after kill -9: %v", err)
	}
	defer st.Close()
	stored := map[string]bool{}
	if err := st.List(func(r store.Record) bool { stored[r.Review.ID] = true; return true }); err != nil {
		t.Fatalf("list: %v", err)
	}
	for id := range acked {
		if !stored[id] {
			t.Errorf("review %s was acknowledged but is not in the store", id)
		}
	}
	var events []protocol.Event
	for {
		after := uint64(0)
		if len(events) > 0 {
			after = events[len(events)-1].Seq
		}
		evs, err := st.EventsAfter(after, 1000)
		if err != nil {
			t.Fatalf("events: %v", err)
		}
		if len(evs) == 0 {
			break
		}
		events = append(events, evs...)
	}
	last, err := st.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, "store", events, last, stored, true)
	return last
}

// checkCatchUp replays the whole event log through the agent, as an
// extension that was closed would.
func checkCatchUp(t *testing.T, c *client, acked map[string]bool, last uint64) {
	t.Helper()
	var events []protocol.Event
	var reported uint64
	for {
		after := uint64(0)
		if len(events) > 0 {
			after = events[len(events)-1].Seq
		}
		evs := c.must(protocol.TypeCatchUp, protocol.CatchUp{AfterSeq: after}, protocol.TypeEvents).(*protocol.Events)
		reported = evs.LastSeq
		if len(evs.Events) == 0 {
			break
		}
		events = append(events, evs.Events...)
	}
	if reported != last {
		t.Errorf("catch_up says last seq %d, the store had %d", reported, last)
	}
	checkEvents(t, "catch_up", events, last, acked, false)
}

// checkEvents: seqs run 1..last without a gap or repeat, no review is
// announced new twice, and every review in want was announced (exact: and
// nothing else was).
func checkEvents(t *testing.T, where string, events []protocol.Event, last uint64, want map[string]bool, exact bool) {
	t.Helper()
	news := map[string]int{}
	for i, ev := range events {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("%s: event %d has seq %d: the log has a gap or a duplicate", where, i+1, ev.Seq)
		}
		if ev.Kind == protocol.EventNewReview {
			if ev.Review == nil {
				t.Fatalf("%s: new_review event %d without its review", where, ev.Seq)
			}
			news[ev.Review.Review.ID]++
		}
	}
	if uint64(len(events)) != last {
		t.Errorf("%s: %d events, last seq %d", where, len(events), last)
	}
	for id, n := range news {
		if n > 1 {
			t.Errorf("%s: review %s announced new %d times", where, id, n)
		}
	}
	for id := range want {
		if news[id] == 0 {
			t.Errorf("%s: review %s is stored but was never announced", where, id)
		}
	}
	if exact {
		for id := range news {
			if !want[id] {
				t.Errorf("%s: review %s was announced but is not stored", where, id)
			}
		}
	}
}
