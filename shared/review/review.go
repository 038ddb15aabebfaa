// Package review is calmreply's model of a review and of what the agent knows
// about it. Agent, scrapers and (through the wire protocol) the extension all
// speak these types, so they live here once.
package review

import "time"

// Platform names a review platform. Values are stable: they appear in the
// CLI contracts, in the store's keys and on the wire.
type Platform string

const (
	Etsy         Platform = "etsy"
	Google       Platform = "google"
	TrustedShops Platform = "trustedshops"
)

// Precision says how exact a DateRange is.
type Precision string

const (
	Day     Precision = "day"
	Week    Precision = "week"
	Month   Precision = "month"
	Year    Precision = "year"
	Unknown Precision = "unknown" // the page gave a date we could not read
)

// DateRange is when a review was written. Platforms show exact dates
// ("Sep 12, 2022") or relative ones ("vor 2 Wochen"); a relative date becomes
// the range of days it can mean, never an invented exact day.
type DateRange struct {
	From      string    `json:"from,omitempty"` // YYYY-MM-DD, inclusive
	To        string    `json:"to,omitempty"`   // YYYY-MM-DD, inclusive
	Precision Precision `json:"precision"`
	Raw       string    `json:"raw,omitempty"` // the text the page showed
}

// Listing is the product a review is about, when the page shows it.
type Listing struct {
	ID    string `json:"id,omitempty"`
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Review is one review as a scraper read it from a page.
type Review struct {
	Platform Platform `json:"platform"`
	// ID is the platform's own stable id for the review; together with
	// Platform it is the review's key everywhere.
	ID     string  `json:"id"`
	Author *string `json:"author"` // nil when anonymous
	Rating *int    `json:"rating"` // 1-5, nil when the page shows none
	// Date is YYYY-MM-DD when the page gives the exact day, else nil; see DateRange.
	Date      *string    `json:"date"`
	DateRange *DateRange `json:"date_range,omitempty"`
	Title     string     `json:"title,omitempty"`
	Text      string     `json:"text"` // full text: title + body where both exist
	// Truncated: the page showed only the start of the text (Google Maps'
	// "More" button) and Text ends with "…"; the full text was not in the page.
	Truncated bool     `json:"truncated,omitempty"`
	Lang      string   `json:"lang,omitempty"` // language the page states for the review
	ShopReply *string  `json:"shop_reply"`     // the seller's existing public reply
	Listing   *Listing `json:"listing,omitempty"`
	URL       string   `json:"url,omitempty"` // where the review can be seen
}

// Key is the store key of a review: platform and id.
func (r Review) Key() string { return string(r.Platform) + "/" + r.ID }

// Kind is what sort of review it is (PLAYBOOK section 1).
type Kind string

const (
	Praise    Kind = "praise"
	Complaint Kind = "complaint"
	Question  Kind = "question"
	Troll     Kind = "troll"
	Abusive   Kind = "abusive"
	Extortion Kind = "extortion"
	Spam      Kind = "spam"
)

// Kinds lists every Kind, in a stable order.
var Kinds = []Kind{Praise, Complaint, Question, Troll, Abusive, Extortion, Spam}

// Topic is what a complaint is about.
type Topic string

const (
	Delivery       Topic = "delivery"
	Damaged        Topic = "damaged"
	Defect         Topic = "defect"
	Quality        Topic = "quality"
	WrongItem      Topic = "wrong_item"
	NotAsDescribed Topic = "not_as_described"
	Price          Topic = "price"
	Service        Topic = "service"
	Refund         Topic = "refund"
)

// Topics lists every Topic, in a stable order.
var Topics = []Topic{Delivery, Damaged, Defect, Quality, WrongItem, NotAsDescribed, Price, Service, Refund}

// Action is what the seller should do about a review.
type Action string

const (
	Thank    Action = "thank"     // praise
	ReplyNow Action = "reply_now" // complaint
	Answer   Action = "answer"    // question
	Ignore   Action = "ignore"    // troll: never answered
	Report   Action = "report"    // abusive, spam
	Decline  Action = "decline"   // extortion: understanding, then a polite no
)

// ActionFor is the action the playbook prescribes for a kind.
func ActionFor(k Kind) Action {
	switch k {
	case Praise:
		return Thank
	case Complaint:
		return ReplyNow
	case Question:
		return Answer
	case Troll:
		return Ignore
	case Abusive, Spam:
		return Report
	case Extortion:
		return Decline
	}
	return ReplyNow
}

// Analysis is what the classifier understood of a review.
type Analysis struct {
	Lang       string   `json:"lang"` // ISO 639-1
	Kind       Kind     `json:"kind"`
	Topics     []Topic  `json:"topics"`
	Action     Action   `json:"action"`
	Confidence float64  `json:"confidence"`
	Reasons    []string `json:"reasons"`
}

// Draft is what calmreply proposes to send.
type Draft struct {
	Lang string `json:"lang"`
	// Reply is the public answer; "" when no public reply should be posted
	// (troll, abusive, spam, or a platform rule), and Note says why.
	Reply string `json:"reply"`
	// PrivateMessage is the first private follow-up (e-mail or platform
	// message) for complaints; "" otherwise.
	PrivateMessage string `json:"private_message"`
	// CheckBack is the later "is everything solved? would you update your
	// review?" message; "" where it does not apply.
	CheckBack string `json:"check_back,omitempty"`
	Note      string `json:"note"`
	Variant   int    `json:"variant"`
}

// Deadline is when a review needs its next step.
type Deadline struct {
	Due    time.Time `json:"due"`    // RFC 3339 on the wire
	Kind   string    `json:"kind"`   // e.g. "first_reply", "follow_up", "platform_window"
	Reason string    `json:"reason"` // human words, shown in the overlay
}

// State is where a review stands in the seller's work.
type State string

const (
	Open     State = "open"
	Drafted  State = "drafted"
	Inserted State = "inserted"
	Replied  State = "replied"
	Ignored  State = "ignored"
)

// States lists every State.
var States = []State{Open, Drafted, Inserted, Replied, Ignored}

// Notice is a platform rule or deadline fact the overlay shows before the
// seller acts ("replying now locks the buyer's edit; 63 days left"). Code is
// stable so the extension can word it in the seller's UI language; Text is
// the English wording for the CLI and as a fallback.
type Notice struct {
	Code     string `json:"code"`
	DaysLeft *int   `json:"days_left,omitempty"`
	Text     string `json:"text"`
}
