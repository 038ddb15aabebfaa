// Package classify understands a review: its language, kind, topics and the
// action the playbook recommends.
package classify

import (
	"github.com/calmreply/calmreply/shared/review"
)

// Input is one review to classify; it mirrors a line of `agent classify`.
type Input struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Rating   *int    `json:"rating"`
	Author   *string `json:"author"`
	Platform string  `json:"platform"`
	PageLang string  `json:"page_lang"`
}

// Classify is the first version: kind from the star rating only, language
// from the page. The understanding issue replaces its insides; callers keep
// this signature.
func Classify(in Input) review.Analysis {
	a := review.Analysis{Lang: in.PageLang, Kind: review.Complaint, Topics: []review.Topic{}, Confidence: 0.3}
	if in.Rating != nil && *in.Rating >= 4 {
		a.Kind = review.Praise
	}
	a.Action = review.ActionFor(a.Kind)
	a.Reasons = []string{"star rating only"}
	return a
}
