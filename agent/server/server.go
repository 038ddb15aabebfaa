// Package server is the agent's local API: one WebSocket at /ws that the
// extension's service worker holds, and /healthz. Every request passes the
// same guards first (security headers, Host allowlist, Origin filter); every
// WebSocket must pair or authenticate with its first message. See
// shared/protocol/PROTOCOL.md for the messages and
// /work/shared/notes/security.md for why each guard exists.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/cors"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/protocol"
)

// Connection limits and timings (the gorilla chat example's shape).
const (
	writeWait      = 10 * time.Second
	pongWait       = 60 * time.Second
	pingPeriod     = pongWait * 9 / 10
	sendQueue      = 256
	defaultMaxConn = 16
)

// Watcher is told when the watched sources change (the monitor).
type Watcher interface{ Wake() }

// Config wires a server.
type Config struct {
	Store   *store.Store
	Pairing *Pairing
	// ExtensionIDs are extra Chromium extension ids allowed as Origin,
	// besides PinnedExtensionID.
	ExtensionIDs []string
	AgentVersion string
	// AuthTimeout bounds the wait for the first message (default 5 s).
	AuthTimeout time.Duration
	// MaxConns caps open WebSockets (default 16).
	MaxConns int
	// ExtraHosts are more host names accepted in Host (--allow-remote).
	ExtraHosts []string
	// ReadHeaderTimeout bounds a client sending its request headers
	// (slowloris); default 5 s.
	ReadHeaderTimeout time.Duration
	Logf              func(format string, args ...any)
}

// Server serves the extension.
type Server struct {
	cfg     Config
	store   *store.Store
	pairing *Pairing
	extIDs  map[string]bool
	hosts   map[string]bool
	logf    func(format string, args ...any)
	http    *http.Server
	handler http.Handler

	nconn atomic.Int32

	mu      sync.Mutex
	conns   map[*conn]bool // authenticated connections
	all     map[*conn]bool // every open connection
	pending map[string]*fetchWait
	watcher Watcher
	closing bool
}

