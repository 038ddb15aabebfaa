// Package protocol is the wire contract between the agent and the extension:
// every message type, its payload, the error codes and the version history.
// It is defined here once; the extension's tests decode the same example
// files in testdata/, so the two sides cannot drift. See PROTOCOL.md.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// Version is the protocol version this build speaks. The first message of a
// connection (pair or auth) lists the versions the client speaks; the agent
// answers with the highest one both know, or VERSION_MISMATCH.
//
// History:
//   - 1 (2026-11): pair, auth, hello, analyze_page, set_state, redraft,
//     settings, inbox, sources, catch_up/events, fetch_page, stats, error.
const Version = 1

// Limits on what the agent reads from a connection. A page message carries
// review elements' HTML and may be large; everything else is small.
const (
	MaxMessageBytes = 4 << 20  // one analyze_page or fetch_result message
	MaxSmallBytes   = 64 << 10 // every other message a client sends
	// MaxAgentMessageBytes bounds what a client reads from the agent.
	MaxAgentMessageBytes = 32 << 20
	MaxItems             = 500 // review elements in one analyze_page
	MaxItemBytes         = 256 << 10
	MaxDepth             = 32 // JSON nesting
)

// Message is the envelope of every message: a type, an id chosen by the
// side that asks (echoed in the answer), and the type's payload.
type Message struct {
	Type string          `json:"type"`
	ID   string          `json:"id,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Message types, client (extension) to agent.
const (
	TypePair         = "pair"
	TypeAuth         = "auth"
	TypePing         = "ping"
	TypeAnalyzePage  = "analyze_page"
	TypeSetState     = "set_state"
	TypeRedraft      = "redraft"
	TypeGetSettings  = "get_settings"
	TypeSaveSettings = "save_settings"
	TypeListInbox    = "list_inbox"
	TypeListSources  = "list_sources"
	TypeAddSource    = "add_source"
	TypeRemoveSource = "remove_source"
	TypeCatchUp      = "catch_up"
	TypeFetchResult  = "fetch_result"
	TypeGetStats     = "get_stats"
)

// Message types, agent to client.
const (
	TypePaired     = "paired"
	TypeHello      = "hello"
	TypePong       = "pong"
	TypePageResult = "page_result"
	TypeAck        = "ack"
	TypeDraft      = "draft"
	TypeSettings   = "settings"
	TypeInbox      = "inbox"
	TypeSources    = "sources"
	TypeEvents     = "events"
	TypeEvent      = "event"      // pushed, no id
	TypeFetchPage  = "fetch_page" // the agent asks; the id is the agent's
	TypeStats      = "stats"
	TypeError      = "error"
)

// ClientInfo says which extension build is talking.
type ClientInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Browser string `json:"browser"` // "chromium" or "firefox"
}

// Pair is the first message of an unpaired extension: the one-time code the
// agent printed, which the user typed into the popup.
type Pair struct {
	Code     string     `json:"code"`
	Versions []int      `json:"versions"`
	Client   ClientInfo `json:"client"`
}

// Paired answers Pair with the long-lived token; hello follows.
type Paired struct {
	Token string `json:"token"`
}

// Auth is the first message of a paired extension. The token is never sent
// in a URL.
type Auth struct {
	Token    string     `json:"token"`
	Versions []int      `json:"versions"`
	Client   ClientInfo `json:"client"`
}

// Hello answers a successful Pair or Auth.
type Hello struct {
	Version      int            `json:"version"`
	AgentVersion string         `json:"agent_version"`
	Profiles     []site.Profile `json:"profiles"`
	// LastSeq is the newest event number; a client that saw less sends catch_up.
	LastSeq uint64 `json:"last_seq"`
}

// Empty is the payload of messages that carry none (ping, pong, ack, ...).
type Empty struct{}

// PageItem is one review element the content script found.
type PageItem struct {
	// Key is the content script's handle for the element (the review id the
	// profile's IDRule read, or a generated one); results echo it.
	Key  string `json:"key"`
	HTML string `json:"html"` // the element's outerHTML
}

// AnalyzePage sends a page's review elements to the agent.
type AnalyzePage struct {
	URL      string     `json:"url"`
	PageLang string     `json:"page_lang,omitempty"` // <html lang>
	Items    []PageItem `json:"items"`
}

// ReviewResult is everything the overlay shows for one review.
type ReviewResult struct {
	Key       string           `json:"key,omitempty"`
	Review    review.Review    `json:"review"`
	Analysis  review.Analysis  `json:"analysis"`
	Draft     review.Draft     `json:"draft"`
	Deadline  *review.Deadline `json:"deadline"`
	Notices   []review.Notice  `json:"notices"`
	State     review.State     `json:"state"`
	FirstSeen time.Time        `json:"first_seen"`
}

// ItemError is a review element the agent could not read.
type ItemError struct {
	Key   string `json:"key"`
	Error Error  `json:"error"`
}

// PageResult answers AnalyzePage.
type PageResult struct {
	URL      string          `json:"url"`
	Platform review.Platform `json:"platform"`
	PageKind string          `json:"page_kind"`
	Results  []ReviewResult  `json:"results"`
	Errors   []ItemError     `json:"errors,omitempty"`
}

// ReviewRef names one stored review.
type ReviewRef struct {
	Platform review.Platform `json:"platform"`
	ReviewID string          `json:"review_id"`
}

// SetState records what the seller did (inserted a draft, ignored it, ...).
type SetState struct {
	ReviewRef
	State review.State `json:"state"`
}

// Redraft asks for another wording of a review's draft.
type Redraft struct {
	ReviewRef
	Variant int `json:"variant"`
}

// InboxQuery filters the inbox; empty fields match everything.
type InboxQuery struct {
	Platform review.Platform `json:"platform,omitempty"`
	Kind     review.Kind     `json:"kind,omitempty"`
	State    review.State    `json:"state,omitempty"`
	Limit    int             `json:"limit,omitempty"`
}

// Inbox answers InboxQuery: reviews sorted by deadline, most urgent first.
type Inbox struct {
	Items []ReviewResult `json:"items"`
	// Open counts reviews that still need an answer (the toolbar badge).
	Open int `json:"open"`
}

// SourceURL names a watched page.
type SourceURL struct {
	URL string `json:"url"`
}

// Source is a watched review page and how watching it goes.
type Source struct {
	URL      string          `json:"url"`
	Platform review.Platform `json:"platform"`
	// Fetcher is "agent" (the agent fetches it) or "extension" (behind the
	// seller's login or bot protection: the extension fetches it).
	Fetcher     string     `json:"fetcher"`
	LastSuccess *time.Time `json:"last_success"`
	NextRun     *time.Time `json:"next_run"`
	LastError   string     `json:"last_error,omitempty"`
}

// Sources answers the source messages.
type Sources struct {
	Sources []Source `json:"sources"`
}

// CatchUp asks for the events after the last one the client saw.
type CatchUp struct {
	AfterSeq uint64 `json:"after_seq"`
}

// Event kinds.
const (
	EventNewReview     = "new_review"
	EventUpdatedReview = "updated_review"
	EventStateChanged  = "state_changed"
	EventSourceError   = "source_error"
)

// Event is one entry of the agent's event log, pushed as it happens and
// replayed by catch_up. Seq numbers only grow, so a client never shows one
// twice.
type Event struct {
	Seq    uint64        `json:"seq"`
	Kind   string        `json:"kind"`
	At     time.Time     `json:"at"`
	Review *ReviewResult `json:"review,omitempty"`
	Source string        `json:"source,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// Events answers CatchUp.
type Events struct {
	Events  []Event `json:"events"`
	LastSeq uint64  `json:"last_seq"`
}

// FetchPage asks the extension to load a page in the seller's own browser
// session (pages behind a login or bot protection) and send its HTML back.
type FetchPage struct {
	URL string `json:"url"`
}

// FetchResult answers FetchPage; its message id is the FetchPage's id.
type FetchResult struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	HTML   string `json:"html,omitempty"`
	// Error says why the page could not be loaded ("needs the page opened
	// once", "login required", ...).
	Error string `json:"error,omitempty"`
}

