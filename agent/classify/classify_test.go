package classify

import (
	"fmt"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

func rating(n int) *int { return &n }

// TestMechanisms pins the rules the lexicons rely on, one case each.
func TestMechanisms(t *testing.T) {
	c := mustNew(t)
	tests := []struct {
		why    string
		in     Input
		lang   string
		kind   review.Kind
		topics string
	}{
		{"negated negative reads as praise", Input{Text: "Not bad at all, really nice.", Rating: rating(5)}, "en", review.Praise, "[]"},
		{"negator after the verb", Input{Text: "Die Farbe gefällt mir nicht.", Rating: rating(2)}, "de", review.Complaint, "[]"},
		{"negator used up by the next word", Input{Text: "Ok ingen problem", Rating: rating(4), PageLang: "sv"}, "sv", review.Praise, "[]"},
		{"contrast ends the negation scope", Input{Text: "Tidigare nöjd men inte denna gång, tyvärr.", Rating: rating(2)}, "sv", review.Complaint, "[]"},
		{"problem beats praise and stars", Input{Text: "Wunderschön, aber leider kaputt angekommen.", Rating: rating(5)}, "de", review.Complaint, "[damaged]"},
		{"negated price is no price problem", Input{Text: "Schmeckt lecker und ist nicht allzu teuer.", Rating: rating(5)}, "de", review.Praise, "[]"},
		{"typo in a long word", Input{Text: "Der Kundenservise war unfreundlich.", Rating: rating(1)}, "de", review.Complaint, "[service]"},
		{"plain spelling is not the marked word", Input{Text: "En vanlig mugg, inget speciellt.", Rating: rating(3), PageLang: "sv"}, "sv", review.Complaint, "[]"},
		{"page language decides a short review", Input{Text: "Top!", PageLang: "it"}, "it", review.Praise, "[]"},
		{"Norwegian page locale nb", Input{Text: "Kjempebra!", PageLang: "nb"}, "no", review.Praise, "[]"},
		{"English review on a German page", Input{Text: "Took ages to arrive, but lovely.", PageLang: "de", Rating: rating(3)}, "en", review.Complaint, "[delivery]"},
		{"mistaken one star", Input{Text: "Love it! Best gift ever.", Rating: rating(1)}, "en", review.Praise, "[]"},
		{"rhetorical why is a complaint", Input{Text: "Warum antwortet niemand auf meine Mails?!"}, "de", review.Complaint, "[service]"},
		{"question names a transactional topic", Input{Text: "Versendet ihr auch in die Schweiz?"}, "de", review.Question, "[delivery]"},
		{"threat plus demand is extortion", Input{Text: "Give me a refund or I will post bad reviews everywhere.", Rating: rating(1)}, "en", review.Extortion, "[refund]"},
		{"extortionate is not extortion", Input{Text: "The postage was extortionate.", Rating: rating(2)}, "en", review.Complaint, "[delivery]"}, // shipping cost is delivery
		{"link is spam", Input{Text: "Best watches at www.example-watches.com", Rating: rating(5)}, "en", review.Spam, "[]"},
		{"QR code is no promo code", Input{Text: "Dommage qu'il n'y ait pas de lecteur de QR code.", Rating: rating(4)}, "fr", review.Complaint, "[]"},
		{"insult is abusive", Input{Text: "Stelletje oplichters, rot op.", Rating: rating(1)}, "nl", review.Abusive, "[]"},
		{"a cow in the milk is no insult", Input{Text: "Schmeckt mit Kuhmilch und mit Kuh- oder Hafermilch sehr gut.", Rating: rating(5)}, "de", review.Praise, "[]"},
		{"provocation without experience", Input{Text: "Nog nooit iets gekocht, saai winkeltje. Haha", Rating: rating(1)}, "nl", review.Troll, "[]"},
		{"smiley counts", Input{Text: "Fick aldrig varorna :(", PageLang: "sv"}, "sv", review.Complaint, "[delivery]"},
		{"words of a link are no sentiment", Input{Text: "Get cheap likes at www.cheap-broken-likes.com, best prices", Rating: rating(5)}, "en", review.Spam, "[]"},
		{"a bare shop domain alone is no ad", Input{Text: "Bestellt über zalando.de, alles super schnell da.", Rating: rating(5)}, "de", review.Praise, "[]"},
		{"worth it accepts the price", Input{Text: "Ziemlich teuer, aber jeden Cent wert.", Rating: rating(5)}, "de", review.Praise, "[]"},
		{"negated worth is a price problem", Input{Text: "Not worth it, way too expensive.", Rating: rating(2)}, "en", review.Complaint, "[price]"},
		{"ironic thanks at one star", Input{Text: "Great, the gift came a week after the party. Thanks a lot.", Rating: rating(1)}, "en", review.Complaint, "[delivery]"},
		{"thanks alone at one star is a mistaken rating", Input{Text: "Beautiful, thank you so much!", Rating: rating(1)}, "en", review.Praise, "[]"},
		{"otherwise marks a reservation", Input{Text: "Die Henkel sind recht eckig. Ansonsten gut.", PageLang: "de"}, "de", review.Complaint, "[]"},
		{"wait for food is service", Input{Text: "We waited 40 minutes for our starters.", Rating: rating(2)}, "en", review.Complaint, "[service]"},
		{"wait for money is refund", Input{Text: "Ik wacht al een maand op mijn geld.", Rating: rating(1)}, "nl", review.Complaint, "[refund]"},
		{"wait for a parcel is delivery", Input{Text: "Drei Wochen auf das Paket gewartet.", Rating: rating(2)}, "de", review.Complaint, "[delivery]"},
		{"praised area is no topic", Input{Text: "Schnelle Lieferung, aber die Farbe blättert ab.", Rating: rating(3)}, "de", review.Complaint, "[quality]"},
		{"no experience, only a verdict", Input{Text: "Never been here but surely overpriced.", Rating: rating(1)}, "en", review.Troll, "[]"},
		{"politics is off-topic", Input{Text: "Regeringen ödelägger allt, vakna!", Rating: rating(1), PageLang: "sv"}, "sv", review.Troll, "[]"},
		{"double question mark at two stars complains", Input{Text: "10 euro verzendkosten voor een kaartje??", Rating: rating(2)}, "nl", review.Complaint, "[delivery]"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			a := c.Classify(tt.in)
			if a.Lang != tt.lang || a.Kind != tt.kind || fmt.Sprint(a.Topics) != tt.topics {
				t.Errorf("Classify(%q) = %s/%s/%v, want %s/%s/%s (reasons %v)", tt.in.Text, a.Lang, a.Kind, a.Topics, tt.lang, tt.kind, tt.topics, a.Reasons)
			}
			if a.Action != review.ActionFor(a.Kind) || a.Confidence < 0 || a.Confidence > 1 || len(a.Reasons) == 0 || a.Topics == nil {
				t.Errorf("Classify(%q) = %+v: action, confidence, reasons or topics malformed", tt.in.Text, a)
			}
		})
	}
}

// TestOddInput: nothing a caller can send makes Classify panic or return a
// malformed analysis.
func TestOddInput(t *testing.T) {
	c := mustNew(t)
	for _, s := range []string{"", " ", "!!!", "😀😀", "\xff\xfe", "?", "a", "www.", "1234567890123", string(make([]byte, 1000))} {
		a := c.Classify(Input{Text: s, Rating: rating(9), PageLang: "xx-YY"})
		if a.Kind == "" || a.Action == "" || a.Topics == nil || a.Lang == "" {
			t.Errorf("Classify(%q) = %+v", s, a)
		}
	}
}
