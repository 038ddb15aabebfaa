package reply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/calmreply/calmreply/agent/classify"
	"github.com/calmreply/calmreply/shared/review"
)

// Drafting by a language model is optional: the seller points the agent at
// an OpenAI-compatible chat endpoint (a local Ollama, typically). The model
// only ever proposes the public reply; the built-in composer's checks decide
// whether it is used, and the built-in draft stands whenever the model is
// absent, slow, broken or writes something the playbook forbids.

// Prompt is what a Model is asked: the instructions and the case.
type Prompt struct {
	System string
	User   string
}

// Model writes a reply for a prompt.
type Model interface {
	Draft(ctx context.Context, p Prompt) (string, error)
}

const (
	// DefaultModelTimeout bounds one model request when the settings name none.
	DefaultModelTimeout = 8 * time.Second
	// maxModelBody caps a model's answer; a chat reply is a few KiB.
	maxModelBody = 256 << 10
	// modelTemperature keeps the wording varied but the content sober.
	modelTemperature = 0.4
)

// Chat is a Model speaking the OpenAI chat-completions API.
type Chat struct {
	URL     string // {endpoint}/chat/completions
	Model   string
	APIKey  string
	Timeout time.Duration
	Client  *http.Client
}

// NewChat checks the seller's model settings and returns a client for them.
func NewChat(cfg review.LLM) (*Chat, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.Endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("no model name")
	}
	timeout := DefaultModelTimeout
	if cfg.TimeoutMS > 0 {
		timeout = time.Duration(cfg.TimeoutMS) * time.Millisecond
	}
	return &Chat{
		URL:     strings.TrimRight(u.String(), "/") + "/chat/completions",
		Model:   cfg.Model,
		APIKey:  cfg.APIKey,
		Timeout: timeout,
		Client:  &http.Client{},
	}, nil
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
	Stream      bool          `json:"stream"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// Draft sends one chat request and returns the answer's text.
func (c *Chat) Draft(ctx context.Context, p Prompt) (string, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	body, err := json.Marshal(chatRequest{
		Model:       c.Model,
		Messages:    []chatMessage{{"system", p.System}, {"user", p.User}},
		Temperature: modelTemperature,
	})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("no answer within %s", c.Timeout)
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is in the settings; keep the cause
		}
		return "", fmt.Errorf("could not reach %s: %v", c.URL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxModelBody+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("no complete answer within %s", c.Timeout)
		}
		return "", fmt.Errorf("reading the answer: %v", err)
	}
	if len(data) > maxModelBody {
		return "", fmt.Errorf("answer larger than %d KiB", maxModelBody>>10)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("endpoint answered HTTP %d", resp.StatusCode)
	}
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		return "", errors.New("answer is not chat-completion JSON")
	}
	if len(cr.Choices) == 0 || cr.Choices[0].Message.Content == nil {
		return "", errors.New("answer has no message")
	}
	return *cr.Choices[0].Message.Content, nil
}

// modelKinds are the kinds whose public reply a model may write; troll,
// abusive and spam reviews get no public reply at all.
var modelKinds = map[review.Kind]bool{
	review.Complaint: true, review.Question: true, review.Praise: true, review.Extortion: true, "": true,
}

// Draft drafts a reply: through the seller's language model when
// Settings.LLM is set, with the built-in composer as the fallback, else with
// the built-in composer alone (no network).
func Draft(ctx context.Context, req Request) review.Draft {
	if req.Settings.LLM == nil {
		return Compose(req)
	}
	m, err := NewChat(*req.Settings.LLM)
	if err != nil {
		base, _, notes := composeNotes(req)
		base.Note = joinNotes(notUsed("the model settings are incomplete: "+err.Error()), notes)
		return base
	}
	return ComposeWithModel(ctx, req, m)
}

// ComposeWithModel asks m for the public reply and uses it when it passes the
// built-in checks (language, length, Check, no placeholders); otherwise the
// built-in draft is returned and its note says why the model's was not used.
// The private message and check-back are always the built-in ones.
func ComposeWithModel(ctx context.Context, req Request, m Model) review.Draft {
	base, _, notes := composeNotes(req)
	if !modelKinds[req.Analysis.Kind] || base.Reply == "" || m == nil {
		base.Note = strings.Join(notes, " ")
		return base
	}
	lang := reviewLang(req, base.Lang)
	out, err := m.Draft(ctx, buildPrompt(req, base, lang))
	if err == nil {
		out, err = cleanModelText(out)
	}
	if err == nil {
		err = vetModelReply(out, lang, req)
	}
	if err != nil {
		base.Note = joinNotes(notUsed(err.Error()), notes)
		return base
	}
	d := base
	d.Reply, d.Lang = out, lang
	var kept []string
	for _, n := range notes {
		switch {
		case n == noteShortened:
		case strings.HasPrefix(n, fmt.Sprintf(noteNoBook, lang)):
			kept = append(kept, "The private messages are in English, since there is no built-in wording for this language yet; translate them before sending.")
		default:
			kept = append(kept, n)
		}
	}
	d.Note = joinNotes("Reply written by the language model and checked for language, length and tone; read it before posting.", kept)
	return d
}

func notUsed(why string) string {
	why = strings.TrimSuffix(why, ".")
	return "The language model's reply was not used (" + why + "), so this is the built-in draft."
}

func joinNotes(first string, rest []string) string {
	return strings.Join(append([]string{first}, rest...), " ")
}

// reviewLang is the language the reply must be in: the review's, or the
// built-in draft's when the review's is unknown.
func reviewLang(req Request, fallback string) string {
	for _, l := range []string{req.Analysis.Lang, req.Review.Lang} {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			return l
		}
	}
	return fallback
}

// cleanModelText removes wrapping that chat models add around an answer: a
// reasoning block, a code fence, quotation marks.
func cleanModelText(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<think>") {
		if _, after, ok := strings.Cut(s, "</think>"); ok {
			s = strings.TrimSpace(after)
		}
	}
	if strings.HasPrefix(s, "```") && strings.HasSuffix(s, "```") && len(s) > 6 {
		s = strings.TrimSpace(strings.TrimSuffix(s, "```"))
		if _, rest, ok := strings.Cut(s, "\n"); ok {
			s = strings.TrimSpace(rest) // drops the fence and its info string
		}
	}
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}, {"„", "“"}, {"«", "»"}} {
		if strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) && strings.Count(s, q[0]) == 1 && len(s) > len(q[0])+len(q[1]) {
			s = strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
		}
	}
	if s == "" {
		return "", errors.New("the answer was empty")
	}
	if !utf8.ValidString(s) {
		return "", errors.New("the answer is not valid UTF-8")
	}
	return s, nil
}

