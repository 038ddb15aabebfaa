package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/calmreply/calmreply/agent/pipeline"
	"github.com/calmreply/calmreply/scrapers"
	_ "github.com/calmreply/calmreply/scrapers/all" // every platform's scraper
	"github.com/calmreply/calmreply/shared/review"
)

func init() {
	register("analyze", "parse a saved page and print each review with its analysis and draft", runAnalyze)
}

// analyzeOutput is the `analyze --json` contract. Fields may be added, never
// removed or renamed; absent values are null.
type analyzeOutput struct {
	Platform review.Platform `json:"platform"`
	URL      *string         `json:"url"`
	PageKind string          `json:"page_kind"`
	PageLang *string         `json:"page_lang"`
	Reviews  []analyzeReview `json:"reviews"`
}

type analyzeReview struct {
	ID        string            `json:"id"`
	Author    *string           `json:"author"`
	Rating    *int              `json:"rating"`
	Date      *string           `json:"date"`
	DateRange *review.DateRange `json:"date_range"`
	Title     *string           `json:"title"`
	Listing   *review.Listing   `json:"listing"`
	Text      string            `json:"text"`
	// Truncated: the page showed only the start of the text.
	Truncated      bool             `json:"truncated"`
	ShopReply      *string          `json:"shop_reply"`
	URL            *string          `json:"url"`
	Analysis       analyzeAnalysis  `json:"analysis"`
	Draft          *string          `json:"draft"`
	PrivateMessage *string          `json:"private_message"`
	Note           *string          `json:"note"`
	Deadline       *review.Deadline `json:"deadline"`
	Notices        []review.Notice  `json:"notices"`
}

type analyzeAnalysis struct {
	Lang       *string        `json:"lang"`
	Kind       review.Kind    `json:"kind"`
	Topics     []review.Topic `json:"topics"`
	Action     review.Action  `json:"action"`
	Confidence float64        `json:"confidence"`
	Reasons    []string       `json:"reasons"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// parseInterspersed lets flags follow the file name, as people type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runAnalyze(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON (the stable contract)")
	platform := fs.String("platform", "", "platform of the page (etsy, google, trustedshops); default: from --url or the page")
	rawURL := fs.String("url", "", "the page's URL (picks the scraper and resolves relative links)")
	nowFlag := fs.String("now", "", "RFC 3339 time deadlines and relative dates count from (default: now)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agent analyze [--json] [--platform NAME] [--url URL] [--now TIME] FILE|-")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return 2
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return fail("--now %q is not an RFC 3339 time", *nowFlag)
		}
	}
	page := scrapers.Page{Seen: now}
	if *rawURL != "" {
		u, err := url.Parse(*rawURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fail("--url %q is not an http(s) URL", *rawURL)
		}
		page.URL = u
	}
	var in io.Reader = stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		in = f
	}
	// Read one byte past the cap so an oversized page is reported, not cut.
	page.Body, err = io.ReadAll(io.LimitReader(in, scrapers.MaxPageBytes+1))
	if err != nil {
		return fail("read %s: %v", pos[0], err)
	}
	if len(page.Body) > scrapers.MaxPageBytes {
		return fail("the page is too large (over %d bytes); calmreply reads review pages up to that size", scrapers.MaxPageBytes)
	}
	out, err := pipeline.Analyze(page, pipeline.Options{Platform: *platform, Now: now})
	if err != nil {
		fmt.Fprintf(stderr, "calmreply does not understand this page (%s): %v\n", scrapers.Code(err), oneLine(err))
		return 2
	}
	if *asJSON {
		return writeJSON(stdout, stderr, toAnalyzeOutput(out, *rawURL))
	}
	printAnalysis(stdout, out, *rawURL)
	return 0
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func toAnalyzeOutput(out pipeline.Output, rawURL string) analyzeOutput {
	ao := analyzeOutput{
		Platform: out.Platform, URL: orNull(rawURL), PageKind: out.PageKind, PageLang: orNull(out.Lang),
		Reviews: make([]analyzeReview, 0, len(out.Records)),
	}
	for _, rec := range out.Records {
		rv, a := rec.Review, rec.Analysis
		topics := a.Topics
		if topics == nil {
			topics = []review.Topic{}
		}
		ao.Reviews = append(ao.Reviews, analyzeReview{
			ID: rv.ID, Author: rv.Author, Rating: rv.Rating, Date: rv.Date, DateRange: rv.DateRange,
			Title: orNull(rv.Title), Listing: rv.Listing, Text: rv.Text, Truncated: rv.Truncated, ShopReply: rv.ShopReply, URL: orNull(rv.URL),
			Analysis: analyzeAnalysis{
				Lang: orNull(a.Lang), Kind: a.Kind, Topics: topics, Action: a.Action,
				Confidence: a.Confidence, Reasons: a.Reasons,
			},
			Draft: orNull(rec.Draft.Reply), PrivateMessage: orNull(rec.Draft.PrivateMessage), Note: orNull(rec.Draft.Note),
			Deadline: rec.Deadline, Notices: rec.Notices,
		})
	}
	return ao
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "write: %v\n", err)
		return 1
	}
	return 0
}

func printAnalysis(w io.Writer, out pipeline.Output, rawURL string) {
	where := rawURL
	if where == "" {
		where = "(no URL)"
	}
	fmt.Fprintf(w, "%s %s %s: %d reviews\n", out.Platform, out.PageKind, where, len(out.Records))
	for _, rec := range out.Records {
		rv, a := rec.Review, rec.Analysis
		stars := "no rating"
		if rv.Rating != nil {
			stars = strings.Repeat("*", *rv.Rating) + fmt.Sprintf(" (%d/5)", *rv.Rating)
		}
		fmt.Fprintf(w, "\n#%s  %s  by %s  on %s\n", rv.ID, stars, deref(rv.Author, "anonymous"), deref(rv.Date, "unknown date"))
		if rv.Text == "" {
			fmt.Fprintln(w, "  (rating only, no text)")
		} else {
			fmt.Fprintf(w, "  %s\n", indent(rv.Text))
			if rv.Truncated {
				fmt.Fprintln(w, "  (the page shows only the start of this review)")
			}
		}
		if rv.ShopReply != nil {
			fmt.Fprintf(w, "  shop replied: %s\n", indent(*rv.ShopReply))
		}
		fmt.Fprintf(w, "  analysis: lang=%s kind=%s action=%s topics=%v\n", a.Lang, a.Kind, a.Action, a.Topics)
		if rec.Deadline != nil {
			fmt.Fprintf(w, "  deadline: %s (%s) %s\n", rec.Deadline.Due.Format(time.RFC3339), rec.Deadline.Kind, rec.Deadline.Reason)
		}
		for _, n := range rec.Notices {
			fmt.Fprintf(w, "  notice: %s\n", n.Text)
		}
		switch {
		case rec.Draft.Reply != "":
			fmt.Fprintf(w, "  draft: %s\n", indent(rec.Draft.Reply))
		case rec.Draft.Note != "":
			fmt.Fprintf(w, "  no public reply: %s\n", rec.Draft.Note)
		}
		if rec.Draft.PrivateMessage != "" {
			fmt.Fprintf(w, "  private message: %s\n", indent(rec.Draft.PrivateMessage))
		}
	}
}

func deref(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }
