package blackbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/shared/protocol"
)

// The attacks listed at the end of the security notes, tried against the
// real agent binary. Each is refused or survived, the agent's data does not
// change unless a good client changed it, a good client still pairs and is
// served afterwards, and the agent's memory stays bounded.

// target is the agent under attack and what a good client needs.
type target struct {
	*proc
	token string
	html  string
	next  atomic.Int64 // fresh review ids
}

func (a *target) freshID() string { return strconv.FormatInt(a.next.Add(1), 10) }

// goodClient connects and is served like the extension: auth, then a page
// analysed, stored and answered. Both Chromium (pinned Origin) and Firefox
// (no Origin) ways are tried. Connections refused for lack of slots are
// retried for a while: a flood ends within the auth timeout.
func (a *target) goodClient(t *testing.T) {
	t.Helper()
	for _, origin := range []string{pinnedOrigin, ""} {
		var c *client
		var err error
		for deadline := time.Now().Add(15 * time.Second); ; {
			c, err = authClient(a.Addr, a.token, origin, nil)
			if err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("a good client (Origin %q) cannot connect after the attack: %v", origin, err)
		}
		c.t = t
		c.usable(a.html, a.freshID())
		c.ws.Close()
	}
}

// snapshot is what an attack must not change: the inbox, the sources and
// the event log's end.
func snapshot(t *testing.T, c *client) string {
	t.Helper()
	ib := c.must(protocol.TypeListInbox, protocol.InboxQuery{}, protocol.TypeInbox).(*protocol.Inbox)
	ids := make([]string, 0, len(ib.Items))
	for _, it := range ib.Items {
		ids = append(ids, it.Review.ID+"/"+string(it.State))
	}
	sort.Strings(ids)
	srcs := c.must(protocol.TypeListSources, protocol.Empty{}, protocol.TypeSources).(*protocol.Sources)
	var urls []string
	for _, s := range srcs.Sources {
		urls = append(urls, s.URL)
	}
	evs := c.must(protocol.TypeCatchUp, protocol.CatchUp{AfterSeq: 1 << 62}, protocol.TypeEvents).(*protocol.Events)
	return fmt.Sprintf("inbox %v open %d; sources %v; last seq %d", ids, ib.Open, urls, evs.LastSeq)
}

// rawHTTP sends one request as written and returns the status (0 when the
// agent closed the connection without answering).
func rawHTTP(addr, req string) (int, string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, string(body), nil
}

