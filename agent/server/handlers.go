package server

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/calmreply/calmreply/agent/monitor"
	"github.com/calmreply/calmreply/agent/pipeline"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/protocol"
	"github.com/calmreply/calmreply/shared/review"
)

// dispatch answers one authenticated request, in one switch by type.
func (s *Server) dispatch(c *conn, m protocol.Message, payload any) {
	switch p := payload.(type) {
	case *protocol.Empty:
		switch m.Type {
		case protocol.TypePing:
			c.reply(protocol.TypePong, m.ID, protocol.Empty{})
		case protocol.TypeGetSettings:
			st, err := s.store.Settings()
			if err != nil {
				s.storeErr(c, m.ID, err)
				return
			}
			c.reply(protocol.TypeSettings, m.ID, st)
		case protocol.TypeListSources:
			s.answerSources(c, m.ID)
		case protocol.TypeGetStats:
			s.getStats(c, m.ID)
		default:
			c.replyErr(m.ID, protocol.CodeBadMessage, m.Type+" is not a request the agent answers")
		}
	case *protocol.Pair, *protocol.Auth:
		c.replyErr(m.ID, protocol.CodeBadMessage, "already authenticated")
	case *protocol.AnalyzePage:
		s.analyzePage(c, m.ID, p)
	case *protocol.SetState:
		ev, err := s.store.SetState(p.Platform, p.ReviewID, p.State)
		if err != nil {
			s.storeErr(c, m.ID, err)
			return
		}
		// Announce first: by the time the asker has its answer, every
		// connection has the event queued.
		s.Announce([]protocol.Event{ev})
		c.reply(protocol.TypeAck, m.ID, protocol.Empty{})
	case *protocol.Redraft:
		s.redraft(c, m.ID, p)
	case *review.Settings:
		if err := validSettings(*p); err != nil {
			c.replyErr(m.ID, protocol.CodeBadMessage, err.Error())
			return
		}
		if err := s.store.SaveSettings(*p); err != nil {
			s.storeErr(c, m.ID, err)
			return
		}
		c.reply(protocol.TypeSettings, m.ID, *p)
	case *protocol.InboxQuery:
		s.listInbox(c, m.ID, *p)
	case *protocol.SourceURL:
		if m.Type == protocol.TypeAddSource {
			s.addSource(c, m.ID, p.URL)
		} else {
			s.removeSource(c, m.ID, p.URL)
		}
	case *protocol.CatchUp:
		evs, err := s.store.EventsAfter(p.AfterSeq, 500)
		if err != nil {
			s.storeErr(c, m.ID, err)
			return
		}
		last, err := s.store.LastSeq()
		if err != nil {
			s.storeErr(c, m.ID, err)
			return
		}
		c.reply(protocol.TypeEvents, m.ID, protocol.Events{Events: evs, LastSeq: last})
	case *protocol.FetchResult:
		s.deliverFetch(c, m.ID, *p)
	default:
		c.replyErr(m.ID, protocol.CodeBadMessage, m.Type+" is not a request the agent answers")
	}
}

// storeErr words store failures for the extension.
func (s *Server) storeErr(c *conn, id string, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.replyErr(id, protocol.CodeNotFound, "the agent does not know that review or source")
	default:
		s.logf("store: %v", err)
		c.replyErr(id, protocol.CodeStore, "the agent could not save or read its data: "+err.Error())
	}
}

func validSettings(st review.Settings) error {
	switch st.Tone {
	case "", "formal", "informal":
	default:
		return fmt.Errorf("tone %q: use formal, informal or leave it empty", st.Tone)
	}
	if st.LLM != nil {
		u, err := url.Parse(st.LLM.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("llm endpoint %q is not an http(s) URL", st.LLM.Endpoint)
		}
	}
	return nil
}

func pageURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not a web page URL", raw)
	}
	return u, nil
}

