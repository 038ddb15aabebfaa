package server

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/protocol"
)

// The attacks from the end of security.md that server_test.go does not
// already cover; each must be refused or survived, and the agent must still
// serve a good client afterwards.

// withID makes a copy of the Etsy review fragment with another review id.
func withID(html, id string) string {
	return strings.Replace(html, `data-review-region="4100000002"`, `data-review-region="`+id+`"`, 1)
}

func TestFragmentedFrames(t *testing.T) {
	a := startAgent(t, nil)
	html := fragment(t)
	// A tiny write buffer makes gorilla send each message as many frames.
	d := websocket.Dialer{WriteBufferSize: 256}
	ws, _, err := d.Dial("ws://"+a.addr+"/ws", http.Header{"Origin": {pinnedOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := &client{t: t, ws: ws}
	c.send(protocol.TypeAuth, "1", protocol.Auth{Token: a.token, Versions: []int{1}})
	c.expect(protocol.TypeHello)
	c.send(protocol.TypeAnalyzePage, "2", protocol.AnalyzePage{URL: etsyPage, Items: []protocol.PageItem{{Key: "k", HTML: html}}})
	c.expect(protocol.TypeEvent)
	if _, p := c.expect(protocol.TypePageResult); len(p.(*protocol.PageResult).Results) != 1 {
		t.Errorf("fragmented analyze_page: %+v", p)
	}
	// Fragments adding up past the limit close the connection like one
	// big frame would.
	w, err := ws.NextWriter(websocket.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(strings.Repeat("a", 64<<10))
	for sent := 0; sent <= protocol.MaxMessageBytes; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			break // the agent already closed
		}
	}
	w.Close()
	c.expectClose(websocket.CloseMessageTooBig)
	a.authed(t).usable()
}

func TestHTMLBombs(t *testing.T) {
	a := startAgent(t, nil)
	c := a.authed(t)
	html := fragment(t)
	deep := strings.Repeat("<div>", protocol.MaxItemBytes/5-100) + "x"
	hugeAttr := `<li data-review-region="9" title="` + strings.Repeat("A", protocol.MaxItemBytes-200) + `"></li>`
	tests := []struct {
		name  string
		items []protocol.PageItem
	}{
		{"deep nesting", []protocol.PageItem{{Key: "deep", HTML: deep}}},
		{"huge attribute", []protocol.PageItem{{Key: "attr", HTML: hugeAttr}}},
		{"item over the item cap", []protocol.PageItem{{Key: "big", HTML: strings.Repeat("<p>x</p>", protocol.MaxItemBytes/8+1)}}},
		{"many items", func() []protocol.PageItem {
			var its []protocol.PageItem
			for i := range protocol.MaxItems {
				its = append(its, protocol.PageItem{Key: fmt.Sprint(i), HTML: withID(html, fmt.Sprint(5000000+i))})
			}
			return its
		}()},
		{"unclosed tags and junk", []protocol.PageItem{{Key: "junk", HTML: "<li data-review-region=\"1\"><svg><math><table><tr><td><select><option>" + strings.Repeat("<!--", 1000)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.send(protocol.TypeAnalyzePage, "b", protocol.AnalyzePage{URL: etsyPage, Items: tt.items})
			for {
				m, p := c.expect2()
				if m.Type == protocol.TypeEvent {
					continue
				}
				if m.Type != protocol.TypePageResult {
					t.Fatalf("got %s %s", m.Type, short(m.Data))
				}
				res := p.(*protocol.PageResult)
				if len(res.Results)+len(res.Errors) != len(tt.items) {
					t.Errorf("%d results + %d errors for %d items", len(res.Results), len(res.Errors), len(tt.items))
				}
				break
			}
			c.usable()
		})
	}
	t.Run("too many items", func(t *testing.T) {
		its := make([]protocol.PageItem, protocol.MaxItems+1)
		for i := range its {
			its[i] = protocol.PageItem{Key: fmt.Sprint(i), HTML: "<li></li>"}
		}
		c.send(protocol.TypeAnalyzePage, "m", protocol.AnalyzePage{URL: etsyPage, Items: its})
		c.expectError(protocol.CodeTooLarge, 0)
		c.usable()
	})
	t.Run("50 MB page", func(t *testing.T) {
		c2 := a.authed(t)
		big := []byte(`{"type":"analyze_page","id":"x","data":{"url":"` + etsyPage + `","items":[{"key":"k","html":"` + strings.Repeat("<div>", 10<<20) + `"}]}}`)
		c2.ws.WriteMessage(websocket.TextMessage, big)
		c2.expectClose(websocket.CloseMessageTooBig)
		c.usable()
	})
}

// expect2 reads any message.
func (c *client) expect2() (protocol.Message, any) {
	c.t.Helper()
	m, p, err := c.next()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m, p
}

func TestSlowClients(t *testing.T) {
	a := startAgent(t, func(c *Config) {
		c.ReadHeaderTimeout = 200 * time.Millisecond
		c.AuthTimeout = 200 * time.Millisecond
	})
	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", a.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port(a.addr) + "\r\nX-Slow: "))
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the agent kept a connection that never finished its headers")
		}
	})
	t.Run("upgraded but silent", func(t *testing.T) {
		c, _, err := a.dial(t, pinnedOrigin)
		if err != nil {
			t.Fatal(err)
		}
		c.expectError(protocol.CodeUnauthenticated, CloseUnauthenticated)
	})
	a.authed(t).usable()
}

