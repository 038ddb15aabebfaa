// Package blackbox holds tests only: they build the real agent binary, run it
// as a child process on its own port and data directory, and drive it the way
// the extension's service worker does (a WebSocket, pairing, auth), to show
// what survives a kill -9, a second instance, a broken disk and the attacks
// listed in the security notes. The in-process tests of agent/server cover
// each guard; these cover the assembled program.
//
// The durability promise under test: the agent acknowledges a write
// (page_result, ack, ...) only after the Badger transaction holding the
// reviews and the events announcing them has committed with SyncWrites, so
// whatever a client saw acknowledged survives the agent being killed at any
// moment, and the event log resumes with no gap and no duplicate. A request
// in flight at the crash may or may not be stored; the extension sends it
// again. On a disk with too little room the store refuses writes with
// STORE_FAILED instead of risking Badger's SIGBUS on its memory-mapped log.
//
//	go test ./agent/blackbox                     short variants (crash loop 8x)
//	CALMREPLY_LONG=1 go test ./agent/blackbox    crash loop 50x
//	CALMREPLY_SEED=N                             repeats a crash loop's kill times
//
// Tests that need a tmpfs (disk full, read-only) mount one and skip when not
// run as root. BenchmarkAgentFootprint measures the process for scripts/bench.
package blackbox
