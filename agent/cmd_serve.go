package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/calmreply/calmreply/agent/monitor"
	"github.com/calmreply/calmreply/agent/server"
	"github.com/calmreply/calmreply/agent/store"
)

// agentVersion is this build's version, sent in hello.
const agentVersion = "0.1.0"

const defaultAddr = "127.0.0.1:7734"

func init() {
	register("serve", "run the agent for the browser extension (the default command)", runServe)
	register("token", "token rotate: replace the pairing token (every browser must pair again)", runToken)
}

// dataDir is where the agent keeps its data: --data, else
// $XDG_DATA_HOME/calmreply, else ~/.local/share/calmreply.
func dataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "calmreply"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory to keep data in; give --data DIR: %w", err)
	}
	return filepath.Join(home, ".local", "share", "calmreply"), nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultAddr, "address to listen on (loopback only unless --allow-remote)")
	data := fs.String("data", "", "data directory (default $XDG_DATA_HOME/calmreply or ~/.local/share/calmreply)")
	allowRemote := fs.Bool("allow-remote", false, "DANGEROUS: allow a non-loopback --addr; anyone who can reach it may try to pair")
	codeFile := fs.String("pairing-code-file", "", "also write each new pairing code to this file (mode 0600), for scripts and tests")
	pollEvery := fs.Duration("poll-interval", 0, "pause between polls of a watched page (default 15m; short values are for tests)")
	var extIDs multiFlag
	fs.Var(&extIDs, "extension-id", "another Chromium extension id allowed to connect (repeatable); the pinned one always is")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "calmreply agent: "+format+"\n", a...)
		return 1
	}
	if *pollEvery < 0 {
		return fail("--poll-interval must not be negative")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fail("--addr %q is not HOST:PORT", *addr)
	}
	var extraHosts []string
	if !server.IsLoopback(*addr) {
		if !*allowRemote {
			return fail("refusing to listen on %s: it is reachable from other machines; use a loopback address such as %s (or --allow-remote, which is dangerous)", *addr, defaultAddr)
		}
		extraHosts = append(extraHosts, host)
	}
	dir, err := dataDir(*data)
	if err != nil {
		return fail("%v", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail("cannot create the data directory %s: %v", dir, err)
	}

	// A backstop, not a budget: the agent runs in 30-60 MB, but a request
	// that reads every stored review (inbox, stats) briefly holds them all;
	// above this the GC works harder instead of letting the heap double.
	// GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}

	// The store's lock comes first: a second agent on the same data stops
	// here and leaves the first untouched.
	// Catch signals before anything is announced: a SIGINT right after the
	// start line must close the store cleanly, not kill the process.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fail("address in use: another program (maybe another calmreply agent) listens on %s; stop it or choose --addr", *addr)
		}
		return fail("cannot listen on %s: %v", *addr, err)
	}

	var outMu sync.Mutex
	say := func(format string, a ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(stdout, format+"\n", a...)
	}
	pairing, err := server.NewPairing(filepath.Join(dir, "token"))
	if err != nil {
		ln.Close()
		return fail("pairing token in %s: %v", dir, err)
	}
	wsURL := "ws://" + ln.Addr().String() + "/ws"
	started := false
	pairing.OnCode = func(code string, exp time.Time) {
		if *codeFile != "" {
			if err := os.WriteFile(*codeFile, []byte(server.FormatCode(code)+"\n"), 0o600); err != nil {
				say("calmreply agent: cannot write %s: %v", *codeFile, err)
			}
		}
		if started {
			say("new pairing code: %s (valid %d min; type it into the extension popup)", server.FormatCode(code), int(time.Until(exp).Round(time.Minute).Minutes()))
		}
	}
	code, _ := pairing.Code()
	say("calmreply agent on %s (data: %s) — pairing code: %s (valid %d min; type it into the extension popup)",
		wsURL, dir, server.FormatCode(code), int(server.CodeTTL.Minutes()))
	started = true

	// Accept the id the checked-out extension's manifest pins, when run
	// from the repository (the pinned constant covers the released one).
	if id, err := server.ManifestExtensionID(filepath.Join("extension", "manifest.json")); err == nil {
		extIDs = append(extIDs, id)
	}
	srv := server.New(server.Config{
		Store: st, Pairing: pairing, ExtensionIDs: extIDs, AgentVersion: agentVersion, ExtraHosts: extraHosts,
		Logf: func(format string, a ...any) { fmt.Fprintf(stderr, "calmreply agent: "+format+"\n", a...) },
	})

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); st.RunGC(ctx, 10*time.Minute) }()
	wg.Add(1)
	go func() { defer wg.Done(); st.RunRelease(ctx, 5*time.Second) }()
	wg.Add(1)
	go func() { defer wg.Done(); giveBackHeap(ctx, 5*time.Second) }()
	wg.Add(1)
	go func() {
		// A new code appears when the old one expires (a used one is
		// replaced by Pair at once).
		defer wg.Done()
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if !time.Now().Before(pairing.Expires()) {
					pairing.Code()
				}
			}
		}
	}()

	// --- monitor wiring (agent/monitor, helper H): the background watcher
	// polls the sources, fetches through the extension via the server and
	// announces what it stores.
	mon := monitor.New(st, srv, srv, monitor.Options{
		NoExtension: server.ErrNoExtension, Version: agentVersion, Interval: *pollEvery,
		Logf: func(format string, a ...any) { fmt.Fprintf(stderr, "calmreply agent: "+format+"\n", a...) },
	})
	srv.SetWatcher(mon)
	wg.Add(1)
	go func() { defer wg.Done(); mon.Run(ctx) }()
	// --- end of monitor wiring

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	exit := 0
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if err != nil {
			fmt.Fprintf(stderr, "calmreply agent: %v\n", err)
			exit = 1
		}
	}
	stop()
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		fmt.Fprintf(stderr, "calmreply agent: shutting down: %v\n", err)
	}
	wg.Wait()
	if err := st.Close(); err != nil {
		fmt.Fprintf(stderr, "calmreply agent: closing the store: %v\n", err)
		return 1
	}
	say("calmreply agent stopped")
	return exit
}