// PlatformStats are the pictures the inbox draws for one platform.
type PlatformStats struct {
	Platform review.Platform `json:"platform"`
	Reviews  int             `json:"reviews"`
	// Months are average ratings per calendar month, oldest first.
	Months []MonthRating `json:"months"`
	// Answered is the share of reviews needing an answer that got one.
	Answered float64 `json:"answered"`
	// MedianFirstAnswerHours is nil when nothing was answered yet.
	MedianFirstAnswerHours *float64 `json:"median_first_answer_hours"`
}

// MonthRating is the average rating of one month.
type MonthRating struct {
	Month   string  `json:"month"` // YYYY-MM
	Average float64 `json:"average"`
	Count   int     `json:"count"`
}

// Stats answers get_stats.
type Stats struct {
	Platforms []PlatformStats `json:"platforms"`
}

// Error is the payload of an error message, and of item errors.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e Error) Error() string { return e.Code + ": " + e.Message }

// Error codes: stable strings the extension decides by.
const (
	CodeVersionMismatch = "VERSION_MISMATCH"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeBadCode         = "BAD_PAIRING_CODE"
	CodePairingLocked   = "PAIRING_LOCKED" // too many attempts or expired code
	CodeBadMessage      = "BAD_MESSAGE"
	CodeTooLarge        = "TOO_LARGE"
	CodeUnknownType     = "UNKNOWN_TYPE"
	CodeNotFound        = "NOT_FOUND"
	CodeNoScraper       = "NO_SCRAPER"
	CodeMarkupChanged   = "MARKUP_CHANGED"
	CodeLoginWall       = "LOGIN_WALL"
	CodeCaptcha         = "CAPTCHA"
	CodeNoReviews       = "NO_REVIEWS"
	CodeBadSource       = "BAD_SOURCE"
	CodeStore           = "STORE_FAILED"
	CodeInternal        = "INTERNAL"
)

