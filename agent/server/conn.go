package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/site"
)

// Close codes beyond the standard ones (PROTOCOL.md).
const (
	CloseUnauthenticated = 4401
	CloseProtocol        = 4400
	CloseVersion         = 4409
)

// serveWS checks what it can before upgrading (no query string, Origin,
// connection cap), then runs the connection.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		// The token goes in the first message, never in a URL (URLs end up
		// in logs and history).
		http.Error(w, "no query parameters on /ws: send the token in the first message", http.StatusBadRequest)
		return
	}
	origin := r.Header.Get("Origin")
	if !s.originAllowed(origin) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	if n := s.nconn.Add(1); int(n) > s.cfg.MaxConns {
		s.nconn.Add(-1)
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		return
	}
	up := websocket.Upgrader{
		ReadBufferSize: 4 << 10, WriteBufferSize: 4 << 10,
		HandshakeTimeout: 5 * time.Second,
		// The Origin was checked above; gorilla's default would refuse
		// extension origins, and checking again costs nothing.
		CheckOrigin: func(r *http.Request) bool { return s.originAllowed(r.Header.Get("Origin")) },
	}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.nconn.Add(-1)
		return // Upgrade already answered
	}
	c := &conn{srv: s, ws: ws, send: make(chan outMsg, sendQueue), done: make(chan struct{}), stop: make(chan struct{}), wdone: make(chan struct{})}
	if !s.register(c) {
		s.nconn.Add(-1)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "agent shutting down"), time.Now().Add(writeWait))
		ws.Close()
		return
	}
	go c.writeLoop()
	c.readLoop()
}

// outMsg is a data message, or a close frame when close is set.
type outMsg struct {
	data      []byte
	close     bool
	closeCode int
	closeText string
}

// conn is one WebSocket. The reader goroutine handles requests; the writer
// goroutine is the only one that writes (gorilla allows one writer).
type conn struct {
	srv      *Server
	ws       *websocket.Conn
	send     chan outMsg
	stop     chan struct{} // closed to end the writer
	stopOnce sync.Once
	done     chan struct{} // closed when the connection is fully gone
	wdone    chan struct{} // closed when the writer has ended
	authedAt time.Time
	// client is what the pair or auth message said about the peer; only a
	// client running in a browser can load pages for the agent.
	client protocol.ClientInfo
}

// queue hands a message to the writer. A burst (a page of new reviews) may
// fill the queue for a moment; a client that does not drain it within
// writeWait is disconnected rather than allowed to stall the agent.
func (c *conn) queue(data []byte) {
	select {
	case c.send <- outMsg{data: data}:
		return
	case <-c.stop:
		return
	default:
	}
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case c.send <- outMsg{data: data}:
	case <-c.stop:
	case <-t.C:
		c.srv.logf("closing a connection that does not read its messages")
		c.shutdown()
	}
}

// closeWith sends a close frame after whatever is queued, then ends.
func (c *conn) closeWith(code int, text string) {
	select {
	case c.send <- outMsg{close: true, closeCode: code, closeText: text}:
	case <-c.stop:
	case <-time.After(writeWait):
		c.shutdown()
	}
}

func (c *conn) shutdown() {
	c.stopOnce.Do(func() { close(c.stop) })
}

func (c *conn) writeLoop() {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		c.ws.Close() // also ends the reader
		close(c.wdone)
	}()
	for {
		select {
		case m := <-c.send:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if m.close {
				c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(m.closeCode, m.closeText))
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, m.data); err != nil {
				return
			}
		case <-ticker.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-c.stop:
			return
		}
	}
}

func (c *conn) readLoop() {
	defer func() {
		c.shutdown()
		<-c.wdone
		c.srv.unregister(c)
		c.srv.nconn.Add(-1)
		close(c.done)
	}()
	ws := c.ws
	// Before authentication only pair/auth are valid, and they are small.
	ws.SetReadLimit(protocol.MaxSmallBytes)
	ws.SetReadDeadline(time.Now().Add(c.srv.cfg.AuthTimeout))
	if !c.handshake() {
		// Let the writer send the error and the close frame first.
		select {
		case <-c.wdone:
		case <-time.After(writeWait):
		}
		return
	}
	ws.SetReadLimit(protocol.MaxMessageBytes)
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		ws.SetReadDeadline(time.Now().Add(pongWait))
		typ, raw, err := ws.ReadMessage()
		if err != nil {
			// gorilla has already sent 1009 for an oversized frame.
			return
		}
		if typ != websocket.TextMessage {
			c.replyErr("", protocol.CodeBadMessage, "messages are JSON text frames")
			continue
		}
		c.handle(raw)
	}
}