// detectable is the set of languages the classifier can tell apart; a reply
// in a language outside it cannot be verified.
var detectable = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	if c, err := classify.New(); err == nil {
		for _, l := range c.Languages() {
			out[l] = true
		}
	}
	return out
})

// vetModelReply applies the built-in composer's rules to a model's reply.
func vetModelReply(s, lang string, req Request) error {
	p := req.Policy
	if !fits(s, p.ReplyMaxBytes, p.ReplyMaxChars) {
		if p.ReplyMaxBytes > 0 && len(s) > p.ReplyMaxBytes {
			return fmt.Errorf("it is %d bytes, over the platform's limit of %d", len(s), p.ReplyMaxBytes)
		}
		return fmt.Errorf("it is %d characters, over the platform's limit of %d", utf8.RuneCountInString(s), p.ReplyMaxChars)
	}
	got := ""
	switch {
	case detectable()[lang]:
		got = classify.Classify(classify.Input{Text: s}).Lang
	case books[lang] != nil:
		got = bookLang(s) // a language we write but the classifier does not read
	}
	if got != "" && got != lang {
		return fmt.Errorf("it is written in %s, not in the review's language %s", langName(got), langName(lang))
	}
	if ps := Check(s, lang, req.Settings.Offers); len(ps) > 0 {
		var what []string
		for _, pr := range ps {
			what = append(what, fmt.Sprintf("%s: %q", problemWords[pr.Code], pr.Phrase))
		}
		return errors.New("it contains " + strings.Join(what, "; "))
	}
	return nil
}

// bookWords maps each word of the phrase books to the languages using it.
var bookWords = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	add := func(lang string, t toned) {
		for _, alts := range t {
			for _, a := range alts {
				for _, tok := range tokenize(a) {
					if len(tok.lower) > 1 && !slices.Contains(out[tok.lower], lang) {
						out[tok.lower] = append(out[tok.lower], lang)
					}
				}
			}
		}
	}
	for lang, b := range books {
		for _, t := range b.Slots {
			add(lang, t)
		}
		for _, t := range b.Topics {
			add(lang, t)
		}
	}
	return out
})

// bookLang guesses a text's language from the phrase books' vocabulary: a
// word counts for each language that uses it, shared words count less. It
// returns "" when no word is known.
func bookLang(text string) string {
	words := bookWords()
	score := map[string]float64{}
	for _, tok := range tokenize(text) {
		langs := words[tok.lower]
		for _, l := range langs {
			score[l] += 1 / float64(len(langs))
		}
	}
	best := ""
	for l, v := range score {
		if best == "" || v > score[best] || v == score[best] && l < best {
			best = l
		}
	}
	return best
}

// problemWords names Check's problem codes for a seller.
var problemWords = map[string]string{
	"defensive":   "defensive wording",
	"blame":       "blame on someone else",
	"promotion":   "advertising",
	"promise":     "an offer the shop has not enabled",
	"placeholder": "an unfilled placeholder",
}
