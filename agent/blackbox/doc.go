// Package blackbox holds tests only: they build the real agent binary, run it
// as a child process on its own port and data directory, and drive it the way
// the extension's service worker does (a WebSocket, pairing, auth), to show
// what survives a kill -9, a second instance, a broken disk and the attacks
// listed in the security notes. The in-process tests of agent/server cover
// each guard; these cover the assembled program.
//
// go test ./agent/blackbox runs the short variants; CALMREPLY_LONG=1 runs the
// crash loop 50 times.
package blackbox
