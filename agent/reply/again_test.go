package reply

import (
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
)

// TestSecondMention: when two problems are named and the review gives no
// product word, the draft says "your order" once and then a pronoun or a
// wording without the order, in every variant and tone.
func TestSecondMention(t *testing.T) {
	tests := []struct {
		lang, text string
		topics     []review.Topic
	}{
		{"de", "Habe drei Wochen gewartet, und dann kam alles kaputt an.", []review.Topic{review.Delivery, review.Damaged}},
		{"de", "Nach zwei Wochen Wartezeit funktionierte nichts.", []review.Topic{review.Delivery, review.Defect}},
		{"de", "Es hat ewig gedauert und die Beschreibung stimmte nicht.", []review.Topic{review.Delivery, review.NotAsDescribed}},
		{"en", "Waited three weeks and then it all arrived broken.", []review.Topic{review.Delivery, review.Damaged}},
		{"nl", "Drie weken gewacht en toen kwam alles kapot aan.", []review.Topic{review.Delivery, review.Damaged}},
		{"sv", "Väntade tre veckor och sedan kom allt trasigt.", []review.Topic{review.Delivery, review.Damaged}},
		{"da", "Ventede tre uger, og så kom det hele i stykker.", []review.Topic{review.Delivery, review.Damaged}},
		{"no", "Ventet tre uker, og så kom alt knust.", []review.Topic{review.Delivery, review.Damaged}},
		{"fr", "Trois semaines d'attente et tout est arrivé cassé.", []review.Topic{review.Delivery, review.Damaged}},
		{"es", "Tres semanas de espera y todo llegó roto.", []review.Topic{review.Delivery, review.Damaged}},
		{"it", "Tre settimane di attesa e tutto è arrivato rotto.", []review.Topic{review.Delivery, review.Damaged}},
		{"pl", "Trzy tygodnie czekania, a wszystko dotarło rozbite.", []review.Topic{review.Delivery, review.Damaged}},
	}
	for _, tt := range tests {
		for _, tone := range []string{"formal", "informal"} {
			for v := range 4 {
				req := Request{
					Review:   review.Review{ID: "again", Text: tt.text},
					Analysis: review.Analysis{Lang: tt.lang, Kind: review.Complaint, Topics: tt.topics},
					Settings: review.Settings{Tone: tone},
					Variant:  v,
				}
				d := Compose(req)
				b := books[tt.lang]
				def := b.Slots["item_default"].alternatives(tone)[0]
				body := strings.Split(d.Reply, "\n\n")[1]
				apology := strings.SplitAfterN(body, ".", 2)[0]
				if n := strings.Count(strings.ToLower(apology), strings.ToLower(def)); n > 1 {
					t.Errorf("%s %s variant %d names %q %d times:\n%s", tt.lang, tone, v, def, n, apology)
				}
			}
		}
	}
}
