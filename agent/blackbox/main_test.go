package blackbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/agent/server"
	"github.com/calmreply/calmreply/shared/protocol"
)

var (
	agentBin string // the agent built once by TestMain
	repoRoot string
)

// pinnedOrigin is what the Chromium extension's service worker sends.
const pinnedOrigin = "chrome-extension://" + server.PinnedExtensionID

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "blackbox: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return 0, fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return 0, errors.New("run the tests inside the calmreply module")
	}
	repoRoot = filepath.Dir(gomod)
	dir, err := os.MkdirTemp("", "calmreply-blackbox-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	agentBin = filepath.Join(dir, "agent")
	build := exec.Command("go", "build", "-o", agentBin, "./agent")
	build.Dir = repoRoot
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("building the agent: %w", err)
	}
	return m.Run(), nil
}

// freeAddr finds a loopback port nobody listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects a child's output from two goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is one running agent binary.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	Addr string
	Data string
	Code string // the pairing code it printed
	out  lockedBuffer
	done chan struct{}
	err  error // how it exited, once done is closed
}

var codeRe = regexp.MustCompile(`pairing code: ([0-9A-Z]{3}-[0-9A-Z]{3})`)

// launch runs `agent serve` and returns once it has printed its pairing line
// (nil error) or has exited (the error says how, with its output).
func launch(t testing.TB, addr, data string, extra ...string) (*proc, error) {
	t.Helper()
	p := &proc{t: t, Addr: addr, Data: data, done: make(chan struct{})}
	args := append([]string{"serve", "--addr", addr, "--data", data}, extra...)
	p.cmd = exec.Command(agentBin, args...)
	// Not the repository: the agent must work with only its pinned id.
	p.cmd.Dir = os.TempDir()
	p.cmd.Stderr = &p.out
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	codes := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.out.Write([]byte(line + "\n"))
			if m := codeRe.FindStringSubmatch(line); m != nil {
				select {
				case codes <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop() })
	select {
	case p.Code = <-codes:
		return p, nil
	case <-p.done:
		return p, fmt.Errorf("agent exited (%v) before printing its pairing line; output:\n%s", p.err, p.out.String())
	case <-time.After(30 * time.Second):
		p.kill()
		return p, fmt.Errorf("agent printed no pairing line within 30 s; output:\n%s", p.out.String())
	}
}

