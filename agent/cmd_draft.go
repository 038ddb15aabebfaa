package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/calmreply/calmreply/agent/classify"
	"github.com/calmreply/calmreply/agent/reply"
	"github.com/calmreply/calmreply/scrapers"
	_ "github.com/calmreply/calmreply/scrapers/all" // platform policies come from the scrapers
	"github.com/calmreply/calmreply/shared/review"
)

func init() {
	register("draft", "draft replies for JSON Lines reviews on stdin (one JSON line out per line in)", runDraft)
}

// maxDraftLine bounds one input line; a longer line gets an error line.
const maxDraftLine = 1 << 20

// draftInput is one line of `agent draft`: the classify input plus the
// seller's settings and optional details a page may give.
type draftInput struct {
	classify.Input
	Settings     *review.Settings `json:"settings"`
	ListingTitle string           `json:"listing_title"`
	Variant      int              `json:"variant"`
}

type draftOutput struct {
	ID             string `json:"id"`
	Lang           string `json:"lang"`
	Kind           string `json:"kind"`
	Action         string `json:"action"`
	Reply          string `json:"reply"`
	PrivateMessage string `json:"private_message"`
	Note           string `json:"note"`
	CheckBack      string `json:"check_back"`
}

type draftError struct {
	ID    *string `json:"id"`
	Error string  `json:"error"`
}

var errLineTooLong = errors.New("line longer than 1 MiB")

func runDraft(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("draft", flag.ContinueOnError)
	fs.SetOutput(stderr)
	variant := fs.Int("variant", 0, "wording variant for every line (a line's own \"variant\" adds to it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	now := time.Now()
	for {
		line, err := readLine(in, maxDraftLine)
		if err == io.EOF && len(line) == 0 {
			break
		}
		var v any
		if errors.Is(err, errLineTooLong) {
			v = draftError{ID: nil, Error: err.Error()}
		} else if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "agent draft: read: %v\n", err)
			return 1
		} else {
			v = draftLine(line, *variant, now)
		}
		if werr := enc.Encode(v); werr != nil {
			fmt.Fprintf(stderr, "agent draft: write: %v\n", werr)
			return 1
		}
		if err == io.EOF {
			break
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "agent draft: write: %v\n", err)
		return 1
	}
	return 0
}

// draftLine drafts one input line, or explains why it cannot.
func draftLine(line []byte, variant int, now time.Time) any {
	line = bytes.TrimSpace(line)
	var in draftInput
	if err := json.Unmarshal(line, &in); err != nil {
		var idOnly struct {
			ID *string `json:"id"`
		}
		_ = json.Unmarshal(line, &idOnly) // best effort: name the line if we can
		if len(line) == 0 {
			return draftError{Error: "empty line"}
		}
		return draftError{ID: idOnly.ID, Error: "invalid JSON: " + err.Error()}
	}
	if in.Text == "" {
		return draftError{ID: &in.ID, Error: "missing text"}
	}
	if in.Rating != nil && (*in.Rating < 1 || *in.Rating > 5) {
		return draftError{ID: &in.ID, Error: fmt.Sprintf("rating %d is not 1-5", *in.Rating)}
	}
	a := classify.Classify(in.Input)
	req := reply.Request{
		Review: review.Review{
			Platform: review.Platform(in.Platform), ID: in.ID, Author: in.Author,
			Rating: in.Rating, Text: in.Text, Lang: in.PageLang,
		},
		Analysis: a,
		Variant:  variant + in.Variant,
		Now:      now,
	}
	if in.ListingTitle != "" {
		req.Review.Listing = &review.Listing{Title: in.ListingTitle}
	}
	if in.Settings != nil {
		req.Settings = *in.Settings
	}
	if in.Platform != "" {
		if s, err := scrapers.ByName(review.Platform(in.Platform)); err == nil {
			req.Policy = s.Profile().Policy
		}
	}
	// With settings.llm the seller's model writes the public reply; the
	// built-in composer checks it and stands in when it fails.
	d := reply.Draft(context.Background(), req)
	return draftOutput{
		ID: in.ID, Lang: d.Lang, Kind: string(a.Kind), Action: string(a.Action),
		Reply: d.Reply, PrivateMessage: d.PrivateMessage, Note: d.Note, CheckBack: d.CheckBack,
	}
}

// readLine reads one line without its newline. A line over max is consumed
// to its end and reported as errLineTooLong, so the next line still works.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > max+1 {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err == io.EOF {
				return []byte{0}, errLineTooLong // reported; EOF comes next call
			}
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return bytes.TrimRight(buf, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return buf, err
		}
	}
}
