// Package pipeline turns a page into what the seller sees for each review:
// scrapers parse it, classify understands each review, reply drafts an
// answer and deadline says by when. The CLI, the server and the monitor all
// go through here, so a review reads the same wherever it comes from.
package pipeline

import (
	"context"
	"time"

	"github.com/calmreply/calmreply/agent/classify"
	"github.com/calmreply/calmreply/agent/deadline"
	"github.com/calmreply/calmreply/agent/reply"
	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/scrapers"
	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// Options shape one run.
type Options struct {
	// Platform forces a scraper by name; "" picks one by URL or content.
	Platform string
	// PageLang is the page's language when the caller knows it (<html lang>);
	// the scraper's reading of the page wins over it.
	PageLang string
	Settings review.Settings
	// Now is the clock deadlines count from; zero means time.Now().
	Now time.Time
	// Prior looks up what the store already holds for a review, so that
	// deadlines count from when calmreply first saw it and the seller's
	// chosen wording stays. nil means every review is new.
	Prior func(p review.Platform, id string) (store.Record, bool)
	// Source is the watched page the reviews came from, if any.
	Source string
}

// Output is a parsed and analysed page.
type Output struct {
	Platform review.Platform
	PageKind string
	Lang     string
	Records  []store.Record
}

// Analyze parses a page with its scraper and analyses every review on it.
// Parse failures come back as the scrapers' typed errors.
func Analyze(p scrapers.Page, opt Options) (Output, error) {
	sc, err := scrapers.Find(opt.Platform, p)
	if err != nil {
		return Output{}, err
	}
	res, err := Parse(sc, p)
	if err != nil {
		return Output{}, err
	}
	return Output{
		Platform: res.Platform, PageKind: res.PageKind, Lang: res.Lang,
		Records: Enrich(sc.Profile().Policy, res, opt),
	}, nil
}

// Parse runs one scraper on a page under the size cap.
func Parse(sc scrapers.Scraper, p scrapers.Page) (scrapers.Result, error) {
	if len(p.Body) > scrapers.MaxPageBytes {
		return scrapers.Result{}, scrapers.ErrTooLarge
	}
	return sc.Parse(p)
}

// Enrich analyses, drafts and dates every review of a parse result.
func Enrich(pol site.Policy, res scrapers.Result, opt Options) []store.Record {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	lang := res.Lang
	if lang == "" {
		lang = opt.PageLang
	}
	recs := make([]store.Record, 0, len(res.Reviews))
	for _, rv := range res.Reviews {
		if rv.Platform == "" {
			rv.Platform = res.Platform
		}
		rec := store.Record{Review: rv, FirstSeen: now, Source: opt.Source}
		if opt.Prior != nil {
			if old, ok := opt.Prior(rv.Platform, rv.ID); ok {
				rec.FirstSeen, rec.Variant, rec.State = old.FirstSeen, old.Variant, old.State
			}
		}
		Fill(&rec, pol, lang, opt.Settings, now)
		recs = append(recs, rec)
	}
	return recs
}

// Fill computes a record's analysis, draft, deadline and notices from its
// review, FirstSeen and Variant. Redraft calls it with a new Variant.
func Fill(rec *store.Record, pol site.Policy, pageLang string, st review.Settings, now time.Time) {
	fill(rec, pol, pageLang, st, now, reply.Compose)
}

// Redraft is Fill for one review the seller asked to word again: with a
// language model configured in the settings, the model drafts (reply.Draft
// checks its answer and falls back to the built-in composer). That can take
// seconds, so callers run it outside any store transaction; a whole page is
// always drafted by the built-in composer, which answers at once.
func Redraft(ctx context.Context, rec *store.Record, pol site.Policy, pageLang string, st review.Settings, now time.Time) {
	fill(rec, pol, pageLang, st, now, func(req reply.Request) review.Draft { return reply.Draft(ctx, req) })
}

func fill(rec *store.Record, pol site.Policy, pageLang string, st review.Settings, now time.Time, draft func(reply.Request) review.Draft) {
	rv := rec.Review
	if rv.Lang != "" {
		pageLang = rv.Lang
	}
	rec.Analysis = classify.Classify(classify.Input{
		ID: rv.ID, Text: rv.Text, Rating: rv.Rating, Author: rv.Author,
		Platform: string(rv.Platform), PageLang: pageLang,
	})
	rec.Draft = draft(reply.Request{
		Review: rv, Analysis: rec.Analysis, Settings: st, Policy: pol, Variant: rec.Variant, Now: now,
	})
	in := deadline.Input{
		Review: rv, Analysis: rec.Analysis, Draft: rec.Draft, Policy: pol, Settings: st,
		FirstSeen: rec.FirstSeen, Now: now,
	}
	rec.Deadline = deadline.Compute(in)
	rec.Notices = deadline.Notices(in)
}
