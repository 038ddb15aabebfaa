package reply

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/calmreply/calmreply/scrapers/scrapertest"
	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// evalCase is one review of testdata/eval.jsonl, written for these tests.
type evalCase struct {
	ID     string         `json:"id"`
	Lang   string         `json:"lang"`
	Kind   review.Kind    `json:"kind"`
	Topics []review.Topic `json:"topics"`
	Author *string        `json:"author"`
	Rating *int           `json:"rating"`
	Text   string         `json:"text"`
	// Want: the reply names the problem with at least one of these words.
	Want []string `json:"want"`
}

func loadEval(t testing.TB) []evalCase {
	t.Helper()
	f, err := os.Open("testdata/eval.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []evalCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c evalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("eval.jsonl: %v", err)
		}
		out = append(out, c)
	}
	return out
}

func (c evalCase) request() Request {
	return Request{
		Review:   review.Review{Platform: review.Google, ID: c.ID, Author: c.Author, Rating: c.Rating, Text: c.Text},
		Analysis: review.Analysis{Lang: c.Lang, Kind: c.Kind, Topics: c.Topics, Action: review.ActionFor(c.Kind)},
		Settings: review.Settings{ShopName: "Tonhaus", Contact: review.Contact{Email: "hallo@tonhaus.example"}},
	}
}

func roles(m message) map[string]string {
	out := map[string]string{}
	for _, p := range m {
		out[p.role] += p.text
	}
	return out
}

func containsAnyFold(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(strings.ToLower(s), strings.ToLower(w)) {
			return true
		}
	}
	return len(words) == 0
}

// TestStructure checks every draft of the evaluation set against the
// playbook's parts: greeting (by first name), apology, the named problem, a
// next step with a time, thanks, an invitation to a private channel.
func TestStructure(t *testing.T) {
	for _, c := range loadEval(t) {
		t.Run(c.ID, func(t *testing.T) {
			req := c.request()
			d, m := compose(req)
			if d.Lang != c.Lang {
				t.Errorf("Lang = %q, want %q", d.Lang, c.Lang)
			}
			r := roles(m)
			if name := FirstName(c.Author); name != "" && !strings.Contains(r["greeting"], name) {
				t.Errorf("greeting %q lacks the name %q", r["greeting"], name)
			}
			if oneNamedPerson(req) && strings.Contains(d.Reply+d.PrivateMessage, "Państw") {
				t.Errorf("one named person addressed as Państwo:\n%s\n%s", d.Reply, d.PrivateMessage)
			}
			var need []string
			switch c.Kind {
			case review.Complaint:
				need = []string{"greeting", "apology", "action", "thanks", "invite", "closing"}
				if !slices.Contains(c.Topics, review.Price) && !strings.Contains(r["action"], "24") {
					t.Errorf("next step %q says no time", r["action"])
				}
				if d.PrivateMessage == "" || d.CheckBack == "" {
					t.Errorf("complaint without private message or check-back: %+v", d)
				}
			case review.Praise:
				need = []string{"greeting", "thanks", "detail", "closing"}
			case review.Question:
				need = []string{"greeting", "thanks", "restate", "answer", "invite", "closing"}
			case review.Extortion:
				need = []string{"greeting", "empathy", "decline", "closing"}
			}
			for _, role := range need {
				if strings.TrimSpace(r[role]) == "" {
					t.Errorf("no %s in %q", role, d.Reply)
				}
			}
			if !containsAnyFold(d.Reply, c.Want) {
				t.Errorf("reply does not name the problem (any of %q):\n%s", c.Want, d.Reply)
			}
			for _, text := range []string{d.Reply, d.PrivateMessage, d.CheckBack} {
				if ps := Check(text, c.Lang, req.Settings.Offers); len(ps) > 0 {
					t.Errorf("Check found %v in:\n%s", ps, text)
				}
			}
		})
	}
}

// TestUnique: drafts for different reviews differ in more than the name.
func TestUnique(t *testing.T) {
	cases := loadEval(t)
	drafts := map[string]string{}
	for _, c := range cases {
		d := Compose(c.request())
		text := d.Reply
		if name := FirstName(c.Author); name != "" {
			text = strings.ReplaceAll(text, name, "NAME")
		}
		drafts[c.ID] = text
	}
	for i, a := range cases {
		for _, b := range cases[i+1:] {
			if a.Lang == b.Lang && drafts[a.ID] == drafts[b.ID] {
				t.Errorf("%s and %s get the same draft:\n%s", a.ID, b.ID, drafts[a.ID])
			}
		}
	}
}

func TestDeterministicAndVariants(t *testing.T) {
	for _, c := range loadEval(t) {
		req := c.request()
		a, b := Compose(req), Compose(req)
		if a != b {
			t.Errorf("%s: two drafts of the same request differ", c.ID)
		}
		req.Variant = 1
		if v := Compose(req); v.Reply == a.Reply {
			t.Errorf("%s: variant 1 equals variant 0:\n%s", c.ID, a.Reply)
		}
	}
}

