package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/agent/monitor"
	"github.com/calmreply/calmreply/agent/store"
	_ "github.com/calmreply/calmreply/scrapers/all"
	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"
)

const pinnedOrigin = "chrome-extension://" + PinnedExtensionID

// agent is a real server on a loopback port with a real store.
type agent struct {
	srv   *Server
	store *store.Store
	pair  *Pairing
	addr  string // 127.0.0.1:P
	token string
}

func startAgent(t testing.TB, tweak func(*Config)) *agent {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := NewPairing(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Pairing: pr, AgentVersion: "test", Logf: func(string, ...any) {}}
	if tweak != nil {
		tweak(&cfg)
	}
	srv := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		st.Close()
	})
	tok, err := pr.token()
	if err != nil {
		t.Fatal(err)
	}
	return &agent{srv: srv, store: st, pair: pr, addr: ln.Addr().String(), token: tok}
}

// client is a test WebSocket client speaking the protocol.
type client struct {
	t  testing.TB
	ws *websocket.Conn
	n  int
}

func (a *agent) dial(t testing.TB, origin string) (*client, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+a.addr+"/ws", h)
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws}, resp, nil
}

// The clients tests authenticate as: the extension in Chromium, and the
// sources CLI, a script without a browser.
var (
	extensionClient = protocol.ClientInfo{Name: "calmreply", Version: "0.1.0", Browser: "chromium"}
	cliClient       = protocol.ClientInfo{Name: "calmreply-cli", Version: "dev"}
)

// authed dials and authenticates with the token, as the extension.
func (a *agent) authed(t testing.TB) *client { return a.authedAs(t, extensionClient) }

// authedAs dials and authenticates with the token as client.
func (a *agent) authedAs(t testing.TB, client protocol.ClientInfo) *client {
	t.Helper()
	c, _, err := a.dial(t, pinnedOrigin)
	if err != nil {
		t.Fatal(err)
	}
	c.send(protocol.TypeAuth, "a1", protocol.Auth{Token: a.token, Versions: []int{1}, Client: client})
	c.expect(protocol.TypeHello)
	return c
}

func (c *client) send(typ, id string, payload any) {
	c.t.Helper()
	b, err := protocol.Encode(typ, id, payload)
	if err != nil {
		c.t.Fatal(err)
	}
	c.raw(b)
}

func (c *client) raw(b []byte) {
	c.t.Helper()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next reads one message, or returns the read error (a close, say).
func (c *client) next() (protocol.Message, any, error) {
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return protocol.Message{}, nil, err
	}
	m, p, err := decodeFromAgent(b)
	if err != nil {
		c.t.Fatalf("agent sent an undecodable message: %v: %s", err, short(b))
	}
	return m, p, nil
}