// startAgent launches an agent on a free port and fails the test if it does
// not come up.
func startAgent(t testing.TB, data string, extra ...string) *proc {
	t.Helper()
	p, err := launch(t, freeAddr(t), data, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// exitCode waits for a process expected to stop by itself.
func (p *proc) exitCode(timeout time.Duration) (int, error) {
	select {
	case <-p.done:
	case <-time.After(timeout):
		return 0, fmt.Errorf("agent still running after %v", timeout)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode(), nil
	}
	if p.err != nil {
		return 0, p.err
	}
	return 0, nil
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill is kill -9: no chance to flush or close anything.
func (p *proc) kill() {
	if p.running() {
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop is a polite SIGTERM, then SIGKILL if it hangs.
func (p *proc) stop() {
	if !p.running() {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Errorf("agent ignored SIGTERM for 10 s; output:\n%s", p.out.String())
		p.kill()
	}
}

// rssKB reads the agent's resident memory (VmRSS).
func (p *proc) rssKB(t testing.TB) int { return p.status(t, "VmRSS:") }

// status reads one kB figure of /proc/PID/status: VmRSS, RssAnon (the Go
// heap and stacks) or RssFile (touched pages of mmapped files: Badger's
// logs and tables, which the kernel may drop).
func (p *proc) status(t testing.TB, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc to measure memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			var kb int
			fmt.Sscan(f[1], &kb)
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
	return 0
}

// client speaks the protocol over one WebSocket, like the service worker.
type client struct {
	t  testing.TB
	ws *websocket.Conn
	n  int
	// Events collects pushed events read while waiting for an answer.
	Events []protocol.Event
	Hello  protocol.Hello
}

// dial opens a WebSocket with an Origin ("" for none, as Firefox may send).
func dial(addr, origin string, d *websocket.Dialer) (*client, *http.Response, error) {
	if d == nil {
		d = &websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	}
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := d.Dial("ws://"+addr+"/ws", h)
	if err != nil {
		return nil, resp, err
	}
	return &client{ws: ws}, resp, nil
}

// pair trades the printed code for the token, as the popup does.
func (p *proc) pair(t testing.TB) (*client, string) {
	t.Helper()
	c, _, err := dial(p.Addr, pinnedOrigin, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.t = t
	t.Cleanup(func() { c.ws.Close() })
	c.send(protocol.TypePair, "pair", protocol.Pair{Code: p.Code, Versions: []int{protocol.Version}, Client: protocol.ClientInfo{Name: "blackbox", Browser: "chromium"}})
	pd := c.expect(protocol.TypePaired).(*protocol.Paired)
	c.Hello = *c.expect(protocol.TypeHello).(*protocol.Hello)
	if len(pd.Token) < 64 {
		t.Fatalf("token %q is shorter than 256 bits", pd.Token)
	}
	return c, pd.Token
}

// auth connects with a token; origin "" is the Firefox case.
func (p *proc) auth(t testing.TB, token, origin string) *client {
	t.Helper()
	c, err := authClient(p.Addr, token, origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.t = t
	t.Cleanup(func() { c.ws.Close() })
	return c
}

// authClient is auth without a testing.TB, for goroutines.
func authClient(addr, token, origin string, d *websocket.Dialer) (*client, error) {
	c, _, err := dial(addr, origin, d)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if err := c.write(protocol.TypeAuth, "auth", protocol.Auth{Token: token, Versions: []int{protocol.Version}}); err != nil {
		c.ws.Close()
		return nil, err
	}
	m, pl, err := c.read()
	if err != nil || m.Type != protocol.TypeHello {
		c.ws.Close()
		return nil, fmt.Errorf("auth: want hello, got %s %s (%v)", m.Type, m.Data, err)
	}
	c.Hello = *pl.(*protocol.Hello)
	return c, nil
}

func (c *client) write(typ, id string, payload any) error {
	b, err := encodePlain(typ, id, payload)
	if err != nil {
		return err
	}
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// encodePlain is protocol.Encode without Go's HTML escaping (< as \u003c),
// like the extension's JSON.stringify: page HTML keeps its size on the wire.
func encodePlain(typ, id string, payload any) ([]byte, error) {
	data, err := marshalPlain(payload)
	if err != nil {
		return nil, err
	}
	return marshalPlain(protocol.Message{Type: typ, ID: id, Data: data})
}

func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// read reads one message; the agent must never send one that does not decode.
func (c *client) read() (protocol.Message, any, error) {
	c.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return protocol.Message{}, nil, err
	}
	m, p, err := decodeAnswer(b)
	if err != nil {
		return m, nil, fmt.Errorf("agent sent an undecodable message: %v: %.200s", err, b)
	}
	return m, p, nil
}

// decodeAnswer decodes what the agent sends as strictly as protocol.Decode
// but without its size limits, which are for what the agent reads: a
// catch_up answer of 500 events is over a megabyte.
func decodeAnswer(b []byte) (protocol.Message, any, error) {
	var m protocol.Message
	if !utf8.Valid(b) {
		return m, nil, errors.New("not valid UTF-8")
	}
	if err := strictJSON(b, &m); err != nil {
		return m, nil, err
	}
	newPayload, ok := protocol.Payloads[m.Type]
	if !ok {
		return m, nil, fmt.Errorf("unknown type %q", m.Type)
	}
	p := newPayload()
	if len(m.Data) > 0 {
		if err := strictJSON(m.Data, p); err != nil {
			return m, nil, fmt.Errorf("%s: %w", m.Type, err)
		}
	}
	return m, p, nil
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// call sends a request and waits for the answer with its id, keeping pushed
// events aside. An error answer comes back as a protocol.Error.
func (c *client) call(typ string, payload any) (protocol.Message, any, error) {
	c.n++
	id := fmt.Sprintf("%s-%d", typ, c.n)
	if err := c.write(typ, id, payload); err != nil {
		return protocol.Message{}, nil, err
	}
	for {
		m, p, err := c.read()
		if err != nil {
			return m, nil, err
		}
		if m.Type == protocol.TypeEvent {
			c.Events = append(c.Events, *p.(*protocol.Event))
			continue
		}
		if m.ID != id {
			return m, nil, fmt.Errorf("answer to %s has id %q: %s %.200s", id, m.ID, m.Type, m.Data)
		}
		if m.Type == protocol.TypeError {
			return m, nil, *p.(*protocol.Error)
		}
		return m, p, nil
	}
}

// must is call for the test goroutine: the answer must have type want.
func (c *client) must(typ string, payload any, want string) any {
	c.t.Helper()
	m, p, err := c.call(typ, payload)
	if err != nil {
		c.t.Fatalf("%s: %v", typ, err)
	}
	if m.Type != want {
		c.t.Fatalf("%s answered %s, want %s", typ, m.Type, want)
	}
	return p
}

func (c *client) send(typ, id string, payload any) {
	c.t.Helper()
	if err := c.write(typ, id, payload); err != nil {
		c.t.Fatalf("write %s: %v", typ, err)
	}
}

func (c *client) expect(typ string) any {
	c.t.Helper()
	m, p, err := c.read()
	if err != nil {
		c.t.Fatalf("want %s: %v", typ, err)
	}
	if m.Type != typ {
		c.t.Fatalf("want %s, got %s %.300s", typ, m.Type, m.Data)
	}
	return p
}

// closed reads until the agent closes the connection and returns the close
// code (0 when the connection broke without a close frame).
func (c *client) closed() int {
	for {
		_, _, err := c.read()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
}

// etsyPage is where the review fragments claim to come from.
const etsyPage = "https://www.etsy.com/de/shop/TonwerkLina/reviews"

// fragmentID is the review id in scrapers/etsy/testdata/fragment_review.html.
const fragmentID = `data-review-region="4100000002"`

// etsyFragment reads the repository's reconstructed Etsy review element.
func etsyFragment(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "scrapers", "etsy", "testdata", "fragment_review.html"))
	if err != nil {
		t.Skipf("etsy testdata absent: %v", err)
	}
	if !bytes.Contains(b, []byte(fragmentID)) {
		t.Fatalf("fragment_review.html no longer has %s", fragmentID)
	}
	return string(b)
}

// reviewItems makes page items for fresh review ids.
func reviewItems(html string, ids ...string) []protocol.PageItem {
	items := make([]protocol.PageItem, len(ids))
	for i, id := range ids {
		items[i] = protocol.PageItem{Key: "k" + id, HTML: strings.Replace(html, fragmentID, `data-review-region="`+id+`"`, 1)}
	}
	return items
}

// analyze sends one page and returns the review ids the agent acknowledged.
func (c *client) analyze(items []protocol.PageItem) ([]string, error) {
	m, p, err := c.call(protocol.TypeAnalyzePage, protocol.AnalyzePage{URL: etsyPage, PageLang: "de", Items: items})
	if err != nil {
		return nil, err
	}
	if m.Type != protocol.TypePageResult {
		return nil, fmt.Errorf("analyze_page answered %s", m.Type)
	}
	res := p.(*protocol.PageResult)
	ids := make([]string, 0, len(res.Results))
	for _, r := range res.Results {
		ids = append(ids, r.Review.ID)
	}
	if len(ids) != len(items) {
		return ids, fmt.Errorf("%d results for %d items (errors %+v)", len(ids), len(items), res.Errors)
	}
	return ids, nil
}

// usable proves a connection still works end to end: a page is analysed,
// stored and answered.
func (c *client) usable(html, id string) {
	c.t.Helper()
	if _, err := c.analyze(reviewItems(html, id)); err != nil {
		c.t.Fatalf("a good client is no longer served: %v", err)
	}
}