// New makes a server; call Serve with a listener.
func New(cfg Config) *Server {
	if cfg.AuthTimeout <= 0 {
		cfg.AuthTimeout = 5 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = defaultMaxConn
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 5 * time.Second
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	s := &Server{
		cfg: cfg, store: cfg.Store, pairing: cfg.Pairing, logf: cfg.Logf,
		extIDs: map[string]bool{PinnedExtensionID: true},
		hosts:  map[string]bool{}, conns: map[*conn]bool{}, all: map[*conn]bool{},
		pending: map[string]*fetchWait{},
	}
	for _, id := range cfg.ExtensionIDs {
		s.extIDs[id] = true
	}
	s.handler = s.guard(s.routes())
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(discard{}, "", 0),
	}
	return s
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// SetWatcher sets the hook told about source changes (set at wiring time).
func (s *Server) SetWatcher(w Watcher) {
	s.mu.Lock()
	s.watcher = w
	s.mu.Unlock()
}

// Handler is the full HTTP handler, guards included (for tests).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve accepts connections on ln until Shutdown. The Host allowlist takes
// its port from ln.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.hosts = allowedHosts(ln.Addr(), s.cfg.ExtraHosts...)
	s.mu.Unlock()
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting, closes every WebSocket with 1001 (going away)
// and waits for them to end or ctx to expire.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	open := make([]*conn, 0, len(s.all))
	for c := range s.all {
		open = append(open, c)
	}
	s.mu.Unlock()
	err := s.http.Shutdown(ctx)
	for _, c := range open {
		c.closeWith(websocket.CloseGoingAway, "agent shutting down")
	}
	for _, c := range open {
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

// route is one entry of the route table.
type route struct {
	method string
	h      http.Handler
}

// routes is the whole HTTP surface, in one table. Nothing here changes state
// on GET except that /ws upgrades, and the WebSocket authenticates itself.
func (s *Server) routes() http.Handler {
	health := cors.New(cors.Options{
		AllowOriginFunc: func(o string) bool { return o != "" && s.originAllowed(o) },
		AllowedMethods:  []string{http.MethodGet},
	}).Handler(http.HandlerFunc(s.healthz))
	table := map[string]route{
		"/ws":      {http.MethodGet, http.HandlerFunc(s.serveWS)},
		"/healthz": {http.MethodGet, health},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := table[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != rt.method && !(r.Method == http.MethodOptions && r.URL.Path == "/healthz") {
			w.Header().Set("Allow", rt.method)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rt.h.ServeHTTP(w, r)
	})
}

// healthz says the agent is up; no state, no secrets.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "protocol": protocol.Version, "agent_version": s.cfg.AgentVersion})
}

// Announce pushes stored events to every authenticated connection.
func (s *Server) Announce(events []protocol.Event) {
	if len(events) == 0 {
		return
	}
	s.mu.Lock()
	targets := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		targets = append(targets, c)
	}
	s.mu.Unlock()
	for _, ev := range events {
		msg, err := protocol.Encode(protocol.TypeEvent, "", ev)
		if err != nil {
			s.logf("encode event %d: %v", ev.Seq, err)
			continue
		}
		for _, c := range targets {
			c.queue(msg)
		}
	}
}

func (s *Server) wake() {
	s.mu.Lock()
	w := s.watcher
	s.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

// ErrNoExtension is returned by FetchViaExtension when no extension is
// connected and authenticated (other clients, such as the sources CLI, do not
// count).
var ErrNoExtension = errors.New("no extension connected")

type fetchWait struct {
	c  *conn
	ch chan fetchAnswer
}

type fetchAnswer struct {
	res protocol.FetchResult
	err error
}

// FetchViaExtension asks one authenticated extension to load url in the
// seller's browser session and waits for its fetch_result or ctx's end.
// Only connections whose client names a browser are asked.
func (s *Server) FetchViaExtension(ctx context.Context, url string) (protocol.FetchResult, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return protocol.FetchResult{}, err
	}
	id := "fetch-" + hex.EncodeToString(b[:])
	s.mu.Lock()
	var target *conn
	for c := range s.conns {
		if !c.inBrowser() {
			continue // a script (the sources CLI) cannot load pages
		}
		if target == nil || c.authedAt.After(target.authedAt) {
			target = c // the newest connection is the likeliest alive
		}
	}
	if target == nil {
		s.mu.Unlock()
		return protocol.FetchResult{}, ErrNoExtension
	}
	w := &fetchWait{c: target, ch: make(chan fetchAnswer, 1)}
	s.pending[id] = w
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
	}()
	msg, err := protocol.Encode(protocol.TypeFetchPage, id, protocol.FetchPage{URL: url})
	if err != nil {
		return protocol.FetchResult{}, err
	}
	target.queue(msg)
	select {
	case a := <-w.ch:
		return a.res, a.err
	case <-ctx.Done():
		return protocol.FetchResult{}, fmt.Errorf("the extension did not answer for %s: %w", url, ctx.Err())
	}
}

// deliverFetch hands a fetch_result to its waiting caller; answers from
// another connection than the one asked, or late ones, are dropped.
func (s *Server) deliverFetch(c *conn, id string, res protocol.FetchResult) {
	s.mu.Lock()
	w, ok := s.pending[id]
	if ok && w.c == c {
		delete(s.pending, id)
	}
	s.mu.Unlock()
	if ok && w.c == c {
		w.ch <- fetchAnswer{res: res}
	}
}

// inBrowser says whether c is an extension: its pair or auth message named
// the browser it runs in. The sources CLI and other scripts send none.
func (c *conn) inBrowser() bool { return c.client.Browser != "" }

func (s *Server) register(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.all[c] = true
	return true
}

// authenticated sends hello (through sendHello, with the newest event seq)
// and joins c to the pushed events in one step, so that hello is the first
// message and every event after its last_seq is pushed.
func (s *Server) authenticated(c *conn, sendHello func(lastSeq uint64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, err := s.store.LastSeq()
	if err != nil {
		s.logf("hello: %v", err)
	}
	sendHello(last)
	c.authedAt = time.Now()
	s.conns[c] = true
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	delete(s.all, c)
	delete(s.conns, c)
	var orphans []*fetchWait
	for id, w := range s.pending {
		if w.c == c {
			orphans = append(orphans, w)
			delete(s.pending, id)
		}
	}
	s.mu.Unlock()
	for _, w := range orphans {
		w.ch <- fetchAnswer{err: errors.New("the extension disconnected before answering")}
	}
}
