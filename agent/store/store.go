// Package store keeps the seller's reviews, watched sources, settings and the
// event log in BadgerDB, durably: every write is synced before it returns
// (SyncWrites), so whatever the agent acknowledges survives a crash.
//
// Keys (values are JSON unless noted):
//
//	review/<platform>/<id>   Record
//	source/<url>             Source
//	event/<seq>              protocol.Event; seq is 8 bytes big-endian, so
//	                         keys sort in event order
//	meta/seq                 the last assigned event seq, 8 bytes big-endian
//	settings                 review.Settings
//
// A review and the event announcing it are written in one transaction, so
// nothing is announced before it is saved and nothing saved goes unannounced.
package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"
)

// ErrNotFound is returned for a review or source the store does not hold.
var ErrNotFound = errors.New("not found")

// ErrLocked is wrapped by Open when another process holds the store.
var ErrLocked = errors.New("store is in use by another process")

// Record is everything the agent keeps about one review.
type Record struct {
	Review    review.Review    `json:"review"`
	Analysis  review.Analysis  `json:"analysis"`
	Draft     review.Draft     `json:"draft"`
	Deadline  *review.Deadline `json:"deadline"`
	Notices   []review.Notice  `json:"notices"`
	State     review.State     `json:"state"`
	FirstSeen time.Time        `json:"first_seen"`
	UpdatedAt time.Time        `json:"updated_at"`
	// RepliedAt is when the shop's reply was first seen or the state became
	// replied.
	RepliedAt *time.Time `json:"replied_at,omitempty"`
	Variant   int        `json:"variant"`
	// Source is the watched page URL the review came from, if any.
	Source string `json:"source,omitempty"`
}

// Result is the record as the wire protocol shows it.
func (r Record) Result() protocol.ReviewResult {
	return protocol.ReviewResult{
		Review: r.Review, Analysis: r.Analysis, Draft: r.Draft, Deadline: r.Deadline,
		Notices: r.Notices, State: r.State, FirstSeen: r.FirstSeen,
	}
}

// Source is a watched review page and how watching it goes.
type Source struct {
	URL      string          `json:"url"`
	Platform review.Platform `json:"platform"`
	// Fetcher is "agent" or "extension".
	Fetcher      string     `json:"fetcher"`
	Added        time.Time  `json:"added"`
	LastSuccess  *time.Time `json:"last_success,omitempty"`
	LastAttempt  *time.Time `json:"last_attempt,omitempty"`
	NextRun      *time.Time `json:"next_run,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	ETag         string     `json:"etag,omitempty"`
	LastModified string     `json:"last_modified,omitempty"`
	Failures     int        `json:"failures,omitempty"`
}

// Store is an open BadgerDB holding calmreply's data. Its methods are safe
// for concurrent use.
type Store struct {
	db  *badger.DB
	dir string
	// wmu serialises writers that touch meta/seq, so event seqs are assigned
	// in commit order and writers do not fight over the counter.
	wmu sync.Mutex
	now func() time.Time
	// free reports free disk bytes (a field so tests can fill the disk).
	free func(dir string) (uint64, error)
	// used is set by every read and write, for RunRelease.
	used atomic.Bool
}

const pidFile = "agent.pid"

// Open opens (creating if needed) the store in dir. A second process on the
// same dir gets an error wrapping ErrLocked that names the situation.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, describe(dir, err)
	}
	if err := checkTables(dir); err != nil {
		return nil, fmt.Errorf("open store in %s: %w", dir, err)
	}
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(nil).
		// Records and events (2-3 KB of JSON each) go to the value log;
		// the LSM tree keeps keys, value pointers and the small values
		// (sources, settings, meta/seq). Kept in the tree, every review
		// passed through flushes and compactions several times, and their
		// table builders, snappy block buffers and decompressed blocks
		// held hundreds of MB of heap while storing 100,000 reviews; a
		// tree of pointers stays a few MB and barely compacts.
		WithValueThreshold(valueThreshold).
		// A damaged value-log entry then reads as nothing (see decode),
		// never as someone else's bytes.
		WithVerifyValueChecksum(true).
		WithMemTableSize(memTableSize).
		WithNumMemtables(numMemtables).
		WithBaseTableSize(2 << 20).
		WithValueLogFileSize(valueLogFileSize).
		// The tree is small, so are its caches.
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithNumCompactors(2)
	db, err := badger.Open(opts)
	if err != nil && strings.Contains(err.Error(), "Create a new file") {
		// A crash between Badger creating a log file and sizing it leaves
		// it empty; the failed open sizes it, and a second open succeeds
		// (dgraph-io/badger#2207). An empty log holds no data.
		db, err = badger.Open(opts)
	}
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			who := ""
			if b, rerr := os.ReadFile(filepath.Join(dir, pidFile)); rerr == nil {
				if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
					who = fmt.Sprintf(" (pid %d)", pid)
				}
			}
			return nil, fmt.Errorf("%w: another calmreply agent is using %s%s; stop it first", ErrLocked, dir, who)
		}
		return nil, describe(dir, err)
	}
	// Best effort: the pid only improves the message above.
	_ = os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	// Opening reads the newest value-log file through (up to 16 MB):
	// nothing the agent needs in memory.
	_ = releaseMapped(dir)
	return &Store{db: db, dir: dir, now: time.Now, free: freeBytes}, nil
}

// describe turns the errors users can fix into words naming the fix.
func describe(dir string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("the disk holding %s is full: free some space and start again: %w", dir, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, os.ErrPermission):
		return fmt.Errorf("cannot write to %s (read-only or not yours): choose another --data dir: %w", dir, err)
	}
	return fmt.Errorf("open store in %s: %w", dir, err)
}

// Dir is the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Close flushes and closes the database.
func (s *Store) Close() error {
	_ = os.Remove(filepath.Join(s.dir, pidFile))
	return s.db.Close()
}

// RunGC reclaims value-log space every interval until ctx ends.
func (s *Store) RunGC(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// One call rewrites at most one file; repeat while it finds
			// work and the disk can take the live values it copies.
			for s.checkFree(gcFree) == nil && s.db.RunValueLogGC(0.5) == nil {
			}
		}
	}
}

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(txn *badger.Txn) error) error {
	s.used.Store(true)
	return s.db.View(fn)
}

// update runs fn in a read-write transaction, retrying on conflicts, with
// writers serialised.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	s.used.Store(true)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.checkSpace(); err != nil {
		return err
	}
	var err error
	for range 5 {
		err = s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			break
		}
	}
	return wrapWrite(s.dir, err)
}

func wrapWrite(dir string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("the disk holding %s is full; nothing was saved: %w", dir, err)
	}
	return err
}

func reviewKey(p review.Platform, id string) []byte {
	return []byte("review/" + string(p) + "/" + id)
}

func eventKey(seq uint64) []byte {
	k := make([]byte, 6+8)
	copy(k, "event/")
	binary.BigEndian.PutUint64(k[6:], seq)
	return k
}

var seqKey = []byte("meta/seq")

func getJSON(txn *badger.Txn, key []byte, v any) error {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return decode(item, v)
}

// decode reads an item's JSON value. The store never writes an empty value,
// but Badger yields one, without an error, for a value-log entry it cannot
// read (damaged, or failing its checksum): that is said as such.
func decode(item *badger.Item, v any) error {
	return item.Value(func(b []byte) error {
		if len(b) == 0 {
			return fmt.Errorf("store: %s is unreadable: the value log is damaged", keyName(item.Key()))
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("store: %s: %w", keyName(item.Key()), err)
		}
		return nil
	})
}

// keyName is a key as words: event keys end in a binary seq.
func keyName(k []byte) string {
	if len(k) == 6+8 && string(k[:6]) == "event/" {
		return "event " + strconv.FormatUint(binary.BigEndian.Uint64(k[6:]), 10)
	}
	return string(k)
}

func setJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

func lastSeq(txn *badger.Txn) (uint64, error) {
	item, err := txn.Get(seqKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var seq uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("store: meta/seq holds %d bytes, want 8", len(b))
		}
		seq = binary.BigEndian.Uint64(b)
		return nil
	})
	return seq, err
}

// appendEvent assigns the next seq to ev and writes it inside txn.
func appendEvent(txn *badger.Txn, ev protocol.Event) (protocol.Event, error) {
	seq, err := lastSeq(txn)
	if err != nil {
		return ev, err
	}
	ev.Seq = seq + 1
	if err := setJSON(txn, eventKey(ev.Seq), ev); err != nil {
		return ev, err
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], ev.Seq)
	return ev, txn.Set(seqKey, b[:])
}

// saveBatchBytes bounds one transaction's writes, well below Badger's
// limit for the configured memtable size.
const saveBatchBytes = 256 << 10

// Save upserts records keyed by platform and review id and appends an event
// for each new or changed review in the same transaction as the review
// itself; it returns those events with their seqs. Records are written in
// as few transactions as Badger's size limit allows (usually one); a review
// and its event are never split. An existing record keeps its FirstSeen and
// State, unless the new data shows a shop reply, which marks it replied. A
// changed rating or text is an update; re-saving an identical review
// appends nothing.
func (s *Store) Save(recs []Record) ([]protocol.Event, error) {
	var events []protocol.Event
	for start := 0; start < len(recs); {
		base, n := len(events), 0
		err := s.update(func(txn *badger.Txn) error {
			events, n = events[:base], 0
			written := 0
			for _, rec := range recs[start:] {
				if n > 0 && written > saveBatchBytes {
					break
				}
				w, ev, err := s.saveOne(txn, rec)
				if err != nil {
					return err
				}
				if ev != nil {
					events = append(events, *ev)
				}
				written += w
				n++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		start += n
	}
	return events, nil
}

// saveOne upserts one record inside txn; it returns the bytes written and
// the event appended, if any.
func (s *Store) saveOne(txn *badger.Txn, rec Record) (int, *protocol.Event, error) {
	if rec.Review.Platform == "" || rec.Review.ID == "" {
		return 0, nil, fmt.Errorf("store: record without platform or id")
	}
	now := s.now().UTC()
	key := reviewKey(rec.Review.Platform, rec.Review.ID)
	var old Record
	err := getJSON(txn, key, &old)
	isNew := errors.Is(err, ErrNotFound)
	if err != nil && !isNew {
		return 0, nil, err
	}
	kind := ""
	if isNew {
		if rec.FirstSeen.IsZero() {
			rec.FirstSeen = now
		}
		if rec.State == "" {
			rec.State = review.Open
		}
		if rec.Review.ShopReply != nil {
			rec.State = review.Replied
		}
		if rec.State == review.Replied && rec.RepliedAt == nil {
			rec.RepliedAt = &now
		}
		kind = protocol.EventNewReview
	} else {
		rec.FirstSeen = old.FirstSeen
		rec.State = old.State
		rec.RepliedAt = old.RepliedAt
		if rec.Source == "" {
			rec.Source = old.Source
		}
		if rec.Review.ShopReply != nil && old.State != review.Replied {
			rec.State = review.Replied
			kind = protocol.EventStateChanged
		}
		if rec.State == review.Replied && rec.RepliedAt == nil {
			rec.RepliedAt = &now
		}
		if !equalInt(old.Review.Rating, rec.Review.Rating) || old.Review.Text != rec.Review.Text {
			kind = protocol.EventUpdatedReview
		}
		if kind == "" && sameStored(old, rec) {
			return 0, nil, nil // nothing new: no write, no event
		}
	}
	rec.UpdatedAt = now
	b, err := json.Marshal(rec)
	if err != nil {
		return 0, nil, err
	}
	if err := txn.Set(key, b); err != nil {
		return 0, nil, err
	}
	if kind == "" {
		return len(b), nil, nil // analysis or draft refreshed: stored, not announced
	}
	res := rec.Result()
	ev, err := appendEvent(txn, protocol.Event{Kind: kind, At: now, Review: &res, Source: rec.Source})
	if err != nil {
		return 0, nil, err
	}
	return 2 * len(b), &ev, nil
}

func equalInt(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// sameStored reports whether saving rec over old would change nothing the
// seller can see.
func sameStored(old, rec Record) bool {
	rec.UpdatedAt = old.UpdatedAt
	a, err1 := json.Marshal(old)
	b, err2 := json.Marshal(rec)
	return err1 == nil && err2 == nil && string(a) == string(b)
}

// Get returns one review's record, or ErrNotFound.
func (s *Store) Get(p review.Platform, id string) (Record, error) {
	var rec Record
	err := s.view(func(txn *badger.Txn) error { return getJSON(txn, reviewKey(p, id), &rec) })
	return rec, err
}

// Update applies fn to a stored record and writes it back (no event): the
// server uses it for a new draft variant.
func (s *Store) Update(p review.Platform, id string, fn func(*Record) error) (Record, error) {
	var rec Record
	err := s.update(func(txn *badger.Txn) error {
		rec = Record{}
		if err := getJSON(txn, reviewKey(p, id), &rec); err != nil {
			return err
		}
		if err := fn(&rec); err != nil {
			return err
		}
		rec.Review.Platform, rec.Review.ID = p, id // the key cannot move
		rec.UpdatedAt = s.now().UTC()
		return setJSON(txn, reviewKey(p, id), rec)
	})
	return rec, err
}

// Put writes records as they are, keeping nothing of existing ones and
// announcing nothing; import uses it to restore a backup.
func (s *Store) Put(recs []Record) error {
	for start := 0; start < len(recs); {
		n := 0
		err := s.update(func(txn *badger.Txn) error {
			n = 0
			written := 0
			for _, rec := range recs[start:] {
				if n > 0 && written > saveBatchBytes {
					break
				}
				if rec.Review.Platform == "" || rec.Review.ID == "" {
					return fmt.Errorf("store: record without platform or id")
				}
				b, err := json.Marshal(rec)
				if err != nil {
					return err
				}
				if err := txn.Set(reviewKey(rec.Review.Platform, rec.Review.ID), b); err != nil {
					return err
				}
				written += len(b)
				n++
			}
			return nil
		})
		if err != nil {
			return err
		}
		start += n
	}
	return nil
}

// listReleaseEvery records (10-30 MB of value log), List releases the
// pages it read.
const listReleaseEvery = 4096

// List calls fn for every record, in key order, until fn returns false.
func (s *Store) List(fn func(Record) bool) error {
	return s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("review/"), PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			var rec Record
			if err := decode(it.Item(), &rec); err != nil {
				return err
			}
			if !fn(rec) {
				return nil
			}
			// A full scan (inbox, stats, export) maps every value-log page
			// in; give them back as it goes, not all of them at its end.
			if n++; n%listReleaseEvery == 0 {
				_ = releaseMapped(s.dir)
			}
		}
		return nil
	})
}

// SetState records what the seller did with a review and appends a
// state_changed event (also when the state does not change, so every
// connected extension follows the seller's click).
func (s *Store) SetState(p review.Platform, id string, st review.State) (protocol.Event, error) {
	if !validState(st) {
		return protocol.Event{}, fmt.Errorf("store: unknown state %q", st)
	}
	var ev protocol.Event
	err := s.update(func(txn *badger.Txn) error {
		key := reviewKey(p, id)
		var rec Record
		if err := getJSON(txn, key, &rec); err != nil {
			return err
		}
		now := s.now().UTC()
		rec.State = st
		rec.UpdatedAt = now
		if st == review.Replied && rec.RepliedAt == nil {
			rec.RepliedAt = &now
		}
		if err := setJSON(txn, key, rec); err != nil {
			return err
		}
		res := rec.Result()
		var err error
		ev, err = appendEvent(txn, protocol.Event{Kind: protocol.EventStateChanged, At: now, Review: &res, Source: rec.Source})
		return err
	})
	return ev, err
}

func validState(st review.State) bool {
	for _, s := range review.States {
		if s == st {
			return true
		}
	}
	return false
}

// AppendEvent stores an event that no review write carries (a source error)
// and returns it with its seq.
func (s *Store) AppendEvent(ev protocol.Event) (protocol.Event, error) {
	if ev.At.IsZero() {
		ev.At = s.now().UTC()
	}
	err := s.update(func(txn *badger.Txn) error {
		var err error
		ev, err = appendEvent(txn, ev)
		return err
	})
	return ev, err
}

// EventsAfter returns up to limit events with seq > after, oldest first.
func (s *Store) EventsAfter(after uint64, limit int) ([]protocol.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	events := []protocol.Event{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("event/"), PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(eventKey(after + 1)); it.Valid() && len(events) < limit; it.Next() {
			var ev protocol.Event
			if err := decode(it.Item(), &ev); err != nil {
				return err
			}
			events = append(events, ev)
		}
		return nil
	})
	return events, err
}

// LastSeq is the seq of the newest event, 0 when there is none.
func (s *Store) LastSeq() (uint64, error) {
	var seq uint64
	err := s.view(func(txn *badger.Txn) error {
		var err error
		seq, err = lastSeq(txn)
		return err
	})
	return seq, err
}

// PutSource adds or replaces a watched source.
func (s *Store) PutSource(src Source) error {
	if src.URL == "" {
		return errors.New("store: source without URL")
	}
	return s.update(func(txn *badger.Txn) error { return setJSON(txn, []byte("source/"+src.URL), src) })
}

// DeleteSource removes a watched source; ErrNotFound when it is not watched.
func (s *Store) DeleteSource(url string) error {
	return s.update(func(txn *badger.Txn) error {
		key := []byte("source/" + url)
		if _, err := txn.Get(key); errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		return txn.Delete(key)
	})
}

// Sources returns every watched source, ordered by URL.
func (s *Store) Sources() ([]Source, error) {
	out := []Source{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("source/"), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var src Source
			if err := decode(it.Item(), &src); err != nil {
				return err
			}
			out = append(out, src)
		}
		return nil
	})
	return out, err
}

var settingsKey = []byte("settings")

// Settings returns the seller's settings; zero settings when none are saved.
func (s *Store) Settings() (review.Settings, error) {
	var st review.Settings
	err := s.view(func(txn *badger.Txn) error { return getJSON(txn, settingsKey, &st) })
	if errors.Is(err, ErrNotFound) {
		return review.Settings{}, nil
	}
	return st, err
}

// SaveSettings replaces the seller's settings.
func (s *Store) SaveSettings(st review.Settings) error {
	return s.update(func(txn *badger.Txn) error { return setJSON(txn, settingsKey, st) })
}
