package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/calmreply/calmreply/agent/classify"
	"github.com/calmreply/calmreply/shared/review"
)

func init() {
	register("classify", "read reviews as JSON Lines on stdin, print each one's language, kind, topics and action", runClassify)
}

// maxClassifyLine bounds one input line; a longer line is answered with an
// error line and skipped, so one bad record cannot exhaust memory.
const maxClassifyLine = 1 << 20

// classifyInput is one input line. Fields are decoded loosely so that a
// wrong type becomes an error line with the id, not a lost record.
type classifyInput struct {
	ID       json.RawMessage `json:"id"`
	Text     *string         `json:"text"`
	Rating   json.RawMessage `json:"rating"`
	Author   *string         `json:"author"`
	Platform *string         `json:"platform"`
	PageLang *string         `json:"page_lang"`
}

// classifyOutput is one answer line: the `classify` contract.
type classifyOutput struct {
	ID         json.RawMessage `json:"id"`
	Lang       string          `json:"lang"`
	Kind       review.Kind     `json:"kind"`
	Topics     []review.Topic  `json:"topics"`
	Action     review.Action   `json:"action"`
	Confidence float64         `json:"confidence"`
	Reasons    []string        `json:"reasons"`
}

type classifyError struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

var jsonNull = json.RawMessage("null")

func runClassify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: agent classify < reviews.jsonl > analyses.jsonl")
		fmt.Fprintln(stderr, `input lines: {"id","text","rating","author","platform","page_lang"}; one output line per input line`)
		if args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		return 2
	}
	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriterSize(stdout, 64<<10)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, tooLong, err := readClassifyLine(in, maxClassifyLine)
		if err == io.EOF && line == nil && !tooLong {
			break
		}
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "agent classify: read: %v\n", err)
			out.Flush()
			return 1
		}
		var v any
		if tooLong {
			v = classifyError{ID: jsonNull, Error: fmt.Sprintf("line longer than %d bytes", maxClassifyLine)}
		} else {
			v = classifyLine(line)
		}
		if werr := enc.Encode(v); werr != nil {
			fmt.Fprintf(stderr, "agent classify: write: %v\n", werr)
			return 1
		}
		if err == io.EOF {
			break
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "agent classify: write: %v\n", err)
		return 1
	}
	return 0
}

// classifyLine answers one line: an analysis, or an error naming the id
// when it could be read.
func classifyLine(line []byte) any {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return classifyError{ID: jsonNull, Error: "empty line"}
	}
	var in classifyInput
	if err := json.Unmarshal(line, &in); err != nil {
		id := jsonNull
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(line, &probe) == nil && len(probe.ID) > 0 {
			id = probe.ID
		}
		return classifyError{ID: id, Error: "invalid JSON: " + jsonProblem(err)}
	}
	id := in.ID
	if len(id) == 0 {
		id = jsonNull
	}
	if in.Text == nil {
		return classifyError{ID: id, Error: "missing text"}
	}
	if strings.TrimSpace(*in.Text) == "" {
		return classifyError{ID: id, Error: "text is empty"}
	}
	ci := classify.Input{Text: *in.Text, Author: in.Author}
	rating, err := parseRating(in.Rating)
	if err != nil {
		return classifyError{ID: id, Error: err.Error()}
	}
	ci.Rating = rating
	if in.Platform != nil {
		ci.Platform = *in.Platform
	}
	if in.PageLang != nil {
		ci.PageLang = *in.PageLang
	}
	a := classify.Classify(ci)
	return classifyOutput{ID: id, Lang: a.Lang, Kind: a.Kind, Topics: a.Topics, Action: a.Action,
		Confidence: a.Confidence, Reasons: a.Reasons}
}

// parseRating accepts 1-5 as a number (4.0 too) or a numeric string, or
// null; anything else is an error.
func parseRating(raw json.RawMessage) (*int, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Round(f) < 1 || math.Round(f) > 5 {
		return nil, fmt.Errorf("rating %s is not 1-5 or null", raw)
	}
	n := int(math.Round(f))
	return &n, nil
}

// jsonProblem words a decoding error without Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	}
	return err.Error()
}

// readClassifyLine reads one '\n'-terminated line of at most max bytes. A longer
// line is consumed to its end and reported as tooLong with a nil line.
func readClassifyLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max+2 { // room for "\r\n"
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(line) == 0 && !tooLong:
			return nil, false, io.EOF
		case err != nil && err != io.EOF:
			return nil, false, err
		}
		if tooLong {
			return nil, true, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > max {
			return nil, true, err
		}
		return line, false, err
	}
}