// memoryLimit is serve's soft limit on the Go runtime's memory.
const memoryLimit = 256 << 20

// heapSlack is how much free heap an idle agent may keep for the next burst.
const heapSlack = 8 << 20

// giveBackHeap returns the heap a burst of work (a big page, thousands of
// stored reviews) leaves behind once the agent goes quiet. Left alone, the
// Go runtime keeps it until its next forced GC, minutes later, and then
// hands it back slowly; an agent that idles for hours on a seller's laptop
// should shrink within seconds. "Quiet" is a tick without a GC cycle: busy
// agents collect all the time and are left alone.
func giveBackHeap(ctx context.Context, every time.Duration) {
	samples := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}
	var lastCycles uint64
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(samples)
		cycles := samples[0].Value.Uint64()
		live, objects, free := samples[1].Value.Uint64(), samples[2].Value.Uint64(), samples[3].Value.Uint64()
		// objects counts garbage not yet collected too.
		if cycles == lastCycles && objects+free > live+heapSlack {
			debug.FreeOSMemory()
			metrics.Read(samples)
			cycles = samples[0].Value.Uint64()
		}
		lastCycles = cycles
	}
}

func runToken(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory (default as for serve)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agent token rotate [--data DIR]")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "rotate" {
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	dir, err := dataDir(*data)
	if err != nil {
		fmt.Fprintf(stderr, "token: %v\n", err)
		return 1
	}
	if _, err := server.RotateToken(filepath.Join(dir, "token")); err != nil {
		fmt.Fprintf(stderr, "token: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "new token written; every browser must pair again with the agent's pairing code")
	return 0
}
