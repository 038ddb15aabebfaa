// Package site describes a platform to everything outside its scraper: the
// profile the extension needs to find reviews and the reply box on a page, and
// the platform's reply rules. The values themselves live in each scraper
// package (site knowledge in one place); this package only fixes their shape.
package site

// Profile tells the generic content script how to work on one platform's
// pages. The agent sends every scraper's profile in the hello message.
type Profile struct {
	Platform string `json:"platform"`
	// Pages are the kinds of page this platform has, each with its own URL
	// patterns and selectors (public shop page, seller's reply page, ...).
	Pages []Page `json:"pages"`
	// Policy is the platform's reply rules.
	Policy Policy `json:"policy"`
}

// Page is one kind of page on a platform.
type Page struct {
	Name string `json:"name"` // e.g. "shop_reviews", "seller_reviews"
	// Match are URL patterns as JavaScript/Go-compatible regular expressions
	// anchored at the start, matched against the full URL.
	Match []string `json:"match"`
	// Hosts are the host patterns the extension manifest must cover, in
	// match-pattern form ("https://www.etsy.com/*").
	Hosts []string `json:"hosts"`
	// Review is the CSS selector of one review element.
	Review string `json:"review"`
	// ID says how to read a stable review id from a review element.
	ID IDRule `json:"id"`
	// ReplyBox says how to open and fill the reply box of one review; nil on
	// pages where the seller cannot reply.
	ReplyBox *ReplyBox `json:"reply_box,omitempty"`
	// ExistingReply is the selector, inside a review element, of the shop's
	// published reply; its presence marks the review replied.
	ExistingReply string `json:"existing_reply,omitempty"`
}

// IDRule reads a review id: from an attribute of the review element itself
// (Selector empty) or of a descendant; Pattern optionally extracts a part
// with its first capture group.
type IDRule struct {
	Selector string `json:"selector,omitempty"`
	Attr     string `json:"attr"`
	Pattern  string `json:"pattern,omitempty"`
}

// ReplyBox describes a platform's reply editor.
type ReplyBox struct {
	// Open is the selector, inside the review element, of the button that
	// reveals the reply box; "" when it is always visible.
	Open string `json:"open,omitempty"`
	// Input is the selector of the editor; searched inside the review
	// element first, then in the document (dialogs render outside it).
	Input string `json:"input"`
	// Mode is "textarea" (value) or "contenteditable" (text content).
	Mode string `json:"mode"`
	// Events are fired on the editor after filling, in order.
	Events []string `json:"events"`
	// Submit is the selector of the send button: never clicked, only used to
	// check in tests that nothing was submitted.
	Submit string `json:"submit,omitempty"`
}

// Policy is one platform's reply rules, as data.
type Policy struct {
	// ReplyMaxRating is the highest star rating the seller may answer
	// publicly (Etsy: 3); 0 means any.
	ReplyMaxRating int `json:"reply_max_rating,omitempty"`
	// ReplyMaxBytes limits a reply's UTF-8 length (Google: 4096); 0 = unknown.
	ReplyMaxBytes int `json:"reply_max_bytes,omitempty"`
	// ReplyMaxChars limits a reply in characters; 0 = unknown.
	ReplyMaxChars int `json:"reply_max_chars,omitempty"`
	// ReplyEditable says whether a posted reply can be changed; nil = unknown.
	ReplyEditable *bool `json:"reply_editable,omitempty"`
	// ReplyLocksReview: a public reply stops the buyer from editing the
	// review (Etsy), so solving privately first is the better path.
	ReplyLocksReview bool `json:"reply_locks_review,omitempty"`
	// ReviewWindowDays is how long a customer can write or edit a review
	// (Etsy 100, Trusted Shops about 183); 0 = none known.
	ReviewWindowDays int `json:"review_window_days,omitempty"`
	// QuarantineDays is how long a negative review is held back for the shop
	// to solve the problem first (WebwinkelKeur 14); QuarantineMaxRating is
	// the highest rating it applies to.
	QuarantineDays      int `json:"quarantine_days,omitempty"`
	QuarantineMaxRating int `json:"quarantine_max_rating,omitempty"`
	// Moderation is what happens after posting, in words, when known.
	Moderation string `json:"moderation,omitempty"`
	// ReportGrounds are the reasons the platform accepts for reporting.
	ReportGrounds []string `json:"report_grounds,omitempty"`
	// ReportURL is where to report, when the platform has a page for it.
	ReportHelp string `json:"report_help,omitempty"`
	// CanDelete: whether the seller can delete reviews (never, on all three).
	CanDelete bool `json:"can_delete"`
}
