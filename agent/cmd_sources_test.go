package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/agent/server"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/review"
)

// sources runs `agent sources ARGS --data dir`.
func sources(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append(append([]string{"sources"}, args...), "--data", dir), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestSourcesAddListRemove(t *testing.T) {
	dir := t.TempDir()
	const shop = "https://www.etsy.com/shop/TestShop#reviews"
	const stored = "https://www.etsy.com/shop/TestShop" // the fragment is not part of the page

	steps := []struct {
		args     []string
		wantCode int
		want     []string // substrings of stdout
	}{
		{[]string{"list"}, 0, []string{"no pages are watched"}},
		{[]string{"add", shop}, 0, []string{"watching " + stored, "etsy", "extension"}},
		{[]string{"add", stored}, 0, []string{"already watching"}},
		{[]string{"list"}, 0, []string{stored, "fetched by the extension", "last success: never", "next run:     as soon as the agent runs"}},
		{[]string{"remove", stored}, 0, []string{"no longer watching"}},
		{[]string{"list"}, 0, []string{"no pages are watched"}},
		{[]string{"remove", stored}, 1, nil},
	}
	for _, s := range steps {
		out, errs, code := sources(t, dir, s.args...)
		if code != s.wantCode {
			t.Fatalf("sources %v = exit %d (stderr %q), want %d", s.args, code, errs, s.wantCode)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Errorf("sources %v printed %q, want it to contain %q", s.args, out, w)
			}
		}
	}
}

func TestSourcesAgentFetched(t *testing.T) {
	if _, err := scrapers.ByName(review.TrustedShops); err != nil {
		t.Skip("the Trusted Shops scraper is not linked into scrapers/all yet")
	}
	dir := t.TempDir()
	const profile = "https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html"
	if out, errs, code := sources(t, dir, "add", profile); code != 0 || !strings.Contains(out, "fetched by the agent") {
		t.Fatalf("add = %d %q %q, want the agent to fetch a Trusted Shops profile", code, out, errs)
	}
}

func TestSourcesRefused(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string // substring of stderr
	}{
		{[]string{"add", "http://www.etsy.com/shop/TestShop"}, "https only"},
		{[]string{"add", "https://example.com/reviews"}, "no reader for"},
		{[]string{"add", "https://user:pw@www.etsy.com/shop/X"}, "no user name"},
		{[]string{"add", "%zz"}, "not a URL"},
		{[]string{"add"}, "usage"},
		{[]string{"list", "extra"}, "usage"},
		{[]string{"frobnicate"}, "usage"},
		{nil, "usage"},
	}
	for _, tt := range tests {
		_, errs, code := sources(t, dir, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("sources %v = exit %d, stderr %q; want exit 2 mentioning %q", tt.args, code, errs, tt.want)
		}
	}
}

// TestSourcesAgentRunning: while an agent holds the store and cannot be
// reached, the command says what to do instead.
func TestSourcesAgentRunning(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code := sources(t, dir, "list", "--addr", "127.0.0.1:1") // nothing listens there
	if code != 1 || !strings.Contains(errs, "the agent is running") || !strings.Contains(errs, "extension's options page") {
		t.Errorf("list with the store held = exit %d, %q; want exit 1 pointing to the options page", code, errs)
	}
}

// TestSourcesThroughRunningAgent: while the agent holds the store, the
// command talks to it over its WebSocket with the token file, as the
// extension's options page would.
func TestSourcesThroughRunningAgent(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pairing, err := server.NewPairing(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Store: st, Pairing: pairing, Logf: t.Logf})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	addr := ln.Addr().String()

	const shop = "https://www.etsy.com/shop/TestShop"
	steps := []struct {
		args     []string
		wantCode int
		want     string // substring of stdout, or of stderr when the exit is not 0
	}{
		{[]string{"add", shop}, 0, "through the running agent"},
		{[]string{"list"}, 0, shop},
		{[]string{"add", "https://example.com/x"}, 2, "no reader"}, // refused before asking
		{[]string{"remove", shop}, 0, "no longer watching"},
		{[]string{"list"}, 0, "no pages are watched"},
		{[]string{"remove", shop}, 1, "the agent says"},
	}
	for _, s := range steps {
		out, errs, code := sources(t, dir, append(s.args, "--addr", addr)...)
		got := out
		if s.wantCode != 0 {
			got = errs
		}
		if code != s.wantCode || !strings.Contains(got, s.want) {
			t.Errorf("sources %v = exit %d, stdout %q, stderr %q; want exit %d with %q", s.args, code, out, errs, s.wantCode, s.want)
		}
	}
	srcs, err := st.Sources()
	if err != nil || len(srcs) != 0 {
		t.Errorf("store holds %v (%v), want no sources after remove", srcs, err)
	}
}