// decodeFromAgent is strict about fields like protocol.Decode, but the
// agent's answers (a page of 500 results) may exceed the limits the agent
// applies to what it reads; the extension allows them up to 4 MiB.
func decodeFromAgent(b []byte) (protocol.Message, any, error) {
	var m protocol.Message
	if len(b) > protocol.MaxMessageBytes {
		return m, nil, errors.New("over 4 MiB")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, nil, err
	}
	newP, ok := protocol.Payloads[m.Type]
	if !ok {
		return m, nil, errors.New("unknown type " + m.Type)
	}
	p := newP()
	if len(m.Data) > 0 {
		dec = json.NewDecoder(bytes.NewReader(m.Data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(p); err != nil {
			return m, nil, err
		}
	}
	return m, p, nil
}

func short(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

func (c *client) expect(typ string) (protocol.Message, any) {
	c.t.Helper()
	m, p, err := c.next()
	if err != nil {
		c.t.Fatalf("want %s, got error %v", typ, err)
	}
	if m.Type != typ {
		c.t.Fatalf("want %s, got %s %s", typ, m.Type, short(m.Data))
	}
	return m, p
}

// expectError reads an error message with code; closeCode > 0 also wants
// the connection closed with that code.
func (c *client) expectError(code string, closeCode int) {
	c.t.Helper()
	_, p := c.expect(protocol.TypeError)
	if e := p.(*protocol.Error); e.Code != code {
		c.t.Fatalf("error code %s (%s), want %s", e.Code, e.Message, code)
	}
	if closeCode > 0 {
		c.expectClose(closeCode)
	}
}

func (c *client) expectClose(code int) {
	c.t.Helper()
	_, _, err := c.next()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != code {
		c.t.Fatalf("want close %d, got %v", code, err)
	}
}

// usable checks the connection still answers.
func (c *client) usable() {
	c.t.Helper()
	c.n++
	c.send(protocol.TypePing, "p", protocol.Empty{})
	c.expect(protocol.TypePong)
}

func TestPairingHappyPath(t *testing.T) {
	a := startAgent(t, nil)
	code, _ := a.pair.Code()
	c, _, err := a.dial(t, pinnedOrigin)
	if err != nil {
		t.Fatal(err)
	}
	c.send(protocol.TypePair, "1", protocol.Pair{Code: strings.ToLower(FormatCode(code)), Versions: []int{1}})
	m, p := c.expect(protocol.TypePaired)
	if m.ID != "1" || p.(*protocol.Paired).Token != a.token {
		t.Fatalf("paired %s gave another token than the file holds", m.ID)
	}
	_, p = c.expect(protocol.TypeHello)
	h := p.(*protocol.Hello)
	if h.Version != 1 || len(h.Profiles) == 0 || h.Profiles[0].Platform == "" {
		t.Errorf("hello = %+v, want version 1 and the scrapers' profiles", h)
	}
	c.usable()
	// The code is spent: a second browser needs the next one.
	c2, _, _ := a.dial(t, "")
	c2.send(protocol.TypePair, "1", protocol.Pair{Code: code, Versions: []int{1}})
	c2.expectError(protocol.CodeBadCode, CloseUnauthenticated)
	next, _ := a.pair.Code()
	if next == code {
		t.Error("a used code was not replaced")
	}
	// Firefox: no Origin, authenticated by the token.
	c3, _, _ := a.dial(t, "")
	c3.send(protocol.TypeAuth, "1", protocol.Auth{Token: a.token, Versions: []int{1}})
	c3.expect(protocol.TypeHello)
}

func TestPairingRefusals(t *testing.T) {
	a := startAgent(t, nil)
	code, _ := a.pair.Code()
	pair := func(code string) *client {
		c, _, err := a.dial(t, pinnedOrigin)
		if err != nil {
			t.Fatal(err)
		}
		c.send(protocol.TypePair, "1", protocol.Pair{Code: code, Versions: []int{1}})
		return c
	}
	for i := 1; i < CodeAttempts; i++ {
		pair("WRONG1").expectError(protocol.CodeBadCode, CloseUnauthenticated)
	}
	pair("WRONG2").expectError(protocol.CodePairingLocked, CloseUnauthenticated)
	// Locked: even the right code fails until a new one is made.
	pair(code).expectError(protocol.CodePairingLocked, CloseUnauthenticated)

	// Expiry makes a new code; the old one is refused.
	a.pair.mu.Lock()
	a.pair.now = func() time.Time { return time.Now().Add(CodeTTL + time.Minute) }
	a.pair.mu.Unlock()
	pair(code).expectError(protocol.CodePairingLocked, CloseUnauthenticated)
	fresh, _ := a.pair.Code()
	if fresh == code {
		t.Fatal("no new code after expiry")
	}
	c := pair(fresh)
	c.expect(protocol.TypePaired)
	c.expect(protocol.TypeHello)
}

func TestAuthRefusals(t *testing.T) {
	a := startAgent(t, func(c *Config) { c.AuthTimeout = 300 * time.Millisecond })
	tests := []struct {
		name      string
		first     func(c *client)
		code      string
		closeCode int
	}{
		{"wrong token", func(c *client) {
			c.send(protocol.TypeAuth, "1", protocol.Auth{Token: strings.Repeat("0", 64), Versions: []int{1}})
		}, protocol.CodeUnauthenticated, CloseUnauthenticated},
		{"missing token", func(c *client) {
			c.send(protocol.TypeAuth, "1", protocol.Auth{Versions: []int{1}})
		}, protocol.CodeUnauthenticated, CloseUnauthenticated},
		{"request before auth", func(c *client) {
			c.send(protocol.TypeListInbox, "1", protocol.InboxQuery{})
		}, protocol.CodeUnauthenticated, CloseUnauthenticated},
		{"late auth", func(c *client) {}, protocol.CodeUnauthenticated, CloseUnauthenticated},
		{"unknown version", func(c *client) {
			c.send(protocol.TypeAuth, "1", protocol.Auth{Token: a.token, Versions: []int{2, 3}})
		}, protocol.CodeVersionMismatch, CloseVersion},
		{"malformed first message", func(c *client) { c.raw([]byte(`{"type":"auth",`)) }, protocol.CodeBadMessage, CloseProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := a.dial(t, pinnedOrigin)
			if err != nil {
				t.Fatal(err)
			}
			tt.first(c)
			c.expectError(tt.code, tt.closeCode)
		})
	}
	t.Run("token in the query string", func(t *testing.T) {
		_, resp, err := websocket.DefaultDialer.Dial("ws://"+a.addr+"/ws?token="+a.token, http.Header{"Origin": {pinnedOrigin}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("dial with ?token= : err %v resp %v, want 400", err, resp)
		}
	})
}

func TestOriginFilter(t *testing.T) {
	a := startAgent(t, func(c *Config) { c.ExtensionIDs = []string{strings.Repeat("b", 32)} })
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true}, // Firefox may send none; the token decides
		{pinnedOrigin, true},
		{"chrome-extension://" + strings.Repeat("b", 32), true},
		{"chrome-extension://" + strings.Repeat("a", 32), false},
		{"chrome-extension://evil", false},
		{"moz-extension://0f5c3a2e-1b2c-4d5e-8f90-123456789abc", true},
		{"moz-extension://not-a-uuid", false},
		{"https://evil.example", false},
		{"http://127.0.0.1:" + port(a.addr), false}, // what a rebound page sends
		{"http://localhost:" + port(a.addr), false},
		{"null", false},
		{"file://", false},
	}
	for _, tt := range tests {
		_, resp, err := a.dial(t, tt.origin)
		if tt.ok && err != nil {
			t.Errorf("Origin %q refused: %v", tt.origin, err)
		}
		if !tt.ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden) {
			t.Errorf("Origin %q: err %v resp %v, want 403 before upgrading", tt.origin, err, resp)
		}
	}
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// rawRequest sends one request with exactly the given request line and Host.
func rawRequest(t *testing.T, addr, method, target, host, extra string) (int, http.Header) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := method + " " + target + " HTTP/1.1\r\n"
	if host != "<none>" {
		req += "Host: " + host + "\r\n"
	}
	req += extra + "Connection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := conn.Read(buf)
	resp, err := http.ReadResponse(bufioReader(buf[:n]), nil)
	if err != nil {
		t.Fatalf("%s %s Host %q: unreadable answer %q: %v", method, target, host, buf[:n], err)
	}
	return resp.StatusCode, resp.Header
}