// Payloads maps every message type to a new value of its payload type. The
// decoder, the golden-file test and the documentation all read it.
var Payloads = map[string]func() any{
	TypePair:         func() any { return new(Pair) },
	TypeAuth:         func() any { return new(Auth) },
	TypePing:         func() any { return new(Empty) },
	TypeAnalyzePage:  func() any { return new(AnalyzePage) },
	TypeSetState:     func() any { return new(SetState) },
	TypeRedraft:      func() any { return new(Redraft) },
	TypeGetSettings:  func() any { return new(Empty) },
	TypeSaveSettings: func() any { return new(review.Settings) },
	TypeListInbox:    func() any { return new(InboxQuery) },
	TypeListSources:  func() any { return new(Empty) },
	TypeAddSource:    func() any { return new(SourceURL) },
	TypeRemoveSource: func() any { return new(SourceURL) },
	TypeCatchUp:      func() any { return new(CatchUp) },
	TypeFetchResult:  func() any { return new(FetchResult) },
	TypeGetStats:     func() any { return new(Empty) },

	TypePaired:     func() any { return new(Paired) },
	TypeHello:      func() any { return new(Hello) },
	TypePong:       func() any { return new(Empty) },
	TypePageResult: func() any { return new(PageResult) },
	TypeAck:        func() any { return new(Empty) },
	TypeDraft:      func() any { return new(ReviewResult) },
	TypeSettings:   func() any { return new(review.Settings) },
	TypeInbox:      func() any { return new(Inbox) },
	TypeSources:    func() any { return new(Sources) },
	TypeEvents:     func() any { return new(Events) },
	TypeEvent:      func() any { return new(Event) },
	TypeFetchPage:  func() any { return new(FetchPage) },
	TypeStats:      func() any { return new(Stats) },
	TypeError:      func() any { return new(Error) },
}

// fromAgent are the types only the agent sends. A client decodes them
// under MaxAgentMessageBytes: an inbox or a catch_up of hundreds of reviews
// is far larger than anything a client may send, and the client trusts the
// agent it paired with. The agent's own read limit never admits them.
var fromAgent = map[string]bool{
	TypePaired: true, TypeHello: true, TypePong: true, TypePageResult: true, TypeAck: true,
	TypeDraft: true, TypeSettings: true, TypeInbox: true, TypeSources: true, TypeEvents: true,
	TypeEvent: true, TypeFetchPage: true, TypeStats: true, TypeError: true,
}

// LimitFor is the read limit for a message type: for what clients send,
// large only for the two that carry page HTML.
func LimitFor(typ string) int {
	switch {
	case fromAgent[typ]:
		return MaxAgentMessageBytes
	case typ == TypeAnalyzePage || typ == TypeFetchResult:
		return MaxMessageBytes
	}
	return MaxSmallBytes
}

// ErrBadMessage wraps every decoding failure.
var ErrBadMessage = errors.New("bad message")

// Decode reads one message strictly: size cap, nesting cap, known type,
// known fields only, valid UTF-8. It returns the envelope and the typed
// payload (a pointer from Payloads).
func Decode(raw []byte) (Message, any, error) {
	var m Message
	if len(raw) > MaxAgentMessageBytes {
		return m, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrBadMessage, len(raw), MaxAgentMessageBytes)
	}
	if err := checkDepth(raw, MaxDepth); err != nil {
		return m, nil, err
	}
	if err := strict(raw, &m); err != nil {
		return m, nil, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	newPayload, ok := Payloads[m.Type]
	if !ok {
		return m, nil, fmt.Errorf("%w: unknown type %q", ErrBadMessage, m.Type)
	}
	if len(raw) > LimitFor(m.Type) {
		return m, nil, fmt.Errorf("%w: %s message of %d bytes, limit %d", ErrBadMessage, m.Type, len(raw), LimitFor(m.Type))
	}
	p := newPayload()
	if len(m.Data) > 0 && !bytes.Equal(bytes.TrimSpace(m.Data), []byte("null")) {
		if err := strict(m.Data, p); err != nil {
			return m, nil, fmt.Errorf("%w: %s: %v", ErrBadMessage, m.Type, err)
		}
	}
	return m, p, nil
}

// Encode builds a message of a type with an id and payload.
func Encode(typ, id string, payload any) ([]byte, error) {
	if _, ok := Payloads[typ]; !ok {
		return nil, fmt.Errorf("protocol: unknown type %q", typ)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Message{Type: typ, ID: id, Data: data})
}

func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// checkDepth refuses deeply nested JSON before encoding/json recurses into
// it, and invalid UTF-8 (encoding/json would silently replace it).
func checkDepth(raw []byte, max int) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return fmt.Errorf("%w: nested deeper than %d", ErrBadMessage, max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	if !utf8.Valid(raw) {
		return fmt.Errorf("%w: not valid UTF-8", ErrBadMessage)
	}
	return nil
}