func TestPhraseData(t *testing.T) {
	en := books["en"]
	for lang, b := range books {
		for slot := range en.Slots {
			if _, ok := b.Slots[slot]; !ok {
				t.Errorf("%s: slot %q missing", lang, slot)
			}
		}
		for topic := range en.Topics {
			if len(b.Topics[topic].alternatives(b.DefaultTone)) == 0 {
				t.Errorf("%s: topic %q missing", lang, topic)
			}
		}
		for slot, alts := range b.Slots {
			for _, tone := range []string{"formal", "informal"} {
				for _, s := range alts.alternatives(tone) {
					if strings.Count(s, "{") != strings.Count(s, "}") {
						t.Errorf("%s %s: unbalanced braces in %q", lang, slot, s)
					}
				}
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// oneNamedPerson: the draft greets a single named person neutrally, since
// its language's formal address is plural (Polish "Państwo").
func oneNamedPerson(req Request) bool {
	w, _ := newWriter(req)
	return w.neutral
}

func TestPlatformLimits(t *testing.T) {
	base := Request{
		Review:   review.Review{ID: "x", Author: ptr("Åsa"), Rating: ptr(1), Text: "Min mugg var trasig."},
		Analysis: review.Analysis{Lang: "sv", Kind: review.Complaint, Topics: []review.Topic{review.Damaged}},
	}
	t.Run("google bytes", func(t *testing.T) {
		req := base
		long := strings.Repeat("Vi är så ledsna för det här, och vi förstår att det är tråkigt när det händer. ", 80)
		req.Settings.Phrases = map[string]map[string]string{"sv": {"empathy": long}}
		req.Policy = site.Policy{ReplyMaxBytes: 4096}
		d := Compose(req)
		if len(d.Reply) > 4096 || !utf8.ValidString(d.Reply) {
			t.Fatalf("reply is %d bytes (valid UTF-8: %v)", len(d.Reply), utf8.ValidString(d.Reply))
		}
		if !strings.Contains(d.Note, "shortened") || !strings.HasSuffix(strings.Split(d.Reply, "\n\n")[1], ".") {
			t.Errorf("not cut at a sentence end, or no note: %q / %q", d.Reply[len(d.Reply)-200:], d.Note)
		}
	})
	t.Run("fit one huge word", func(t *testing.T) {
		m := message{{"greeting", "Hej,"}, {"apology", strings.Repeat("ä", 3000)}}
		s, cut := fit(m, 4096, 0)
		if !cut || len(s) > 4096 || !utf8.ValidString(s) {
			t.Errorf("fit = %d bytes, cut %v, valid %v", len(s), cut, utf8.ValidString(s))
		}
	})
	t.Run("etsy above max rating", func(t *testing.T) {
		req := base
		req.Review.Rating = ptr(5)
		req.Analysis = review.Analysis{Lang: "en", Kind: review.Praise}
		req.Review.Text = "Lovely, fast shipping!"
		req.Policy = site.Policy{ReplyMaxRating: 3, ReplyLocksReview: true}
		d := Compose(req)
		if d.Reply != "" || !strings.Contains(d.Note, "3 stars") || d.PrivateMessage == "" {
			t.Errorf("got %+v, want no reply, a note about the rule and a private thank-you", d)
		}
	})
	t.Run("etsy locks review", func(t *testing.T) {
		req := base
		req.Policy = site.Policy{ReplyMaxRating: 3, ReplyLocksReview: true}
		d := Compose(req)
		if d.Reply == "" || !strings.Contains(d.Note, "privately first") {
			t.Errorf("got %+v, want a reply and the solve-privately note", d)
		}
	})
}

func TestNoPublicReply(t *testing.T) {
	pol := site.Policy{ReportGrounds: []string{"off-topic", "spam"}}
	for _, kind := range []review.Kind{review.Troll, review.Abusive, review.Spam} {
		d := Compose(Request{Review: review.Review{Text: "whatever"}, Analysis: review.Analysis{Lang: "de", Kind: kind}, Policy: pol})
		if d.Reply != "" || d.Note == "" {
			t.Errorf("%s: reply %q note %q, want no reply and a note", kind, d.Reply, d.Note)
		}
		if kind != review.Troll && !strings.Contains(d.Note, "off-topic") {
			t.Errorf("%s: note %q lacks the report grounds", kind, d.Note)
		}
		if (kind == review.Abusive) != (d.PrivateMessage != "") {
			t.Errorf("%s: private message %q", kind, d.PrivateMessage)
		}
	}
}

func TestSettings(t *testing.T) {
	req := Request{
		Review:   review.Review{ID: "s", Author: ptr("Anna K."), Rating: ptr(1), Text: "Meine Tasse kam kaputt an."},
		Analysis: review.Analysis{Lang: "de", Kind: review.Complaint, Topics: []review.Topic{review.Damaged}},
	}
	formal := Compose(req).Reply
	if !strings.Contains(formal, "Ihre Tasse") || strings.Contains(formal, " dir ") {
		t.Errorf("default German should be formal:\n%s", formal)
	}
	req.Settings.Tone = "informal"
	informal := Compose(req).Reply
	if !strings.Contains(informal, "deine Tasse") || strings.Contains(informal, " Sie ") || strings.Contains(informal, "Ihnen") {
		t.Errorf("informal German:\n%s", informal)
	}
	req.Settings = review.Settings{Offers: review.Offers{Refund: true}, Signature: "Anna von Tonhaus"}
	d := Compose(req)
	if !strings.Contains(d.Reply, "erstatten") && !strings.Contains(d.Reply, "zurückzahlen") {
		t.Errorf("refund offer missing:\n%s", d.Reply)
	}
	if !strings.HasSuffix(d.Reply, "\nAnna von Tonhaus") {
		t.Errorf("signature missing:\n%s", d.Reply)
	}
	if ps := Check(d.Reply, "de", review.Offers{}); len(ps) == 0 {
		t.Errorf("Check with refund disabled should flag the promise in:\n%s", d.Reply)
	}
	req.Settings = review.Settings{Phrases: map[string]map[string]string{"de": {"apology": "Das tut uns leid, {name}: {problem}."}}}
	if d := Compose(req); !strings.Contains(d.Reply, "as tut uns leid, Anna: Ihre Tasse") {
		t.Errorf("override not used:\n%s", d.Reply)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		lang, text, want string
	}{
		{"en", "You should have read the description.", "defensive"},
		{"en", "The courier lost it, not our fault.", "blame"},
		{"de", "Das stimmt nicht, wir haben nichts falsch gemacht.", "defensive"},
		{"de", "Leider hat DHL das Paket beschädigt.", "blame"},
		{"nl", "PostNL heeft het pakket beschadigd.", "blame"},
		{"sv", "Det är PostNords fel.", "blame"},
		{"sv", "Missa inte vår nya kollektion!", "promotion"},
		{"en", "Check out our new collection!", "promotion"},
		{"en", "We will refund you in full.", "promise"},
		{"en", "Thanks, [your answer] here.", "placeholder"},
		{"en", "We are sorry that your mug arrived broken.", ""},
		{"fr", "Ce n'est pas vrai, vous auriez dû lire l'annonce.", "defensive"},
		{"fr", "Colissimo a abîmé le colis.", "blame"},
		{"fr", "Découvrez notre nouvelle collection !", "promotion"},
		{"fr", "Nous allons vous rembourser intégralement.", "promise"},
		{"es", "No es culpa nuestra, fue el transportista.", "blame"},
		{"es", "Como se indica claramente en la ficha, es pequeño.", "defensive"},
		{"es", "Le daremos un código de descuento.", "promise"},
		{"it", "Il corriere ha danneggiato il pacco.", "blame"},
		{"it", "Non è vero, il prodotto era perfetto.", "defensive"},
		{"it", "Scopra la nostra nuova collezione!", "promotion"},
		{"pl", "To nie nasza wina, kurier zgubił paczkę.", "blame"},
		{"pl", "Wyślemy nowy egzemplarz.", "promise"},
		{"da", "Det er PostNords skyld, ikke vores skyld.", "blame"},
		{"da", "Du tager fejl, varen var i orden.", "defensive"},
		{"no", "Posten har ødelagt pakken.", "blame"},
		{"no", "Følg oss for flere tilbud!", "promotion"},
		{"fr", "Nous sommes désolés d'apprendre que votre tasse est arrivée abîmée.", ""},
		{"pl", "Bardzo nam przykro, że Państwa zamówienie dotarło uszkodzone.", ""},
	}
	for _, tt := range tests {
		got := Check(tt.text, tt.lang, review.Offers{})
		var codes []string
		for _, p := range got {
			codes = append(codes, p.Code)
		}
		if tt.want == "" && len(got) > 0 || tt.want != "" && !strings.Contains(strings.Join(codes, ","), tt.want) {
			t.Errorf("Check(%q, %q) = %v, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestFirstName(t *testing.T) {
	tests := map[string]string{"Anna K.": "Anna", "coolcat88": "", "J.": "", "Anonymous": "", "Jean-Luc Picard": "Jean-Luc", "ANNA": "", "Åsa": "Åsa", "": "",
		"Anonyme": "", "Anónimo": "", "Anonimo": "", "Anonim": "", "Kupujący": "", "Łukasz": "Łukasz", "Søren": "Søren"}
	for in, want := range tests {
		if got := FirstName(&in); got != want {
			t.Errorf("FirstName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGolden keeps a few full drafts as files, so a wording change shows up
// as a diff to review (go test ./agent/reply -update).
func TestGolden(t *testing.T) {
	for _, c := range loadEval(t) {
		switch c.ID {
		case "de01", "en10", "nl02", "sv07", "de17", "en18", "nl16", "fr01", "es02", "it03", "pl04", "da05", "no06":
		default:
			continue
		}
		req := c.request()
		req.Settings.Offers = review.Offers{Replacement: true}
		scrapertest.Golden(t, filepath.Join("testdata", "golden", c.ID+".json"), Compose(req))
	}
}

func BenchmarkCompose(b *testing.B) {
	cases := loadEval(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Compose(cases[i%len(cases)].request())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "drafts/s")
}