var routes = []string{"/ws", "/healthz", "/", "/nope", "/ws/../healthz"}

func TestHostAllowlist(t *testing.T) {
	a := startAgent(t, nil)
	p := port(a.addr)
	hosts := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + p, true},
		{"[::1]:" + p, true},
		{"localhost:" + p, true},
		{"<none>", false},
		{"", false},
		{":" + p, false},
		{"127.0.0.1", false},
		{"127.0.0.1:1", false},
		{"localhost", false},
		{"evil.example", false},
		{"evil.example:" + p, false},
		{"localhost.evil.com:" + p, false},
		{"127.0.0.1.nip.io:" + p, false},
		{"LOCALHOST:" + p, false},
		{"0.0.0.0:" + p, false},
	}
	for _, h := range hosts {
		for _, route := range routes {
			code, hdr := rawRequest(t, a.addr, "GET", route, h.host, "")
			// net/http itself answers 400 to an HTTP/1.1 request without
			// Host, before any handler runs; every other answer is ours.
			missing := hdr.Get("X-Frame-Options") != "DENY" || hdr.Get("Content-Security-Policy") == "" ||
				hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Cache-Control") != "no-store"
			if h.host != "<none>" && missing {
				t.Errorf("GET %s Host %q: security headers missing: %v", route, h.host, hdr)
			}
			if !h.ok && code != http.StatusForbidden && code != http.StatusBadRequest {
				t.Errorf("GET %s Host %q = %d, want refused", route, h.host, code)
			}
			if h.ok && (code == http.StatusForbidden) {
				t.Errorf("GET %s Host %q = %d, want allowed", route, h.host, code)
			}
		}
	}
	// Absolute-form request targets smuggle another host past a proxy.
	for _, route := range routes {
		code, _ := rawRequest(t, a.addr, "GET", "http://127.0.0.1:"+p+route, "127.0.0.1:"+p, "")
		if code != http.StatusBadRequest {
			t.Errorf("absolute-form GET %s = %d, want 400", route, code)
		}
	}
	code, _ := rawRequest(t, a.addr, "GET", "/healthz", "127.0.0.1:"+p, "")
	if code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
	code, _ = rawRequest(t, a.addr, "GET", "/nope", "127.0.0.1:"+p, "")
	if code != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", code)
	}
}