func TestAttacks(t *testing.T) {
	html := etsyFragment(t)
	p := startAgent(t, t.TempDir())
	watch, token := p.pair(t)
	a := &target{proc: p, token: token, html: html}
	a.next.Store(7600000000)
	watch.usable(html, a.freshID()) // loads every lexicon
	before := snapshot(t, watch)
	rssBefore := p.rssKB(t)
	_, port, _ := net.SplitHostPort(p.Addr)

	// unchanged checks that nothing but the good client changed the data;
	// the good client then proves the agent still serves, and moves the
	// baseline.
	unchanged := func(t *testing.T) {
		t.Helper()
		if now := snapshot(t, watch); now != before {
			t.Errorf("the attack changed the agent's data:\nbefore %s\nafter  %s", before, now)
		}
		a.goodClient(t)
		before = snapshot(t, watch)
	}

	t.Run("origin", func(t *testing.T) {
		for _, origin := range []string{
			"https://evil.example",
			"http://" + p.Addr, // a DNS-rebound page looks same-origin
			"http://localhost:" + port,
			"null",
			"file://",
			"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", // another extension
			"chrome-extension://" + strings.ToUpper(pinnedOrigin[len("chrome-extension://"):]),
			pinnedOrigin + ".evil.example",
			"moz-extension://not-a-uuid",
		} {
			_, resp, err := dial(p.Addr, origin, nil)
			if err == nil {
				t.Errorf("Origin %q: upgraded", origin)
				continue
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("Origin %q: %v, want 403", origin, err)
			}
		}
		unchanged(t)
	})

	t.Run("authentication", func(t *testing.T) {
		tests := []struct {
			name   string
			origin string
			first  []byte
			code   string
		}{
			{"no token: a request first", pinnedOrigin, encode(t, protocol.TypeListInbox, protocol.InboxQuery{}), protocol.CodeUnauthenticated},
			{"wrong token", pinnedOrigin, encode(t, protocol.TypeAuth, protocol.Auth{Token: strings.Repeat("ab", 32), Versions: []int{1}}), protocol.CodeUnauthenticated},
			{"token with one bit off", pinnedOrigin, encode(t, protocol.TypeAuth, protocol.Auth{Token: flip(token), Versions: []int{1}}), protocol.CodeUnauthenticated},
			{"empty token", "", encode(t, protocol.TypeAuth, protocol.Auth{Versions: []int{1}}), protocol.CodeUnauthenticated},
			{"firefox origin, wrong token", "moz-extension://0f8f8c1e-1111-4222-8333-944445555666", encode(t, protocol.TypeAuth, protocol.Auth{Token: strings.Repeat("0", 64), Versions: []int{1}}), protocol.CodeUnauthenticated},
			{"right token, unknown version", pinnedOrigin, encode(t, protocol.TypeAuth, protocol.Auth{Token: token, Versions: []int{99}}), protocol.CodeVersionMismatch},
			{"not JSON", pinnedOrigin, []byte("hello agent"), protocol.CodeBadMessage},
		}
		for _, tt := range tests {
			c, _, err := dial(p.Addr, tt.origin, nil)
			if err != nil {
				t.Fatalf("%s: dial: %v", tt.name, err)
			}
			c.t = t
			c.ws.WriteMessage(websocket.TextMessage, tt.first)
			m, pl, err := c.read()
			if err != nil || m.Type != protocol.TypeError || pl.(*protocol.Error).Code != tt.code {
				t.Errorf("%s: got %s %s (%v), want error %s", tt.name, m.Type, m.Data, err, tt.code)
			}
			if code := c.closed(); code < 4400 || code > 4409 {
				t.Errorf("%s: close code %d, want 440x", tt.name, code)
			}
			c.ws.Close()
		}
		// Guessing the pairing code: a few tries, then locked.
		var last string
		for i := range 8 {
			c, _, err := dial(p.Addr, pinnedOrigin, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.write(protocol.TypePair, "g", protocol.Pair{Code: fmt.Sprintf("ZZZ-%03d", i), Versions: []int{1}})
			m, pl, err := c.read()
			if err != nil || m.Type != protocol.TypeError {
				t.Fatalf("guess %d: %s %v", i, m.Type, err)
			}
			last = pl.(*protocol.Error).Code
			c.ws.Close()
		}
		if last != protocol.CodePairingLocked {
			t.Errorf("8 wrong pairing codes end with %s, want %s", last, protocol.CodePairingLocked)
		}
		unchanged(t)
	})

	t.Run("token in the query string", func(t *testing.T) {
		for _, q := range []string{"?token=" + token, "?auth=" + token, "?"} {
			d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
			ws, resp, err := d.Dial("ws://"+p.Addr+"/ws"+q, http.Header{"Origin": {pinnedOrigin}})
			if err == nil {
				ws.Close()
				if q != "?" {
					t.Errorf("%s: upgraded", q)
				}
				continue
			}
			if resp == nil || resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %v, want 400", q, err)
			}
		}
		unchanged(t)
	})

	routes := []string{"/ws", "/healthz", "/", "/api", "/ws/", "/healthz?x=1", "/%2e%2e/ws"}
	t.Run("host header on every route", func(t *testing.T) {
		upgrade := "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: " + pinnedOrigin + "\r\n"
		hosts := []string{
			"evil.example", "evil.example:" + port, ":" + port, "localhost.evil.com:" + port,
			"127.0.0.1.nip.io:" + port, "127.0.0.1:1", "127.0.0.1", "localhost", "0.0.0.0:" + port,
			"127.1:" + port, "2130706433:" + port, "[::ffff:127.0.0.1]:" + port, "localhost.:" + port,
			"127.0.0.1:" + port + "@evil.example", "LOCALHOST.EVIL.COM:" + port,
		}
		for _, route := range routes {
			for _, h := range hosts {
				status, _, err := rawHTTP(p.Addr, "GET "+route+" HTTP/1.1\r\nHost: "+h+"\r\n"+upgrade+"\r\n")
				if err != nil {
					t.Fatal(err)
				}
				if status != http.StatusForbidden && status != http.StatusBadRequest && status != 0 {
					t.Errorf("GET %s Host %q: %d, want 403 or 400", route, h, status)
				}
			}
			// No Host at all (HTTP/1.0 allows it), and a second Host line.
			for _, req := range []string{
				"GET " + route + " HTTP/1.0\r\n" + upgrade + "\r\n",
				"GET " + route + " HTTP/1.1\r\nHost: \r\n" + upgrade + "\r\n",
				"GET " + route + " HTTP/1.1\r\nHost: " + p.Addr + "\r\nHost: evil.example\r\n" + upgrade + "\r\n",
				// Absolute-form target with a good Host.
				"GET http://evil.example" + route + " HTTP/1.1\r\nHost: " + p.Addr + "\r\n" + upgrade + "\r\n",
				"GET http://" + p.Addr + route + " HTTP/1.1\r\nHost: " + p.Addr + "\r\n" + upgrade + "\r\n",
			} {
				status, _, err := rawHTTP(p.Addr, req)
				if err != nil {
					t.Fatal(err)
				}
				if status != http.StatusForbidden && status != http.StatusBadRequest && status != 0 {
					t.Errorf("%q: %d, want 403 or 400", strings.SplitN(req, "\r\n", 2)[0], status)
				}
			}
		}
		// The allowed names still work.
		for _, h := range []string{p.Addr, "localhost:" + port} {
			if status, _, _ := rawHTTP(p.Addr, "GET /healthz HTTP/1.1\r\nHost: "+h+"\r\n\r\n"); status != http.StatusOK {
				t.Errorf("healthz with Host %s: %d", h, status)
			}
		}
		unchanged(t)
	})

	t.Run("cross-origin POST on every route", func(t *testing.T) {
		bodies := map[string]string{
			"text/plain":                        string(encode(t, protocol.TypeAddSource, protocol.SourceURL{URL: "https://www.trustedshops.de/bewertung/info_X1234567890ABCDEF1234567890ABCDE.html"})),
			"application/x-www-form-urlencoded": "type=set_state&token=" + token,
			"multipart/form-data; boundary=x":   "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n",
			"application/json":                  string(encode(t, protocol.TypeAnalyzePage, protocol.AnalyzePage{URL: etsyPage, Items: reviewItems(html, "7699999999")})),
		}
		for _, route := range routes {
			for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
				for ctype, body := range bodies {
					for _, origin := range []string{"https://evil.example", "null", pinnedOrigin} {
						req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
							method, route, p.Addr, origin, ctype, len(body), body)
						status, _, err := rawHTTP(p.Addr, req)
						if err != nil {
							t.Fatal(err)
						}
						if status < 400 {
							t.Errorf("%s %s (%s, Origin %s): %d", method, route, ctype, origin, status)
						}
					}
				}
			}
		}
		// A preflight is not granted to a web page either.
		status, _, _ := rawHTTP(p.Addr, "OPTIONS /healthz HTTP/1.1\r\nHost: "+p.Addr+"\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n\r\n")
		if status >= 200 && status < 300 {
			resp := mustGet(t, "http://"+p.Addr+"/healthz", "https://evil.example")
			if resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("healthz grants CORS to a web page")
			}
		}
		unchanged(t)
	})

	t.Run("bad messages", func(t *testing.T) {
		c := p.auth(t, token, pinnedOrigin)
		deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
		tests := []struct {
			name string
			raw  []byte
			bin  bool
		}{
			{"malformed", []byte(`{"type":"ping","id":"1"`), false},
			{"not an object", []byte(`[1,2,3]`), false},
			{"unknown type", []byte(`{"type":"drop_tables","id":"1"}`), false},
			{"unknown field", []byte(`{"type":"ping","id":"1","data":{},"admin":true}`), false},
			{"unknown payload field", []byte(`{"type":"list_inbox","id":"1","data":{"limit":1,"sql":"1=1"}}`), false},
			{"trailing data", []byte(`{"type":"ping","id":"1"} {"type":"ping"}`), false},
			{"deeply nested", []byte(`{"type":"ping","id":"1","data":` + deep + `}`), false},
			{"deeply nested in a payload", []byte(`{"type":"analyze_page","id":"1","data":{"url":"` + etsyPage + `","items":` + deep + `}}`), false},
			{"invalid UTF-8", []byte("{\"type\":\"ping\",\"id\":\"\xff\xfe\"}"), false},
			{"invalid UTF-8 in HTML", []byte("{\"type\":\"analyze_page\",\"id\":\"1\",\"data\":{\"url\":\"" + etsyPage + "\",\"items\":[{\"key\":\"k\",\"html\":\"\xc3\x28\"}]}}"), false},
			{"huge number", []byte(`{"type":"catch_up","id":"1","data":{"after_seq":1` + strings.Repeat("0", 5000) + `}}`), false},
			{"wrong field type", []byte(`{"type":"set_state","id":"1","data":{"platform":1,"review_id":[],"state":{}}}`), false},
			{"binary frame", []byte{0, 1, 2, 3}, true},
			{"pair again", encode(t, protocol.TypePair, protocol.Pair{Code: "ABC-DEF", Versions: []int{1}}), false},
			{"small message over its limit", []byte(`{"type":"list_inbox","id":"1","data":{"platform":"` + strings.Repeat("e", protocol.MaxSmallBytes) + `"}}`), false},
		}
		for _, tt := range tests {
			typ := websocket.TextMessage
			if tt.bin {
				typ = websocket.BinaryMessage
			}
			c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.ws.WriteMessage(typ, tt.raw); err != nil {
				t.Fatalf("%s: write: %v", tt.name, err)
			}
			m, pl, err := c.read()
			if err != nil || m.Type != protocol.TypeError {
				t.Fatalf("%s: got %s %.200s (%v), want an error message", tt.name, m.Type, m.Data, err)
			}
			t.Logf("%s: %s", tt.name, pl.(*protocol.Error).Code)
			if _, _, err := c.call(protocol.TypePing, protocol.Empty{}); err != nil {
				t.Fatalf("%s: the connection is no longer usable: %v", tt.name, err)
			}
		}
		unchanged(t)
	})

	t.Run("oversized and fragmented frames", func(t *testing.T) {
		// Before authentication only small messages are read.
		c, _, err := dial(p.Addr, pinnedOrigin, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"auth","data":{"token":"`+strings.Repeat("a", 200<<10)+`"}}`))
		if code := c.closed(); code != websocket.CloseMessageTooBig {
			t.Errorf("100 KB before auth: close %d, want %d", code, websocket.CloseMessageTooBig)
		}
		c.ws.Close()

		// One frame over the limit.
		c = p.auth(t, token, pinnedOrigin)
		c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"analyze_page","id":"x","data":{"url":"`+etsyPage+`","items":[{"key":"k","html":"`+strings.Repeat("x", protocol.MaxMessageBytes)+`"}]}}`))
		if code := c.closed(); code != websocket.CloseMessageTooBig {
			t.Errorf("frame over 4 MiB: close %d, want %d", code, websocket.CloseMessageTooBig)
		}

		// A good message in many small continuation frames is read whole.
		c, err = authClient(p.Addr, token, pinnedOrigin, &websocket.Dialer{WriteBufferSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		c.t = t
		defer c.ws.Close()
		msg := encode(t, protocol.TypeAnalyzePage, protocol.AnalyzePage{URL: etsyPage, Items: reviewItems(html, a.freshID())})
		w, err := c.ws.NextWriter(websocket.TextMessage)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(msg); i += 7 {
			w.Write(msg[i:min(i+7, len(msg))])
		}
		w.Close()
		if m, _, err := c.read(); err != nil || (m.Type != protocol.TypePageResult && m.Type != protocol.TypeEvent) {
			t.Fatalf("fragmented analyze_page: %s %v", m.Type, err)
		}
		time.Sleep(100 * time.Millisecond) // let its events settle before the baseline moves
		before = snapshot(t, watch)
		// Fragments adding up past the limit close like one big frame.
		w, _ = c.ws.NextWriter(websocket.TextMessage)
		chunk := []byte(strings.Repeat("a", 32<<10))
		for sent := 0; sent <= protocol.MaxMessageBytes+len(chunk); sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				break
			}
		}
		w.Close()
		if code := c.closed(); code != websocket.CloseMessageTooBig {
			t.Errorf("fragments over 4 MiB: close %d, want %d", code, websocket.CloseMessageTooBig)
		}
		unchanged(t)
	})

	t.Run("HTML bombs", func(t *testing.T) {
		c := p.auth(t, token, pinnedOrigin)
		review := func(inner string) string {
			return strings.Replace(html, "</p>", inner+"</p>", 1)
		}
		tests := []struct {
			name  string
			items []protocol.PageItem
		}{
			{"100,000 levels of nesting", []protocol.PageItem{{Key: "deep", HTML: strings.Repeat("<div>", 100000)}}},
			{"80,000 levels inside a review", []protocol.PageItem{{Key: "deep2", HTML: review(strings.Repeat("<i>", 80000))}}},
			{"16 deep elements in one message", func() []protocol.PageItem {
				var its []protocol.PageItem
				for i := range 16 {
					its = append(its, protocol.PageItem{Key: fmt.Sprint("d", i), HTML: strings.Repeat("<span>", 40000)})
				}
				return its
			}()},
			{"huge attribute", []protocol.PageItem{{Key: "attr", HTML: strings.Replace(html, "<li ", `<li title="`+strings.Repeat("A", 250<<10)+`" `, 1)}}},
			{"many attributes", []protocol.PageItem{{Key: "attrs", HTML: "<li" + strings.Repeat(" a=b", 60000) + ">x</li>"}}},
			{"500 small reviews", func() []protocol.PageItem {
				ids := make([]string, protocol.MaxItems)
				for i := range ids {
					ids[i] = a.freshID()
				}
				return reviewItems(html, ids...)
			}()},
			{"unclosed markup", []protocol.PageItem{{Key: "junk", HTML: "<li data-review-region=\"1\"><svg><math><table><tr><td><select><option>" + strings.Repeat("<!--", 20000) + strings.Repeat("<table>", 20000)}}},
		}
		for _, tt := range tests {
			start := time.Now()
			m, pl, err := c.call(protocol.TypeAnalyzePage, protocol.AnalyzePage{URL: etsyPage, Items: tt.items})
			var pe protocol.Error
			switch {
			case errors.As(err, &pe):
				t.Logf("%s: refused %s (%v)", tt.name, pe.Code, time.Since(start).Round(time.Millisecond))
			case err != nil:
				t.Fatalf("%s: %v", tt.name, err)
			default:
				res := pl.(*protocol.PageResult)
				if m.Type != protocol.TypePageResult || len(res.Results)+len(res.Errors) != len(tt.items) {
					t.Errorf("%s: %d results + %d errors for %d items", tt.name, len(res.Results), len(res.Errors), len(tt.items))
				}
				t.Logf("%s: %d results, %d item errors (%v)", tt.name, len(res.Results), len(res.Errors), time.Since(start).Round(time.Millisecond))
			}
		}
		// 50 MB in one frame: cut at the read limit, never buffered whole.
		big := []byte(`{"type":"analyze_page","id":"x","data":{"url":"` + etsyPage + `","items":[{"key":"k","html":"` + strings.Repeat("<div>", 10<<20) + `"}]}}`)
		c.ws.SetWriteDeadline(time.Now().Add(20 * time.Second))
		c.ws.WriteMessage(websocket.TextMessage, big)
		if code := c.closed(); code != websocket.CloseMessageTooBig && code != 0 {
			t.Errorf("50 MB page: close %d", code)
		}
		// The 500 reviews were stored by a good request; the baseline moves.
		before = snapshot(t, watch)
		unchanged(t)
	})

	t.Run("slow clients", func(t *testing.T) {
		t.Run("late authentication", func(t *testing.T) {
			t.Parallel()
			c, _, err := dial(p.Addr, pinnedOrigin, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.t = t
			time.Sleep(6 * time.Second)
			c.write(protocol.TypeAuth, "late", protocol.Auth{Token: token, Versions: []int{1}})
			m, pl, err := c.read()
			if err == nil && m.Type == protocol.TypeHello {
				t.Fatal("authenticated after 6 s of silence")
			}
			if err == nil && (m.Type != protocol.TypeError || pl.(*protocol.Error).Code != protocol.CodeUnauthenticated) {
				t.Errorf("late auth: got %s %s", m.Type, m.Data)
			}
		})
		t.Run("slowloris", func(t *testing.T) {
			t.Parallel()
			req := "GET /healthz HTTP/1.1\r\nHost: " + p.Addr + "\r\nX-Slow: " + strings.Repeat("s", 40) + "\r\n\r\n"
			var wg sync.WaitGroup
			var cut atomic.Int32
			const n = 40
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					conn, err := net.Dial("tcp", p.Addr)
					if err != nil {
						return
					}
					defer conn.Close()
					for i := range len(req) {
						conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
						if _, err := conn.Write([]byte{req[i]}); err != nil {
							cut.Add(1)
							return
						}
						// Did the agent hang up?
						conn.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
						var b [1]byte
						if _, err := conn.Read(b[:]); err != nil && !isTimeout(err) {
							cut.Add(1)
							return
						} else if err == nil {
							cut.Add(1) // an answer (408/400) before the headers ended
							return
						}
					}
				}()
			}
			// Meanwhile a good client is served (the baseline is taken
			// again after the slow group).
			a.goodClient(t)
			wg.Wait()
			if cut.Load() != n {
				t.Errorf("%d of %d byte-by-byte clients were cut off", cut.Load(), n)
			}
		})
	})
	before = snapshot(t, watch)
	t.Run("after slow clients", unchanged)

	t.Run("connection flood", func(t *testing.T) {
		// Web pages cannot take the slots: their upgrades are refused first.
		var wg sync.WaitGroup
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c, _, err := dial(p.Addr, "https://evil.example", nil); err == nil {
					c.ws.Close()
					t.Error("a web page's upgrade was accepted")
				}
			}()
		}
		a.goodClient(t)
		wg.Wait()

		// A local program opening 200 sockets: the cap refuses the extras,
		// an authenticated client keeps working, and the slots come back
		// once the auth timeout closes the idle ones.
		held := p.auth(t, token, pinnedOrigin)
		var open []*client
		var mu sync.Mutex
		refusedN := 0
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, resp, err := dial(p.Addr, pinnedOrigin, nil)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
						refusedN++
					}
					return
				}
				open = append(open, c)
			}()
		}
		wg.Wait()
		t.Logf("flood: %d sockets accepted, %d refused (503); RSS %d MB", len(open), refusedN, p.rssKB(t)/1024)
		if len(open) > 32 || refusedN < 150 {
			t.Errorf("no connection cap: %d accepted, %d refused", len(open), refusedN)
		}
		held.usable(html, a.freshID())
		for _, c := range open {
			c.ws.Close()
		}
		// And raw TCP connections that never send a request.
		var conns []net.Conn
		for range 200 {
			if conn, err := net.Dial("tcp", p.Addr); err == nil {
				conns = append(conns, conn)
			}
		}
		held.usable(html, a.freshID())
		for _, c := range conns {
			c.Close()
		}
		held.ws.Close()
		before = snapshot(t, watch)
		unchanged(t)
	})

	t.Run("concurrent writers", func(t *testing.T) {
		const writers, pages, per = 10, 8, 6
		var mu sync.Mutex
		acked := map[string]bool{}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for range writers {
			c, err := authClient(p.Addr, token, pinnedOrigin, nil)
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.ws.Close()
				for range pages {
					ids := make([]string, per)
					for i := range ids {
						ids[i] = a.freshID()
					}
					// Every writer also re-sends a shared review: an
					// update race, not a duplicate.
					got, err := c.analyze(reviewItems(html, append(ids, "7650000000")...))
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					for _, id := range got {
						acked[id] = true
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a writer was not answered: %v", err)
		}
		if len(acked) != writers*pages*per+1 {
			t.Errorf("%d reviews acknowledged, want %d", len(acked), writers*pages*per+1)
		}
		evs := 0
		checkCatchUpAll(t, watch, acked, &evs)
		before = snapshot(t, watch)
		unchanged(t)
	})

	t.Run("SSRF through sources", func(t *testing.T) {
		for _, u := range []string{
			"http://" + p.Addr + "/healthz",
			"https://127.0.0.1/bewertung/info_X1234567890ABCDEF1234567890ABCDE.html",
			"https://localhost/",
			"https://[::1]/",
			"https://169.254.169.254/latest/meta-data/",
			"http://metadata.google.internal/computeMetadata/v1/",
			"https://10.0.0.1/", "https://192.168.1.1/", "https://172.16.0.1/", "https://0.0.0.0/",
			"https://127.0.0.1.nip.io/", "https://localtest.me/",
			"file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://127.0.0.1/",
			"https://user:pass@www.trustedshops.de/bewertung/info_X1234567890ABCDEF1234567890ABCDE.html",
			"https://www.trustedshops.de.evil.example/bewertung/info_X1234567890ABCDEF1234567890ABCDE.html",
		} {
			_, _, err := watch.call(protocol.TypeAddSource, protocol.SourceURL{URL: u})
			var pe protocol.Error
			if !errors.As(err, &pe) || pe.Code != protocol.CodeBadSource {
				t.Errorf("add_source %s: %v, want %s", u, err, protocol.CodeBadSource)
			}
		}
		unchanged(t)
	})

	rssAfter := p.rssKB(t)
	t.Logf("agent RSS: %d MB before the attacks, %d MB after", rssBefore/1024, rssAfter/1024)
	if rssAfter > 200<<10 {
		t.Errorf("agent RSS %d MB after the attacks, bound 200 MB", rssAfter/1024)
	}
	if !p.running() {
		t.Fatalf("the agent died:\n%s", p.out.String())
	}
}

// checkCatchUpAll replays the log and checks the acknowledged reviews are
// announced once each.
func checkCatchUpAll(t *testing.T, c *client, acked map[string]bool, n *int) {
	t.Helper()
	var events []protocol.Event
	for {
		after := uint64(0)
		if len(events) > 0 {
			after = events[len(events)-1].Seq
		}
		evs := c.must(protocol.TypeCatchUp, protocol.CatchUp{AfterSeq: after}, protocol.TypeEvents).(*protocol.Events)
		if len(evs.Events) == 0 {
			checkEvents(t, "catch_up", events, evs.LastSeq, acked, false)
			*n = len(events)
			return
		}
		events = append(events, evs.Events...)
	}
}

func encode(t *testing.T, typ string, payload any) []byte {
	t.Helper()
	b, err := encodePlain(typ, "x", payload)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flip changes the last hex digit of a token.
func flip(tok string) string {
	last := tok[len(tok)-1]
	if last == '0' {
		last = '1'
	} else {
		last = '0'
	}
	return tok[:len(tok)-1] + string(last)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func mustGet(t *testing.T, url, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