func TestConnectionFlood(t *testing.T) {
	a := startAgent(t, func(c *Config) { c.MaxConns = 8; c.AuthTimeout = 300 * time.Millisecond })
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, resp, err := websocket.DefaultDialer.Dial("ws://"+a.addr+"/ws", http.Header{"Origin": {pinnedOrigin}})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				codes[101]++
				defer ws.Close()
				ws.SetReadDeadline(time.Now().Add(5 * time.Second))
				for {
					if _, _, err := ws.ReadMessage(); err != nil {
						return // closed by the agent: never authenticated
					}
				}
			}
			if resp != nil {
				codes[resp.StatusCode]++
			}
		}()
	}
	wg.Wait()
	if codes[101] > 8 || codes[http.StatusServiceUnavailable] == 0 {
		t.Errorf("flood of 40 against a cap of 8: %v", codes)
	}
	// Unauthenticated sockets were closed and their slots freed.
	var ok bool
	for range 50 {
		if c, _, err := a.dial(t, pinnedOrigin); err == nil {
			c.send(protocol.TypeAuth, "1", protocol.Auth{Token: a.token, Versions: []int{1}})
			c.expect(protocol.TypeHello)
			ok = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !ok {
		t.Fatal("no slot for a good client after the flood")
	}
}

// TestConcurrentWriters: many connections store reviews at once; every
// review is stored once and every event seq appears exactly once.
func TestConcurrentWriters(t *testing.T) {
	a := startAgent(t, nil)
	html := fragment(t)
	const writers, perWriter = 6, 20
	var wg sync.WaitGroup
	for w := range writers {
		c := a.authed(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				// Half the ids are shared between writers: upserts race.
				id := fmt.Sprint(7000000 + i*writers + w)
				if i%2 == 0 {
					id = fmt.Sprint(8000000 + i)
				}
				b, _ := protocol.Encode(protocol.TypeAnalyzePage, "w", protocol.AnalyzePage{URL: etsyPage, Items: []protocol.PageItem{{Key: id, HTML: withID(html, id)}}})
				c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
					t.Error(err)
					return
				}
				for {
					c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
					_, raw, err := c.ws.ReadMessage()
					if err != nil {
						t.Error(err)
						return
					}
					if m, _, _ := decodeFromAgent(raw); m.Type == protocol.TypePageResult {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	a.store.List(func(store.Record) bool { n++; return true })
	want := writers*perWriter/2 + perWriter/2
	if n != want {
		t.Errorf("%d records stored, want %d", n, want)
	}
	evs, err := a.store.EventsAfter(0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d: not contiguous", i, e.Seq)
		}
		if seen[e.Review.Review.ID] {
			t.Errorf("review %s announced twice", e.Review.Review.ID)
		}
		seen[e.Review.Review.ID] = true
	}
	if len(evs) != want {
		t.Errorf("%d events, want one per review (%d)", len(evs), want)
	}
}

// TestMemoryBoundedUnderLargeMessages sends many near-limit messages and
// checks the heap does not keep them.
func TestMemoryBoundedUnderLargeMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("large messages")
	}
	a := startAgent(t, nil)
	c := a.authed(t)
	// Plain text: json.Marshal would inflate "<" sixfold.
	item := strings.Repeat("filler ", (protocol.MaxItemBytes-100)/7)
	its := make([]protocol.PageItem, 14)
	for i := range its {
		its[i] = protocol.PageItem{Key: fmt.Sprint(i), HTML: item}
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 20 {
		c.send(protocol.TypeAnalyzePage, "m", protocol.AnalyzePage{URL: etsyPage, Items: its})
		c.expect(protocol.TypePageResult)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 64<<20 {
		t.Errorf("heap grew by %d MB over 20 messages of 3.5 MB", grown>>20)
	}
}
