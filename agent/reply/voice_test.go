package reply

import (
	"strings"
	"testing"
	"unicode"

	"github.com/calmreply/calmreply/shared/review"
)

// voiceWords are, per language, the words that show one person speaking
// ("i") or the shop ("we"): pronouns, and in languages that drop them,
// verb forms. Kept here apart from the phrase files' own lists, so a
// missing word in the data shows up as a mixed draft.
var voiceWords = map[string][2]string{
	"en": {"i me my mine myself", "we us our ours ourselves"},
	"de": {"ich mich mir mein meine meinen meinem meiner meines", "wir uns unser unsere unseren unserem unserer unseres"},
	"nl": {"ik me mij mijn", "we wij ons onze"},
	"sv": {"jag mig mej min mitt mina", "vi oss vår vårt våra"},
	"da": {"jeg mig min mit mine", "vi os vores vor vort"},
	"no": {"jeg meg min mitt mine", "vi oss vår vårt våre"},
	"fr": {"je j me m moi mon ma mes", "nous notre nos"},
	"es": {"yo me mi mis mío mía míos mías conmigo quería voy he lamento siento entiendo comprendo espero escribo revisaré responderé pondré haré podré", "nosotros nos nuestro nuestra nuestros nuestras lamentamos sentimos podemos queremos estamos hemos"},
	"it": {"io mi me mio mia miei mie vorrei volevo ho posso potrò farò spero capisco scrivo risponderò verificherò", "noi ci nostro nostra nostri nostre abbiamo possiamo siamo vogliamo ringraziamo"},
	"pl": {"ja mnie mi mój moja moje przepraszam dziękuję rozumiem mogę sprawdzę chciałbym chciałabym", "my nas nam nasz nasza nasze przepraszamy dziękujemy rozumiemy możemy sprawdzimy"},
}

// speakers returns which voices the words of s use ("i", "we").
func speakers(lang, s string) (i, we bool) {
	words := voiceWords[lang]
	set := func(list string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(list) {
			m[w] = true
		}
		return m
	}
	is, ws := set(words[0]), set(words[1])
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isLetter(r) }) {
		i = i || is[w]
		we = we || ws[w]
	}
	return i, we
}

// TestVoiceData: every slot, topic and aspect has, in each tone, a wording
// for every voice its language offers, and no built-in wording uses both.
func TestVoiceData(t *testing.T) {
	for lang, b := range books {
		if len(voiceWords[lang]) == 0 {
			t.Errorf("%s: no voice words in the test", lang)
		}
		all := map[string]toned{}
		for k, v := range b.Slots {
			all["slot."+k] = v
		}
		for k, v := range b.Topics {
			all["topic."+k] = v
		}
		for k, a := range b.Aspects {
			all["aspect."+k] = a.Phrases
		}
		for where, tn := range all {
			for key, alts := range tn {
				has := map[string]bool{}
				for _, a := range alts {
					i, we := speakers(lang, a)
					if i && we || b.voiceOf[a] == voiceI|voiceWe {
						t.Errorf("%s %s %s: %q speaks as both I and we", lang, where, key, a)
					}
					has["i"] = has["i"] || !we && b.voiceOf[a]&voiceWe == 0
					has["we"] = has["we"] || !i && b.voiceOf[a]&voiceI == 0
				}
				for _, v := range b.Voices {
					if !has[v] {
						t.Errorf("%s %s %s: no wording in the %q voice", lang, where, key, v)
					}
				}
			}
		}
	}
}

// TestVoiceConsistency: a draft (public reply, private message and
// check-back together) never mixes "I" and "we", whoever signs it, in
// every language, tone and variant.
func TestVoiceConsistency(t *testing.T) {
	signatures := []string{"", "Anna von Tonhaus", "Das Team von Tonhaus", "Tonhaus"}
	cases := loadEval(t)
	for _, c := range loadItemCases(t) {
		cases = append(cases, evalCase{ID: c.ID, Lang: c.Lang, Kind: review.Complaint, Topics: c.Topics, Author: c.Author, Text: c.Text})
	}
	for _, c := range cases {
		for _, sig := range signatures {
			for _, tone := range []string{"formal", "informal"} {
				for v := range 3 {
					req := c.request()
					req.Settings.Signature, req.Settings.Tone, req.Variant = sig, tone, v
					req.Settings.Offers = review.Offers{Replacement: true, Refund: true}
					d := Compose(req)
					all := d.Reply + "\n" + d.PrivateMessage + "\n" + d.CheckBack
					all = strings.ReplaceAll(all, sig, "")
					if i, we := speakers(c.Lang, all); i && we {
						t.Errorf("%s signed %q, %s, variant %d mixes I and we:\n%s", c.ID, sig, tone, v, all)
					}
				}
			}
		}
	}
}

// TestVoiceFor: a person's name signs as "I"; a shop, a team, a family or
// no signature as "we".
func TestVoiceFor(t *testing.T) {
	tests := []struct {
		sig, shop string
		want      uint8
	}{
		{"Anna von Tonhaus", "Tonhaus", voiceI},
		{"Anna", "", voiceI},
		{"", "Tonhaus", voiceWe},
		{"Tonhaus", "Tonhaus", voiceWe},
		{"Das Tonhaus-Team", "Tonhaus", voiceWe},
		{"Team Tonhaus", "Tonhaus", voiceWe},
		{"Familie Jansen", "", voiceWe},
		{"tonhaus.de", "", voiceWe},
		{"Tonhaus GmbH", "", voiceWe},
		{"Anna & Tom", "", voiceWe},
		{"Anna und Tom von Tonhaus", "Tonhaus", voiceWe},
		{"Anna K. | Tonhaus", "Tonhaus", voiceI},
		{"Studio Anna", "", voiceWe},
	}
	for _, tt := range tests {
		s := review.Settings{Signature: tt.sig, ShopName: tt.shop}
		if got := voiceFor(s, books["de"]); got != tt.want {
			t.Errorf("voiceFor(%q, shop %q) = %d, want %d", tt.sig, tt.shop, got, tt.want)
		}
	}
	if got := voiceFor(review.Settings{Signature: "Anna"}, books["fr"]); got != voiceWe {
		t.Errorf("French signed by a person = %d, want we (no first-person wordings that hide the writer's gender)", got)
	}
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }

// TestPromptVoice: the language model is told the voice the built-in
// draft uses.
func TestPromptVoice(t *testing.T) {
	req := Request{
		Review:   review.Review{Text: "Die Tasse kam kaputt an."},
		Analysis: review.Analysis{Lang: "de", Kind: review.Complaint},
		Settings: review.Settings{ShopName: "Tonhaus", Signature: "Anna von Tonhaus"},
	}
	if p := buildPrompt(req, review.Draft{}, "de"); !strings.Contains(p.User, "one person (I, me, my)") {
		t.Errorf("signed by Anna, prompt lacks the first-person voice:\n%s", p.User)
	}
	req.Settings.Signature = ""
	if p := buildPrompt(req, review.Draft{}, "de"); !strings.Contains(p.User, "as the shop (we, us, our)") {
		t.Errorf("unsigned, prompt lacks the shop's voice:\n%s", p.User)
	}
}