// TestNoStateChangeOverHTTP: a web page can send simple cross-origin POSTs
// and GETs; none may change anything.
func TestNoStateChangeOverHTTP(t *testing.T) {
	a := startAgent(t, nil)
	p := port(a.addr)
	before := snapshot(t, a.store)
	for _, route := range routes {
		for _, method := range []string{"POST", "GET", "PUT", "DELETE"} {
			body := `{"type":"set_state","data":{"platform":"etsy","review_id":"1","state":"ignored"}}`
			extra := "Origin: https://evil.example\r\nContent-Type: text/plain\r\nContent-Length: " + itoa(len(body)) + "\r\n"
			code, hdr := rawRequest(t, a.addr, method, route, "127.0.0.1:"+p, extra)
			if method != "GET" && code < 400 {
				t.Errorf("%s %s = %d, want refused", method, route, code)
			}
			if hdr.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s %s allowed a web origin via CORS", method, route)
			}
		}
	}
	if after := snapshot(t, a.store); after != before {
		t.Errorf("store changed over plain HTTP: %s -> %s", before, after)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	n := 0
	st.List(func(store.Record) bool { n++; return true })
	seq, _ := st.LastSeq()
	set, _ := st.Settings()
	srcs, _ := st.Sources()
	b, _ := json.Marshal([]any{n, seq, set, len(srcs)})
	return string(b)
}