// handshake reads the first message: pair or auth, within AuthTimeout.
func (c *conn) handshake() bool {
	typ, raw, err := c.ws.ReadMessage()
	if err != nil {
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			c.fail("", protocol.CodeUnauthenticated, "no pair or auth message in time", CloseUnauthenticated)
		} else {
			c.shutdown() // peer gone, or an oversized frame (gorilla sent 1009)
		}
		return false
	}
	if typ != websocket.TextMessage {
		c.fail("", protocol.CodeBadMessage, "messages are JSON text frames", CloseProtocol)
		return false
	}
	m, payload, err := protocol.Decode(raw)
	if err != nil {
		c.fail(m.ID, protocol.CodeBadMessage, err.Error(), CloseProtocol)
		return false
	}
	var versions []int
	switch p := payload.(type) {
	case *protocol.Pair:
		versions, c.client = p.Versions, p.Client
	case *protocol.Auth:
		versions, c.client = p.Versions, p.Client
	default:
		c.fail(m.ID, protocol.CodeUnauthenticated, "the first message must be pair or auth", CloseUnauthenticated)
		return false
	}
	version := negotiate(versions)
	if version == 0 {
		c.fail(m.ID, protocol.CodeVersionMismatch, "this agent speaks protocol version 1; update the extension or the agent", CloseVersion)
		return false
	}
	switch p := payload.(type) {
	case *protocol.Pair:
		tok, err := c.srv.pairing.Pair(p.Code)
		if err != nil {
			var pe protocol.Error
			if !errors.As(err, &pe) {
				pe = protocol.Error{Code: protocol.CodeInternal, Message: "the agent cannot read its token file; see its log"}
				c.srv.logf("pairing: %v", err)
			}
			c.fail(m.ID, pe.Code, pe.Message, CloseUnauthenticated)
			return false
		}
		c.queue(mustEncode(protocol.TypePaired, m.ID, protocol.Paired{Token: tok}))
	case *protocol.Auth:
		if !c.srv.pairing.CheckToken(p.Token) {
			c.fail(m.ID, protocol.CodeUnauthenticated, "unknown token: pair the extension again", CloseUnauthenticated)
			return false
		}
	}
	c.srv.authenticated(c, func(last uint64) {
		hello := protocol.Hello{Version: version, AgentVersion: c.srv.cfg.AgentVersion, Profiles: profiles(), LastSeq: last}
		c.queue(mustEncode(protocol.TypeHello, m.ID, hello))
	})
	return true
}

func negotiate(versions []int) int {
	best := 0
	for _, v := range versions {
		if v == protocol.Version && v > best {
			best = v
		}
	}
	return best
}

// fail answers with an error and closes with code.
func (c *conn) fail(id, code, msg string, closeCode int) {
	c.queue(mustEncode(protocol.TypeError, id, protocol.Error{Code: code, Message: msg}))
	c.closeWith(closeCode, code)
}

func (c *conn) replyErr(id, code, msg string) {
	c.queue(mustEncode(protocol.TypeError, id, protocol.Error{Code: code, Message: msg}))
}

func (c *conn) reply(typ, id string, payload any) {
	b, err := protocol.Encode(typ, id, payload)
	if err != nil {
		c.srv.logf("encode %s: %v", typ, err)
		c.replyErr(id, protocol.CodeInternal, "the agent could not encode its answer")
		return
	}
	c.queue(b)
}

func mustEncode(typ, id string, payload any) []byte {
	b, err := protocol.Encode(typ, id, payload)
	if err != nil {
		panic("protocol: encode " + typ + ": " + err.Error()) // our own types: a programming error
	}
	return b
}

// peekType reads only the envelope's type, to pick the size limit before
// decoding the rest.
func peekType(raw []byte) string {
	var env struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &env)
	return env.Type
}

// handle decodes one authenticated message and answers it. A bad message
// gets an error and the connection stays usable.
func (c *conn) handle(raw []byte) {
	if len(raw) > protocol.MaxSmallBytes {
		if typ := peekType(raw); len(raw) > protocol.LimitFor(typ) {
			c.replyErr("", protocol.CodeTooLarge, "message too large for its type")
			return
		}
	}
	m, payload, err := protocol.Decode(raw)
	if err != nil {
		code := protocol.CodeBadMessage
		if _, known := protocol.Payloads[m.Type]; m.Type != "" && !known {
			code = protocol.CodeUnknownType
		}
		c.replyErr(m.ID, code, err.Error())
		return
	}
	c.srv.dispatch(c, m, payload)
}

func profiles() []site.Profile {
	out := []site.Profile{}
	for _, s := range scrapers.All() {
		out = append(out, s.Profile())
	}
	return out
}
