package monitor

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/calmreply/calmreply/agent/monitor/fetch"
	"github.com/calmreply/calmreply/scrapers"
)

// problem is why a poll failed, in the seller's words, and what it means for
// the schedule.
type problem struct {
	words string
	// lasting problems need the seller (or a calmreply update): they are
	// logged as a source_error event once, not on every poll.
	lasting bool
	// waiting means nothing is wrong with the source: the extension is not
	// there. It is polled again at the normal interval, without backoff.
	waiting bool
	// retryAfter is the least pause the site asked for.
	retryAfter time.Duration
	// hostUntil is set when the fetcher let the host rest and sent nothing.
	hostUntil time.Time
}

// parseError wraps a scraper's typed error.
type parseError struct{ err error }

func (e *parseError) Error() string { return e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

// saveError wraps a store failure.
type saveError struct{ err error }

func (e *saveError) Error() string { return e.err.Error() }
func (e *saveError) Unwrap() error { return e.err }

// extensionError is the extension's own account of why it could not load
// a page ("open this page once", "login required").
type extensionError struct{ words string }

func (e *extensionError) Error() string { return e.words }

// describe turns an error from fetching, parsing or saving into a problem.
func describe(err error, now time.Time) *problem {
	var (
		pe *parseError
		se *fetch.StatusError
		be *fetch.BackoffError
		xe *extensionError
		ve *saveError
	)
	switch {
	case errors.Is(err, ErrNoExtension):
		return &problem{words: "waiting for the browser extension (open the browser)", waiting: true}
	case errors.As(err, &xe):
		return &problem{words: "the browser extension could not load this page: " + xe.words, lasting: true}
	case errors.As(err, &pe):
		return &problem{words: parseWords(pe.err), lasting: true}
	case errors.As(err, &ve):
		return &problem{words: "calmreply could not save the reviews it read: " + ve.err.Error()}
	case errors.As(err, &be):
		return &problem{words: "the site is resting after errors; next try after " + localTime(be.Until), hostUntil: be.Until}
	case errors.Is(err, fetch.ErrDisallowed):
		return &problem{words: "the site's robots.txt does not allow calmreply to read this page (" + err.Error() + ")", lasting: true}
	case errors.Is(err, fetch.ErrRefused):
		return &problem{words: "calmreply does not fetch local or private network addresses (" + err.Error() + ")", lasting: true}
	case errors.Is(err, fetch.ErrBadURL):
		return &problem{words: "this address cannot be fetched (" + err.Error() + ")", lasting: true}
	case errors.Is(err, fetch.ErrTooLarge):
		return &problem{words: "the page is larger than calmreply reads", lasting: true}
	case errors.Is(err, fetch.ErrTooManyRedirects):
		return &problem{words: "the page redirects too many times", lasting: true}
	case errors.As(err, &se):
		return statusProblem(se, now)
	}
	return &problem{words: "could not load the page: " + err.Error()}
}

func statusProblem(se *fetch.StatusError, now time.Time) *problem {
	code := fmt.Sprintf("HTTP %d", se.Code)
	switch {
	case se.Code == http.StatusTooManyRequests || se.Code == http.StatusServiceUnavailable:
		p := &problem{words: "the site asked calmreply to slow down (" + code + ")", retryAfter: se.RetryAfter}
		if se.RetryAfter > 0 {
			p.words += "; next try after " + localTime(now.Add(se.RetryAfter))
		}
		return p
	case se.Code == http.StatusNotFound || se.Code == http.StatusGone:
		return &problem{words: "the page is gone (" + code + "): check the address", lasting: true}
	case se.Code == http.StatusUnauthorized || se.Code == http.StatusForbidden:
		return &problem{words: "the site refused to show this page (" + code + ")", lasting: true}
	case se.Code >= 500:
		return &problem{words: "the site had an error (" + code + "); calmreply tries again later"}
	}
	return &problem{words: "the site answered " + code, lasting: true}
}

// parseWords says what a scraper's typed error means, with its stable code.
func parseWords(err error) string {
	code := scrapers.Code(err)
	switch {
	case errors.Is(err, errInternal):
		return "calmreply hit an internal error reading this page (INTERNAL); it will try again"
	case errors.Is(err, scrapers.ErrLoginWall):
		return "the page asks for a login (" + code + ")"
	case errors.Is(err, scrapers.ErrCaptcha):
		return "the site showed a bot check instead of the reviews (" + code + ")"
	case errors.Is(err, scrapers.ErrNoScraper):
		return "calmreply has no reader for this page (" + code + ")"
	case errors.Is(err, scrapers.ErrTooLarge):
		return "the page is larger than calmreply reads (" + code + ")"
	}
	return "calmreply does not understand this page any more (" + code + ")"
}

// localTime formats a time for a state line: local time, to the minute.
func localTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }
