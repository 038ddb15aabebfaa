package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calmreply/calmreply/agent/monitor"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/protocol"

	_ "github.com/calmreply/calmreply/scrapers/all"
)

func init() {
	register("sources", "add, list or remove the review pages the agent watches", runSources)
}

const sourcesUsage = `usage: agent sources add URL | list | remove URL [--data DIR] [--addr HOST:PORT]

  add URL      watch a review page (https; Etsy, Google or Trusted Shops)
  list         show every watched page with its state
  remove URL   stop watching a page

While the agent runs it holds the store, so the command asks the running
agent instead, with the pairing token in the data directory.
`

func runSources(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sources", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sourcesUsage) }
	data := fs.String("data", "", "data directory (default: the agent's, see `agent help`)")
	addr := fs.String("addr", defaultAddr, "address of the running agent")
	// Flags may come before or after the words: parse in turns.
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(words) == 0 {
		fs.Usage()
		return 2
	}
	verb, rest := words[0], words[1:]
	want := map[string]int{"add": 1, "remove": 1, "list": 0}
	n, ok := want[verb]
	if !ok || len(rest) != n {
		fs.Usage()
		return 2
	}
	target := ""
	if n == 1 {
		target = rest[0]
	}
	if verb == "add" {
		// Check before touching the store or the agent, so a typo gets a
		// clear answer either way.
		src, err := monitor.NewSource(target, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "agent sources: %v\n", err)
			return 2
		}
		target = src.URL
	}

	dir, err := dataDir(*data)
	if err != nil {
		fmt.Fprintf(stderr, "agent sources: %v\n", err)
		return 1
	}
	st, err := store.Open(filepath.Join(dir, "store"))
	if errors.Is(err, store.ErrLocked) {
		return sourcesViaAgent(dir, *addr, verb, target, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "agent sources: %v\n", err)
		return 1
	}
	defer st.Close()
	switch verb {
	case "add":
		return addSource(st, target, stdout, stderr)
	case "remove":
		if err := st.DeleteSource(target); errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(stderr, "agent sources: %s is not watched\n", target)
			return 1
		} else if err != nil {
			fmt.Fprintf(stderr, "agent sources: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "no longer watching %s\n", target)
		return 0
	}
	srcs, err := st.Sources()
	if err != nil {
		fmt.Fprintf(stderr, "agent sources: %v\n", err)
		return 1
	}
	wire := make([]protocol.Source, len(srcs))
	for i, s := range srcs {
		wire[i] = monitor.Wire(s)
	}
	printSources(stdout, wire)
	return 0
}

func addSource(st *store.Store, raw string, stdout, stderr io.Writer) int {
	src, err := monitor.NewSource(raw, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "agent sources: %v\n", err)
		return 2
	}
	existing, err := st.Sources()
	if err != nil {
		fmt.Fprintf(stderr, "agent sources: %v\n", err)
		return 1
	}
	for _, s := range existing {
		if s.URL == src.URL {
			fmt.Fprintf(stdout, "already watching %s\n", src.URL)
			return 0
		}
	}
	if err := st.PutSource(src); err != nil {
		fmt.Fprintf(stderr, "agent sources: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "watching %s (%s, fetched by the %s); the agent checks it when it next runs\n", src.URL, src.Platform, src.Fetcher)
	return 0
}

func printSources(w io.Writer, srcs []protocol.Source) {
	if len(srcs) == 0 {
		fmt.Fprintln(w, "no pages are watched; add one with: agent sources add URL")
		return
	}
	for _, s := range srcs {
		fmt.Fprintln(w, s.URL)
		fmt.Fprintf(w, "  platform:     %s, fetched by the %s\n", s.Platform, s.Fetcher)
		fmt.Fprintf(w, "  last success: %s\n", when(s.LastSuccess, "never"))
		fmt.Fprintf(w, "  next run:     %s\n", when(s.NextRun, "as soon as the agent runs"))
		if s.LastError != "" {
			fmt.Fprintf(w, "  last error:   %s\n", s.LastError)
		}
	}
}

func when(t *time.Time, none string) string {
	if t == nil || t.IsZero() {
		return none
	}
	return t.Local().Format("2006-01-02 15:04")
}

// sourcesViaAgent sends the command to the running agent over its
// WebSocket, authenticating with the token file as the extension does.
func sourcesViaAgent(data, addr, verb, target string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "agent sources: the agent is running and holds the store, and asking it failed: %v\n"+
			"add sources from the extension's options page, or stop the agent and run this again\n", err)
		return 1
	}
	tok, err := os.ReadFile(filepath.Join(data, "token"))
	if err != nil {
		return fail(fmt.Errorf("reading the pairing token: %w", err))
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws://"+addr+"/ws", http.Header{})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return fail(fmt.Errorf("connecting to %s: %w", addr, err))
	}
	defer conn.Close()
	conn.SetReadLimit(protocol.MaxAgentMessageBytes)
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))

	send := func(typ, id string, payload any) error {
		b, err := protocol.Encode(typ, id, payload)
		if err != nil {
			return err
		}
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	// await reads until the answer to id arrives; pushed events are skipped.
	await := func(id string) (protocol.Message, any, error) {
		for {
			_, raw, err := conn.ReadMessage()
			if err != nil {
				return protocol.Message{}, nil, err
			}
			m, p, err := protocol.Decode(raw)
			if err != nil {
				return m, nil, err
			}
			if m.Type == protocol.TypeError {
				return m, nil, *p.(*protocol.Error)
			}
			if m.ID == id || (id == "auth" && m.Type == protocol.TypeHello) {
				return m, p, nil
			}
		}
	}
	auth := protocol.Auth{
		Token:    strings.TrimSpace(string(tok)),
		Versions: []int{protocol.Version},
		Client:   protocol.ClientInfo{Name: "calmreply-cli", Version: "dev"},
	}
	if err := send(protocol.TypeAuth, "auth", auth); err != nil {
		return fail(err)
	}
	if _, _, err := await("auth"); err != nil {
		return fail(fmt.Errorf("authenticating: %w", err))
	}
	switch verb {
	case "add":
		err = send(protocol.TypeAddSource, "1", protocol.SourceURL{URL: target})
	case "remove":
		err = send(protocol.TypeRemoveSource, "1", protocol.SourceURL{URL: target})
	default:
		err = send(protocol.TypeListSources, "1", protocol.Empty{})
	}
	if err != nil {
		return fail(err)
	}
	m, p, err := await("1")
	var pe protocol.Error
	if errors.As(err, &pe) {
		fmt.Fprintf(stderr, "agent sources: the agent says: %s\n", pe.Message)
		if pe.Code == protocol.CodeBadSource {
			return 2
		}
		return 1
	}
	if err != nil {
		return fail(err)
	}
	srcs, ok := p.(*protocol.Sources)
	if !ok {
		return fail(fmt.Errorf("unexpected answer %q", m.Type))
	}
	switch verb {
	case "add":
		fmt.Fprintf(stdout, "watching %s (through the running agent)\n", target)
	case "remove":
		fmt.Fprintf(stdout, "no longer watching %s (through the running agent)\n", target)
	default:
		printSources(stdout, srcs.Sources)
	}
	return 0
}