// analyzePage parses each review element on its own (one bad element does
// not hide the others), analyses the reviews, stores them and announces what
// is new, then answers with every result keyed by the element's key.
func (s *Server) analyzePage(c *conn, id string, p *protocol.AnalyzePage) {
	u, err := pageURL(p.URL)
	if err != nil {
		c.replyErr(id, protocol.CodeBadMessage, err.Error())
		return
	}
	sc, err := scrapers.ForURL(u)
	if err != nil {
		c.replyErr(id, protocol.CodeNoScraper, "calmreply does not know this page: "+u.Redacted())
		return
	}
	if len(p.Items) > protocol.MaxItems {
		c.replyErr(id, protocol.CodeTooLarge, fmt.Sprintf("%d review elements, at most %d per message", len(p.Items), protocol.MaxItems))
		return
	}
	st, err := s.store.Settings()
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	now := time.Now()
	out := protocol.PageResult{URL: p.URL, Platform: sc.Platform(), Results: []protocol.ReviewResult{}}
	var recs []store.Record
	var keys []string
	opt := pipeline.Options{PageLang: p.PageLang, Settings: st, Now: now, Prior: s.prior}
	pol := sc.Profile().Policy // once per page, not per element
	for _, it := range p.Items {
		if len(it.HTML) > protocol.MaxItemBytes {
			out.Errors = append(out.Errors, protocol.ItemError{Key: it.Key, Error: protocol.Error{Code: protocol.CodeTooLarge, Message: "review element too large"}})
			continue
		}
		res, err := pipeline.Parse(sc, scrapers.Page{URL: u, Body: []byte(it.HTML), Seen: now})
		if err != nil {
			out.Errors = append(out.Errors, protocol.ItemError{Key: it.Key, Error: protocol.Error{Code: scrapers.Code(err), Message: err.Error()}})
			continue
		}
		if out.PageKind == "" {
			out.PageKind = res.PageKind
		}
		for _, r := range pipeline.Enrich(pol, res, opt) {
			recs = append(recs, r)
			keys = append(keys, it.Key)
		}
	}
	events, err := s.store.Save(recs)
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	for i, r := range recs {
		// Read back: the store decides FirstSeen and State.
		if saved, err := s.store.Get(r.Review.Platform, r.Review.ID); err == nil {
			r = saved
		}
		res := r.Result()
		res.Key = keys[i]
		out.Results = append(out.Results, res)
	}
	s.Announce(events)
	c.reply(protocol.TypePageResult, id, out)
}

func (s *Server) prior(p review.Platform, id string) (store.Record, bool) {
	rec, err := s.store.Get(p, id)
	return rec, err == nil
}

// redraftTimeout bounds one redraft, model included (reply.Draft falls back
// to the built-in composer when the model runs out of it).
const redraftTimeout = 15 * time.Second

func (s *Server) redraft(c *conn, id string, p *protocol.Redraft) {
	sc, err := scrapers.ByName(p.Platform)
	if err != nil {
		c.replyErr(id, protocol.CodeNoScraper, err.Error())
		return
	}
	st, err := s.store.Settings()
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	cur, err := s.store.Get(p.Platform, p.ReviewID)
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	// Drafted outside the write transaction: a seller's language model may
	// take seconds, and the store must not wait for it.
	cur.Variant = p.Variant
	ctx, cancel := context.WithTimeout(context.Background(), redraftTimeout)
	pipeline.Redraft(ctx, &cur, sc.Profile().Policy, cur.Analysis.Lang, st, time.Now())
	cancel()
	rec, err := s.store.Update(p.Platform, p.ReviewID, func(r *store.Record) error {
		r.Variant, r.Analysis, r.Draft, r.Deadline, r.Notices = cur.Variant, cur.Analysis, cur.Draft, cur.Deadline, cur.Notices
		return nil
	})
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	c.reply(protocol.TypeDraft, id, rec.Result())
}

// needsAnswer: reviews the seller still has to act on (the toolbar badge).
func needsAnswer(r store.Record) bool {
	switch r.State {
	case review.Replied, review.Ignored:
		return false
	}
	switch r.Analysis.Action {
	case review.Ignore, review.Report:
		return false
	}
	return true
}

func (s *Server) listInbox(c *conn, id string, q protocol.InboxQuery) {
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	// Only the most urgent limit records are kept while the store is read:
	// holding every matching one made an inbox over 100,000 reviews cost
	// hundreds of MB.
	top := inboxTop{limit: limit}
	open := 0
	err := s.store.List(func(r store.Record) bool {
		if needsAnswer(r) {
			open++
		}
		if (q.Platform == "" || r.Review.Platform == q.Platform) && (q.Kind == "" || r.Analysis.Kind == q.Kind) &&
			(q.State == "" || r.State == q.State) {
			top.offer(r)
		}
		return true
	})
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	items := top.sorted()
	out := protocol.Inbox{Items: make([]protocol.ReviewResult, 0, len(items)), Open: open}
	for _, r := range items {
		out.Items = append(out.Items, r.Result())
	}
	c.reply(protocol.TypeInbox, id, out)
}

