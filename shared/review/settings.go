package review

// Settings are the seller's choices that shape drafts and deadlines. The
// extension's options page edits them, the agent stores them, and the draft
// CLI accepts the same JSON shape per input line under "settings".
type Settings struct {
	ShopName  string `json:"shop_name,omitempty"`
	Signature string `json:"signature,omitempty"` // e.g. "Anna from Tonwerk"
	// Contact is how customers reach the shop privately.
	Contact Contact `json:"contact,omitempty"`
	// Tone is "formal" (Sie / u / ni) or "informal" (du / je / du); "" means
	// the language's usual default for shops.
	Tone string `json:"tone,omitempty"`
	// Offers is what the shop may offer an unhappy customer; drafts never
	// promise anything not listed here.
	Offers Offers `json:"offers,omitempty"`
	// Phrases overrides any built-in phrase, per language: Phrases["de"]["apology"].
	Phrases map[string]map[string]string `json:"phrases,omitempty"`
	// Hours are the working hours deadlines count in; nil means around the clock.
	Hours *WorkingHours `json:"hours,omitempty"`
	// LLM optionally drafts through an OpenAI-compatible chat endpoint.
	LLM *LLM `json:"llm,omitempty"`
}

// Contact is a private channel to offer in replies.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Offers lists what the shop is willing to do for an unhappy customer.
type Offers struct {
	Replacement  bool `json:"replacement,omitempty"`
	Refund       bool `json:"refund,omitempty"`
	DiscountCode bool `json:"discount_code,omitempty"`
	FreeShipping bool `json:"free_shipping,omitempty"`
}

// WorkingHours are when the seller answers reviews.
type WorkingHours struct {
	TimeZone string `json:"tz"`    // IANA name, e.g. "Europe/Berlin"
	Start    string `json:"start"` // "09:00"
	End      string `json:"end"`   // "18:00"
	// Days are the working weekdays, 0 = Sunday ... 6 = Saturday.
	Days []int `json:"days"`
}

// LLM configures optional drafting by a language model.
type LLM struct {
	Endpoint string `json:"endpoint"` // base URL, e.g. http://127.0.0.1:11434/v1
	Model    string `json:"model"`
	APIKey   string `json:"api_key,omitempty"`
	// TimeoutMS bounds one request; the built-in composer answers after it.
	TimeoutMS int `json:"timeout_ms,omitempty"`
}