func TestBadMessagesKeepConnection(t *testing.T) {
	a := startAgent(t, nil)
	c := a.authed(t)
	tests := []struct {
		name string
		raw  string
		code string
	}{
		{"not JSON", `hello`, protocol.CodeBadMessage},
		{"truncated", `{"type":"ping"`, protocol.CodeBadMessage},
		{"unknown type", `{"type":"format_disk","id":"1"}`, protocol.CodeUnknownType},
		{"unknown field", `{"type":"ping","id":"1","sudo":true}`, protocol.CodeBadMessage},
		{"deeply nested", `{"type":"ping","data":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, protocol.CodeBadMessage},
		{"invalid UTF-8", "{\"type\":\"ping\",\"id\":\"\xff\xfe\"}", protocol.CodeBadMessage},
		{"wrong payload type", `{"type":"set_state","id":"1","data":{"platform":5}}`, protocol.CodeBadMessage},
		{"small type too large", `{"type":"ping","id":"` + strings.Repeat("x", protocol.MaxSmallBytes) + `"}`, protocol.CodeTooLarge},
		{"unknown state", `{"type":"set_state","id":"1","data":{"platform":"etsy","review_id":"x","state":"gone"}}`, protocol.CodeStore},
		{"unknown review", `{"type":"set_state","id":"1","data":{"platform":"etsy","review_id":"x","state":"ignored"}}`, protocol.CodeNotFound},
		{"pair again", `{"type":"auth","id":"1","data":{"token":"x","versions":[1]}}`, protocol.CodeBadMessage},
		{"page of another site", `{"type":"analyze_page","id":"1","data":{"url":"https://example.com/","items":[]}}`, protocol.CodeNoScraper},
		{"page URL not http", `{"type":"analyze_page","id":"1","data":{"url":"javascript:alert(1)","items":[]}}`, protocol.CodeBadMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.raw([]byte(tt.raw))
			c.expectError(tt.code, 0)
			c.usable()
		})
	}
	t.Run("binary frame", func(t *testing.T) {
		c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
		c.expectError(protocol.CodeBadMessage, 0)
		c.usable()
	})
	t.Run("oversized frame closes", func(t *testing.T) {
		big := `{"type":"analyze_page","id":"1","data":{"url":"https://www.etsy.com/shop/X/reviews","items":[{"key":"k","html":"` +
			strings.Repeat("a", protocol.MaxMessageBytes) + `"}]}}`
		c.ws.WriteMessage(websocket.TextMessage, []byte(big))
		c.expectClose(websocket.CloseMessageTooBig)
		// The agent still serves others.
		a.authed(t).usable()
	})
}

func TestOversizedBeforeAuthCloses(t *testing.T) {
	a := startAgent(t, nil)
	c, _, err := a.dial(t, pinnedOrigin)
	if err != nil {
		t.Fatal(err)
	}
	c.raw([]byte(`{"type":"auth","data":{"token":"` + strings.Repeat("a", protocol.MaxSmallBytes) + `"}}`))
	c.expectClose(websocket.CloseMessageTooBig)
}

func fragment(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../scrapers/etsy/testdata/fragment_review.html")
	if err != nil {
		t.Skipf("etsy testdata absent: %v", err)
	}
	return string(b)
}

const etsyPage = "https://www.etsy.com/de/shop/TonwerkLina/reviews"

func TestAnalyzePageEndToEnd(t *testing.T) {
	a := startAgent(t, nil)
	html := fragment(t)
	c1, c2 := a.authed(t), a.authed(t)
	req := protocol.AnalyzePage{URL: etsyPage, PageLang: "de", Items: []protocol.PageItem{
		{Key: "r1", HTML: html},
		{Key: "bad", HTML: "<div>not a review</div>"},
	}}
	c1.send(protocol.TypeAnalyzePage, "q1", req)
	// The event is queued before the answer: c1 sees it first.
	_, p := c1.expect(protocol.TypeEvent)
	if ev := p.(*protocol.Event); ev.Kind != protocol.EventNewReview || ev.Seq != 1 {
		t.Errorf("event = %+v, want new_review seq 1", ev)
	}
	m, p := c1.expect(protocol.TypePageResult)
	res := p.(*protocol.PageResult)
	if m.ID != "q1" || res.Platform != review.Etsy || len(res.Results) != 1 || len(res.Errors) != 1 {
		t.Fatalf("page_result %s = %+v", m.ID, res)
	}
	r := res.Results[0]
	if r.Key != "r1" || r.Review.ID == "" || r.Review.Rating == nil || r.Analysis.Kind == "" || r.State != review.Open || r.FirstSeen.IsZero() {
		t.Errorf("result = %+v", r)
	}
	if res.Errors[0].Key != "bad" || res.Errors[0].Error.Code == "" {
		t.Errorf("item error = %+v", res.Errors[0])
	}
	// Pushed to the other connection too.
	_, p = c2.expect(protocol.TypeEvent)
	if ev := p.(*protocol.Event); ev.Review == nil || ev.Review.Review.ID != r.Review.ID {
		t.Errorf("c2 event = %+v", ev)
	}

	// Analysing the same page again announces nothing.
	c1.send(protocol.TypeAnalyzePage, "q2", req)
	c1.expect(protocol.TypePageResult)
	c2.usable() // a pushed event would arrive before the pong

	// The seller inserts the draft: ack, and every connection hears it.
	c1.send(protocol.TypeSetState, "s1", protocol.SetState{ReviewRef: protocol.ReviewRef{Platform: review.Etsy, ReviewID: r.Review.ID}, State: review.Inserted})
	c1.expect(protocol.TypeEvent)
	c1.expect(protocol.TypeAck)
	_, p = c2.expect(protocol.TypeEvent)
	if ev := p.(*protocol.Event); ev.Kind != protocol.EventStateChanged || ev.Seq != 2 || ev.Review.State != review.Inserted {
		t.Errorf("state event = %+v", ev)
	}

	// Another wording.
	c1.send(protocol.TypeRedraft, "d1", protocol.Redraft{ReviewRef: protocol.ReviewRef{Platform: review.Etsy, ReviewID: r.Review.ID}, Variant: 2})
	_, p = c1.expect(protocol.TypeDraft)
	if d := p.(*protocol.ReviewResult); d.Draft.Variant != 2 && d.Draft.Reply != "" {
		t.Errorf("redraft variant = %d, want 2", d.Draft.Variant)
	}

	// A client that was away catches up from its last seq, after reconnecting.
	c3 := a.authed(t)
	c3.send(protocol.TypeCatchUp, "c", protocol.CatchUp{AfterSeq: 1})
	_, p = c3.expect(protocol.TypeEvents)
	evs := p.(*protocol.Events)
	if evs.LastSeq != 2 || len(evs.Events) != 1 || evs.Events[0].Seq != 2 {
		t.Errorf("catch_up after 1 = %+v", evs)
	}

	// The inbox lists it, with the open count.
	c3.send(protocol.TypeListInbox, "i", protocol.InboxQuery{Platform: review.Etsy})
	_, p = c3.expect(protocol.TypeInbox)
	if ib := p.(*protocol.Inbox); len(ib.Items) != 1 || ib.Items[0].State != review.Inserted {
		t.Errorf("inbox = %+v", ib)
	}
	c3.send(protocol.TypeGetStats, "st", protocol.Empty{})
	_, p = c3.expect(protocol.TypeStats)
	if s := p.(*protocol.Stats); len(s.Platforms) != 1 || s.Platforms[0].Reviews != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestSettingsAndSources(t *testing.T) {
	a := startAgent(t, nil)
	c := a.authed(t)
	c.send(protocol.TypeSaveSettings, "1", review.Settings{ShopName: "Tonwerk", Tone: "formal"})
	c.expect(protocol.TypeSettings)
	c.send(protocol.TypeGetSettings, "2", protocol.Empty{})
	_, p := c.expect(protocol.TypeSettings)
	if s := p.(*review.Settings); s.ShopName != "Tonwerk" {
		t.Errorf("settings = %+v", s)
	}
	c.send(protocol.TypeSaveSettings, "3", review.Settings{Tone: "shouty"})
	c.expectError(protocol.CodeBadMessage, 0)

	woken := make(chan struct{}, 4)
	a.srv.SetWatcher(wakeFunc(func() { woken <- struct{}{} }))
	for _, bad := range []string{"http://www.etsy.com/shop/X/reviews", "https://example.com/", "not a url", "https://user:pw@www.etsy.com/shop/X/reviews"} {
		c.send(protocol.TypeAddSource, "b", protocol.SourceURL{URL: bad})
		c.expectError(protocol.CodeBadSource, 0)
	}
	c.send(protocol.TypeAddSource, "4", protocol.SourceURL{URL: "https://www.etsy.com/shop/X/reviews"})
	_, p = c.expect(protocol.TypeSources)
	if s := p.(*protocol.Sources); len(s.Sources) != 1 || s.Sources[0].Platform != review.Etsy || s.Sources[0].Fetcher != "extension" {
		t.Errorf("sources = %+v", s)
	}
	<-woken
	c.send(protocol.TypeRemoveSource, "5", protocol.SourceURL{URL: "https://www.etsy.com/shop/X/reviews"})
	_, p = c.expect(protocol.TypeSources)
	if s := p.(*protocol.Sources); len(s.Sources) != 0 {
		t.Errorf("sources after remove = %+v", s)
	}
	<-woken
	c.send(protocol.TypeRemoveSource, "6", protocol.SourceURL{URL: "https://www.etsy.com/shop/X/reviews"})
	c.expectError(protocol.CodeNotFound, 0)
}

// TestSourceSameEitherWay: a page added over the WebSocket and the same page
// added by the sources CLI (monitor.NewSource, straight into the store) are
// one stored source, with the monitor's URL, platform and fetcher.
func TestSourceSameEitherWay(t *testing.T) {
	const ts = "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html"
	tests := []struct {
		name      string
		viaServer string // what the extension sends
		viaCLI    string // what the seller types
		fetcher   string
	}{
		{"same text", "https://www.etsy.com/shop/X/reviews", "https://www.etsy.com/shop/X/reviews", "extension"},
		{"fragment", "https://www.etsy.com/shop/X/reviews#reviews", "https://www.etsy.com/shop/X/reviews", "extension"},
		{"spaces", "  https://www.etsy.com/shop/X/reviews\n", "https://www.etsy.com/shop/X/reviews#top", "extension"},
		{"trusted shops", ts + "#bewertungen", ts, "agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startAgent(t, nil)
			c := a.authed(t)
			cliSrc, err := monitor.NewSource(tt.viaCLI, time.Now())
			if err != nil {
				t.Fatalf("NewSource(%q): %v", tt.viaCLI, err)
			}
			if err := a.store.PutSource(cliSrc); err != nil {
				t.Fatal(err)
			}
			c.send(protocol.TypeAddSource, "1", protocol.SourceURL{URL: tt.viaServer})
			_, p := c.expect(protocol.TypeSources)
			got := p.(*protocol.Sources).Sources
			if len(got) != 1 || got[0].URL != cliSrc.URL || got[0].Platform != cliSrc.Platform || got[0].Fetcher != tt.fetcher || cliSrc.Fetcher != tt.fetcher {
				t.Fatalf("add_source(%q) after the CLI added %q: sources = %+v, want one %s source %s fetched by %s",
					tt.viaServer, tt.viaCLI, got, cliSrc.Platform, cliSrc.URL, tt.fetcher)
			}
			// Removing by the address as it was added finds the stored one.
			c.send(protocol.TypeRemoveSource, "2", protocol.SourceURL{URL: tt.viaServer})
			_, p = c.expect(protocol.TypeSources)
			if got := p.(*protocol.Sources).Sources; len(got) != 0 {
				t.Errorf("remove_source(%q): sources = %+v, want none", tt.viaServer, got)
			}
		})
	}
}

type wakeFunc func()

func (f wakeFunc) Wake() { f() }

func TestFetchViaExtension(t *testing.T) {
	a := startAgent(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.srv.FetchViaExtension(ctx, "https://www.etsy.com/shop/X/reviews"); !errors.Is(err, ErrNoExtension) {
		t.Fatalf("with no extension: %v, want ErrNoExtension", err)
	}
	c := a.authed(t)
	done := make(chan protocol.FetchResult, 1)
	go func() {
		res, err := a.srv.FetchViaExtension(ctx, "https://www.etsy.com/shop/X/reviews")
		if err != nil {
			t.Errorf("FetchViaExtension: %v", err)
		}
		done <- res
	}()
	m, p := c.expect(protocol.TypeFetchPage)
	if p.(*protocol.FetchPage).URL != "https://www.etsy.com/shop/X/reviews" || m.ID == "" {
		t.Fatalf("fetch_page %s %+v", m.ID, p)
	}
	c.send(protocol.TypeFetchResult, "someone-else", protocol.FetchResult{Status: 500}) // ignored
	c.send(protocol.TypeFetchResult, m.ID, protocol.FetchResult{URL: "https://www.etsy.com/shop/X/reviews", Status: 200, HTML: "<html></html>"})
	if res := <-done; res.Status != 200 || res.HTML == "" {
		t.Errorf("result = %+v", res)
	}
	// A caller whose extension goes away hears so at once.
	go func() {
		_, err := a.srv.FetchViaExtension(ctx, "https://www.etsy.com/shop/X/reviews")
		if err == nil {
			t.Error("no error after the extension disconnected")
		}
		done <- protocol.FetchResult{}
	}()
	c.expect(protocol.TypeFetchPage)
	c.ws.Close()
	<-done
}

// TestFetchSkipsScripts: the sources CLI connects after the extension (so
// it is the newest connection) and must never be asked to load a page.
func TestFetchSkipsScripts(t *testing.T) {
	const page = "https://www.etsy.com/shop/X/reviews"
	a := startAgent(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	cli := a.authedAs(t, cliClient)
	if _, err := a.srv.FetchViaExtension(ctx, page); !errors.Is(err, ErrNoExtension) {
		t.Fatalf("with only the CLI connected: %v, want ErrNoExtension", err)
	}

	ext := a.authed(t)
	cli2 := a.authedAs(t, cliClient)
	done := make(chan error, 1)
	go func() {
		_, err := a.srv.FetchViaExtension(ctx, page)
		done <- err
	}()
	m, _ := ext.expect(protocol.TypeFetchPage)
	ext.send(protocol.TypeFetchResult, m.ID, protocol.FetchResult{URL: page, Status: 200, HTML: "<html></html>"})
	if err := <-done; err != nil {
		t.Fatalf("FetchViaExtension with the extension and the CLI connected: %v", err)
	}
	// Neither CLI connection was sent anything: a ping is answered first.
	for i, c := range []*client{cli, cli2} {
		c.send(protocol.TypePing, "p", protocol.Empty{})
		if m, _ := c.expect(protocol.TypePong); m.ID != "p" {
			t.Errorf("CLI connection %d: pong id %q", i, m.ID)
		}
	}
}

func TestConnectionCapAndShutdown(t *testing.T) {
	a := startAgent(t, func(c *Config) { c.MaxConns = 2 })
	c1, c2 := a.authed(t), a.authed(t)
	_, resp, err := a.dial(t, pinnedOrigin)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third connection: %v %v, want 503", err, resp)
	}
	c2.ws.Close()
	// The slot frees once the agent notices; retry briefly.
	var c3 *client
	for range 50 {
		if c, _, err := a.dial(t, pinnedOrigin); err == nil {
			c3 = c
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c3 == nil {
		t.Fatal("a closed connection's slot was not freed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c1.expectClose(websocket.CloseGoingAway)
}

func TestExtensionID(t *testing.T) {
	id, err := ManifestExtensionID("../../extension/manifest.json")
	if err != nil {
		t.Skipf("extension manifest not readable: %v", err)
	}
	if id != PinnedExtensionID {
		t.Errorf("manifest pins %s, PinnedExtensionID is %s: update the constant", id, PinnedExtensionID)
	}
}

func TestStats(t *testing.T) {
	day := func(s string) *string { return &s }
	stars := func(n int) *int { return &n }
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { x := t0.Add(time.Duration(h) * time.Hour); return &x }
	recs := []store.Record{
		{Review: review.Review{Platform: review.Etsy, Rating: stars(5), Date: day("2026-01-03")}, Analysis: review.Analysis{Action: review.Thank}, State: review.Replied, FirstSeen: t0, RepliedAt: at(2)},
		{Review: review.Review{Platform: review.Etsy, Rating: stars(1), Date: day("2026-01-20")}, Analysis: review.Analysis{Action: review.ReplyNow}, State: review.Replied, FirstSeen: t0, RepliedAt: at(10)},
		{Review: review.Review{Platform: review.Etsy, Rating: stars(4), Date: day("2026-02-01")}, Analysis: review.Analysis{Action: review.Thank}, State: review.Open, FirstSeen: t0},
		{Review: review.Review{Platform: review.Etsy, Rating: stars(1), Date: day("2026-02-02")}, Analysis: review.Analysis{Action: review.Ignore}, State: review.Open, FirstSeen: t0},
		// Already answered when first seen: counts as answered, not timed.
		{Review: review.Review{Platform: review.Etsy, Rating: stars(3)}, Analysis: review.Analysis{Action: review.ReplyNow}, State: review.Replied, FirstSeen: t0, RepliedAt: at(0)},
	}
	got := Stats(recs)
	if len(got.Platforms) != 1 {
		t.Fatalf("Stats = %+v", got)
	}
	p := got.Platforms[0]
	if p.Reviews != 5 || len(p.Months) != 2 || p.Months[0].Month != "2026-01" || p.Months[0].Average != 3 || p.Months[1].Average != 2.5 {
		t.Errorf("months = %+v", p)
	}
	if p.Answered != 0.75 {
		t.Errorf("answered = %v, want 0.75 (3 of 4 needing an answer)", p.Answered)
	}
	if p.MedianFirstAnswerHours == nil || *p.MedianFirstAnswerHours != 6 {
		t.Errorf("median hours = %v, want 6", p.MedianFirstAnswerHours)
	}
}

// BenchmarkWSRoundTrip is one analyze_page of a one-review page through a
// real loopback WebSocket: encode, frame, guards, parse, analyse, store
// look-up, answer.
func BenchmarkWSRoundTrip(b *testing.B) {
	frag, err := os.ReadFile("../../scrapers/etsy/testdata/fragment_review.html")
	if err != nil {
		b.Skipf("etsy testdata absent: %v", err)
	}
	a := startAgent(b, nil)
	c := a.authed(b)
	msg, _ := protocol.Encode(protocol.TypeAnalyzePage, "b", protocol.AnalyzePage{URL: etsyPage, Items: []protocol.PageItem{{Key: "k", HTML: string(frag)}}})
	b.ReportAllocs()
	for b.Loop() {
		c.raw(msg)
		for {
			m, _, err := c.next()
			if err != nil {
				b.Fatal(err)
			}
			if m.Type == protocol.TypePageResult {
				break
			}
		}
	}
}