// moreUrgent puts the most urgent first: reviews needing an answer before
// the rest, then by deadline (none last), then newest first.
func moreUrgent(a, b store.Record) bool {
	if na, nb := needsAnswer(a), needsAnswer(b); na != nb {
		return na
	}
	switch {
	case a.Deadline != nil && b.Deadline != nil && !a.Deadline.Due.Equal(b.Deadline.Due):
		return a.Deadline.Due.Before(b.Deadline.Due)
	case (a.Deadline == nil) != (b.Deadline == nil):
		return a.Deadline != nil
	}
	return a.FirstSeen.After(b.FirstSeen)
}

// inboxTop keeps the limit most urgent records offered, in a heap with the
// least urgent kept on top; ties go to the record offered first, as a
// stable sort of them all would.
type inboxTop struct {
	limit int
	n     int // records offered so far
	items []ranked
}

type ranked struct {
	rec store.Record
	n   int
}

func (a ranked) before(b ranked) bool {
	if moreUrgent(a.rec, b.rec) {
		return true
	}
	return !moreUrgent(b.rec, a.rec) && a.n < b.n
}

func (t *inboxTop) Len() int           { return len(t.items) }
func (t *inboxTop) Less(i, j int) bool { return t.items[j].before(t.items[i]) }
func (t *inboxTop) Swap(i, j int)      { t.items[i], t.items[j] = t.items[j], t.items[i] }
func (t *inboxTop) Push(x any)         { t.items = append(t.items, x.(ranked)) }
func (t *inboxTop) Pop() any {
	x := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return x
}

func (t *inboxTop) offer(r store.Record) {
	x := ranked{rec: r, n: t.n}
	t.n++
	switch {
	case len(t.items) < t.limit:
		heap.Push(t, x)
	case x.before(t.items[0]):
		t.items[0] = x
		heap.Fix(t, 0)
	}
}

// sorted returns the kept records, most urgent first.
func (t *inboxTop) sorted() []store.Record {
	sort.Slice(t.items, func(i, j int) bool { return t.items[i].before(t.items[j]) })
	out := make([]store.Record, len(t.items))
	for i, x := range t.items {
		out[i] = x.rec
	}
	return out
}

// addSource watches a page. The monitor owns the rules for what can be
// watched and how a URL is stored, so a page added here and one added with
// the sources CLI are the same source.
func (s *Server) addSource(c *conn, id, raw string) {
	src, err := monitor.NewSource(raw, time.Now())
	if err != nil {
		c.replyErr(id, protocol.CodeBadSource, err.Error())
		return
	}
	known, err := s.store.Sources()
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	exists := false
	for _, k := range known {
		exists = exists || k.URL == src.URL
	}
	if !exists {
		if err := s.store.PutSource(src); err != nil {
			s.storeErr(c, id, err)
			return
		}
		s.wake()
	}
	s.answerSources(c, id)
}

// removeSource stops watching a page, named as stored or as it was added
// (before NewSource tidied it).
func (s *Server) removeSource(c *conn, id, raw string) {
	err := s.store.DeleteSource(raw)
	if errors.Is(err, store.ErrNotFound) {
		if src, nerr := monitor.NewSource(raw, time.Now()); nerr == nil && src.URL != raw {
			err = s.store.DeleteSource(src.URL)
		}
	}
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	s.wake()
	s.answerSources(c, id)
}

func (s *Server) answerSources(c *conn, id string) {
	srcs, err := s.store.Sources()
	if err != nil {
		s.storeErr(c, id, err)
		return
	}
	out := protocol.Sources{Sources: make([]protocol.Source, 0, len(srcs))}
	for _, src := range srcs {
		out.Sources = append(out.Sources, monitor.Wire(src))
	}
	c.reply(protocol.TypeSources, id, out)
}

func (s *Server) getStats(c *conn, id string) {
	// Counted as the store is read, not after holding every record.
	var acc statsAcc
	if err := s.store.List(func(r store.Record) bool { acc.add(r); return true }); err != nil {
		s.storeErr(c, id, err)
		return
	}
	c.reply(protocol.TypeStats, id, acc.result())
}
