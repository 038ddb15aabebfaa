package reply

import (
	"strings"
	"testing"

	"github.com/calmreply/calmreply/shared/review"
	"github.com/calmreply/calmreply/shared/site"
)

// The words by which each language asks for an order number, and a word
// of waiting: a restaurant guest is asked neither for the first, and the
// draft names the wait with the second.
var (
	orderNumberWords = map[string][]string{
		"de": {"Bestellnummer"}, "en": {"order number"}, "nl": {"bestelnummer"}, "sv": {"ordernummer"},
		"da": {"ordrenummer"}, "no": {"ordrenummer"}, "fr": {"numéro de commande"}, "es": {"número de pedido"},
		"it": {"numero d'ordine"}, "pl": {"numer zamówienia", "numeru zamówienia"},
	}
	waitWords = map[string][]string{
		"de": {"warten"}, "en": {"wait"}, "nl": {"wachten"}, "sv": {"vänta"}, "da": {"vente"}, "no": {"vente"},
		"fr": {"attendre"}, "es": {"esperar"}, "it": {"aspettare"}, "pl": {"czekać"},
	}
	messageWords = map[string][]string{
		"de": {"Nachricht", "Antwort"}, "en": {"message", "answer"}, "nl": {"bericht", "antwoord"},
		"sv": {"meddelande", "svar"}, "da": {"besked", "svar"}, "no": {"melding", "svar"},
		"fr": {"message", "réponse"}, "es": {"mensaje", "respuesta"}, "it": {"messaggi", "risposta"},
		"pl": {"wiadomości", "odpowiedź"},
	}
	againWords = map[string]string{
		"de": "Noch einmal", "en": "Once again", "nl": "Nogmaals", "sv": "Än en gång", "da": "Endnu en gang",
		"no": "Nok en gang", "fr": "Encore une fois", "es": "De nuevo", "it": "Ancora una volta", "pl": "Raz jeszcze",
	}
)

func draftsOf(req Request, n int) []review.Draft {
	out := make([]review.Draft, n)
	for v := range n {
		req.Variant = v
		out[v] = Compose(req)
	}
	return out
}

// TestVisitService: a Google review of a wait in a restaurant or hotel is
// named as a wait during the visit, never as unanswered messages, and the
// private message asks for the visit's date instead of an order number.
// An online order whose e-mails went unanswered keeps the order number.
func TestVisitService(t *testing.T) {
	visits := []struct{ lang, text string }{
		{"de", "Eine Stunde haben wir auf den Tisch gewartet, und der Kellner hat uns ignoriert."},
		{"de", "Wir mussten ewig auf das Frühstück warten."},
		{"en", "We waited forty minutes for our food and the waitress ignored us the whole time."},
		{"en", "Had to wait at the hotel reception for ages before check-in."},
		{"nl", "We hebben een uur op ons eten gewacht en de ober heeft ons genegeerd."},
		{"sv", "Vi väntade en timme på maten och servitören ignorerade oss."},
		{"da", "Vi ventede en time på maden, og tjeneren ignorerede os."},
		{"no", "Vi ventet en time på maten, og servitøren ignorerte oss."},
		{"fr", "Nous avons attendu une heure notre repas et le serveur nous a ignorés."},
		{"es", "Esperamos una hora la comida y el camarero nos ignoró por completo."},
		{"it", "Abbiamo aspettato un'ora il cibo e il cameriere ci ha ignorato."},
		{"pl", "Czekaliśmy godzinę na jedzenie, a kelner nas ignorował."},
	}
	for _, c := range visits {
		t.Run(c.lang+" visit", func(t *testing.T) {
			req := Request{
				Review:   review.Review{Platform: review.Google, ID: "v-" + c.lang, Author: ptr("Mara"), Rating: ptr(1), Text: c.text},
				Analysis: review.Analysis{Lang: c.lang, Kind: review.Complaint, Topics: []review.Topic{review.Service}},
			}
			for v, d := range draftsOf(req, 4) {
				apology := strings.SplitN(d.Reply, "\n\n", 3)[1]
				if !containsAnyFold(d.Reply, waitWords[c.lang]) {
					t.Errorf("variant %d names no wait:\n%s", v, d.Reply)
				}
				if first, _, _ := strings.Cut(apology, "."); containsAnyFold(first, messageWords[c.lang]) {
					t.Errorf("variant %d words a wait at the table as unanswered messages: %q", v, first)
				}
				if containsAnyFold(d.PrivateMessage, orderNumberWords[c.lang]) {
					t.Errorf("variant %d asks a guest for an order number:\n%s", v, d.PrivateMessage)
				}
			}
		})
	}
	orders := []struct{ lang, text string }{
		{"de", "Meine Bestellung ist da, aber auf meine E-Mails antwortet niemand."},
		{"en", "My order came, but nobody answers my e-mails."},
		{"nl", "Mijn bestelling is binnen, maar niemand reageert op mijn mails."},
		{"sv", "Beställningen kom, men ingen svarar på mina mejl."},
		{"da", "Min ordre kom, men ingen svarer på mine mails."},
		{"no", "Bestillingen kom, men ingen svarer på e-postene mine."},
		{"fr", "Ma commande est arrivée, mais personne ne répond à mes e-mails."},
		{"es", "Mi pedido llegó, pero nadie contesta a mis correos."},
		{"it", "Il mio ordine è arrivato, ma nessuno risponde alle mie e-mail."},
		{"pl", "Zamówienie dotarło, ale nikt nie odpowiada na moje maile."},
	}
	for _, c := range orders {
		t.Run(c.lang+" order", func(t *testing.T) {
			req := Request{
				Review:   review.Review{Platform: review.Google, ID: "o-" + c.lang, Rating: ptr(2), Text: c.text},
				Analysis: review.Analysis{Lang: c.lang, Kind: review.Complaint, Topics: []review.Topic{review.Service}},
			}
			for v, d := range draftsOf(req, 3) {
				if !containsAnyFold(d.PrivateMessage, orderNumberWords[c.lang]) {
					t.Errorf("variant %d of an online order asks for no order number:\n%s", v, d.PrivateMessage)
				}
			}
		})
	}
}

// TestOnceAgain: the private message apologises "once again" only after a
// public reply that is posted first; on Etsy (solve privately first, or no
// reply above 3 stars) it apologises afresh, and a complaint without a
// named problem still apologises.
func TestOnceAgain(t *testing.T) {
	texts := map[string]string{
		"de": "Die Schüssel kam mit einem Sprung an.", "en": "The bowl arrived cracked.", "nl": "De schaal kwam gebarsten aan.",
		"sv": "Skålen kom sprucken.", "da": "Skålen kom revnet frem.", "no": "Bollen kom sprukket fram.",
		"fr": "Le bol est arrivé fêlé.", "es": "El cuenco llegó agrietado.", "it": "La ciotola è arrivata incrinata.",
		"pl": "Miska dotarła pęknięta.",
	}
	etsy := site.Policy{ReplyMaxRating: 3, ReplyLocksReview: true}
	for lang, text := range texts {
		t.Run(lang, func(t *testing.T) {
			base := Request{
				Review:   review.Review{Platform: review.Etsy, ID: "a-" + lang, Author: ptr("Lea"), Rating: ptr(2), Text: text},
				Analysis: review.Analysis{Lang: lang, Kind: review.Complaint, Topics: []review.Topic{review.Damaged}},
			}
			for name, pol := range map[string]site.Policy{"etsy locks": etsy, "etsy 5 stars": etsy, "google": {}} {
				req := base
				req.Policy = pol
				if name == "etsy 5 stars" {
					req.Review.Rating = ptr(5)
				}
				for v, d := range draftsOf(req, 4) {
					again := strings.Contains(d.PrivateMessage, againWords[lang])
					if want := name == "google"; again != want {
						t.Errorf("%s variant %d: says %q = %v, want %v:\n%s", name, v, againWords[lang], again, want, d.PrivateMessage)
					}
				}
			}
			// No topic found: the private message still apologises.
			req := base
			req.Policy = etsy
			req.Analysis.Topics = nil
			req.Review.Text = "Hmm."
			w, _ := newWriter(req)
			w.complaint()
			if r := roles(w.complaintPrivate()); r["apology"] == "" {
				t.Errorf("private message without a named problem has no apology")
			}
		})
	}
}

// TestHiddenReplyThanks: where the platform allows no public reply to a
// high rating, the private message thanks for it.
func TestHiddenReplyThanks(t *testing.T) {
	for _, lang := range Languages() {
		req := Request{
			Review:   review.Review{Platform: review.Etsy, ID: "h-" + lang, Rating: ptr(5), Text: "x"},
			Analysis: review.Analysis{Lang: lang, Kind: review.Complaint, Topics: []review.Topic{review.Delivery}},
			Policy:   site.Policy{ReplyMaxRating: 3, ReplyLocksReview: true},
		}
		w, _ := newWriter(req)
		w.complaint()
		if r := roles(w.complaintPrivate()); r["thanks"] == "" {
			t.Errorf("%s: 5-star private message without thanks", lang)
		}
		if d := Compose(req); d.Reply != "" {
			t.Errorf("%s: public reply above the platform's limit", lang)
		}
	}
}

// TestTwoProblems: the two strongest problems are named, and a refund is
// always among them.
func TestTwoProblems(t *testing.T) {
	texts := map[string]string{
		"de": "Zwei Wochen zu spät, falsche Größe, und das Geld für die Rücksendung habe ich bis heute nicht.",
		"en": "Two weeks late, the wrong size, and I still have not got my money back for the return.",
		"nl": "Twee weken te laat, verkeerde maat, en het geld voor de retour heb ik nog steeds niet.",
		"sv": "Två veckor sen, fel storlek, och pengarna för returen har jag fortfarande inte fått.",
		"da": "To uger forsinket, forkert størrelse, og pengene for returneringen har jeg stadig ikke fået.",
		"no": "To uker forsinket, feil størrelse, og pengene for returen har jeg fortsatt ikke fått.",
		"fr": "Deux semaines de retard, mauvaise taille, et toujours pas remboursé du retour.",
		"es": "Dos semanas tarde, talla equivocada y todavía no me han devuelto el dinero de la devolución.",
		"it": "Due settimane di ritardo, taglia sbagliata e il rimborso del reso non è ancora arrivato.",
		"pl": "Dwa tygodnie spóźnienia, zły rozmiar, a pieniędzy za zwrot nadal nie ma.",
	}
	for lang, text := range texts {
		b := books[lang]
		req := Request{
			Review: review.Review{Platform: review.Etsy, ID: "t-" + lang, Rating: ptr(1), Text: text},
			Analysis: review.Analysis{Lang: lang, Kind: review.Complaint,
				Topics: []review.Topic{review.Delivery, review.NotAsDescribed, review.Refund}},
		}
		for v := range 4 {
			req.Variant = v
			w, _ := newWriter(req)
			p := w.problem()
			refund := false
			for _, a := range b.Topics["refund"].alternatives(w.tone) {
				refund = refund || strings.Contains(p, w.fill(a))
			}
			if !refund || !strings.Contains(p, strings.TrimSpace(w.say("and_that"))) {
				t.Errorf("%s variant %d: %q names not both the refund and a second problem", lang, v, p)
			}
		}
	}
}

// TestCalmRegister: an unhappy review gets the calm greeting and sign-off
// of its language in every variant and tone; a happy one may be cheerful.
func TestCalmRegister(t *testing.T) {
	for _, lang := range Languages() {
		b := books[lang]
		for _, tone := range []string{"formal", "informal"} {
			req := Request{
				Review:   review.Review{Platform: review.Google, ID: "c-" + lang, Author: ptr("Ola Berg"), Rating: ptr(1), Text: "x"},
				Analysis: review.Analysis{Lang: lang, Kind: review.Complaint, Topics: []review.Topic{review.Defect}},
				Settings: review.Settings{Tone: tone, ShopName: "Tonhaus"},
			}
			for v := range 5 {
				req.Variant = v
				w, _ := newWriter(req)
				g, c := w.greeting().text, w.closing().text
				calm := append(b.Slots["greet_name_calm"].alternatives(w.tone), b.Slots["greet_anon_calm"].alternatives(w.tone)...)
				if !matchesAny(g, calm, w) {
					t.Errorf("%s %s variant %d: greeting %q is not a calm one", lang, tone, v, g)
				}
				if first, _, _ := strings.Cut(c, "\n"); !matchesAny(first, b.Slots["closing_calm"].alternatives(w.tone), w) {
					t.Errorf("%s %s variant %d: sign-off %q is not a calm one", lang, tone, v, first)
				}
			}
		}
	}
	for _, bad := range []struct{ lang, text string }{
		{"sv", "Hejsan"}, {"sv", "Ha det fint"}, {"no", "Beste hilsener"}, {"da", "{when} senest"}, {"no", "{when} senest"},
	} {
		for _, tone := range []string{"formal", "informal"} {
			req := Request{
				Review:   review.Review{ID: "r", Author: ptr("Anders"), Rating: ptr(1), Text: "x"},
				Analysis: review.Analysis{Lang: bad.lang, Kind: review.Complaint, Topics: []review.Topic{review.Refund}},
				Settings: review.Settings{Tone: tone},
			}
			for v, d := range draftsOf(req, 6) {
				if strings.Contains(d.Reply+d.PrivateMessage+d.CheckBack, bad.text) {
					t.Errorf("%s %s variant %d says %q", bad.lang, tone, v, bad.text)
				}
			}
		}
		if bad.lang != "sv" {
			for _, t2 := range books[bad.lang].Slots {
				for _, alts := range t2 {
					for _, a := range alts {
						if strings.Contains(a, bad.text) {
							t.Errorf("%s wording %q", bad.lang, a)
						}
					}
				}
			}
		}
	}
}

func matchesAny(s string, alts []string, w *writer) bool {
	for _, a := range alts {
		if s == w.fill(a) || strings.TrimRight(s, ",") == strings.TrimRight(w.fill(a), ",") {
			return true
		}
	}
	return false
}

// TestPolishOnePerson: one named reviewer is greeted by name and never
// addressed as "Państwo"; a family keeps the plural address with its name.
func TestPolishOnePerson(t *testing.T) {
	texts := []string{"Kubek dotarł stłuczony.", "Paczka szła trzy tygodnie, a potem lampa nie działała.", "Nikt nie odpowiada na moje wiadomości."}
	topics := [][]review.Topic{{review.Damaged}, {review.Delivery, review.Defect}, {review.Service}}
	for i, text := range texts {
		req := Request{
			Review:   review.Review{ID: "p", Author: ptr("Tomasz W."), Rating: ptr(1), Text: text},
			Analysis: review.Analysis{Lang: "pl", Kind: review.Complaint, Topics: topics[i]},
			Settings: review.Settings{Tone: "formal", Offers: review.Offers{Refund: true, Replacement: true}},
		}
		for v, d := range draftsOf(req, 4) {
			all := d.Reply + d.PrivateMessage + d.CheckBack
			if strings.Contains(all, "Państw") {
				t.Errorf("%q variant %d addresses one man as Państwo:\n%s\n%s", text, v, d.Reply, d.PrivateMessage)
			}
			if greeting := strings.SplitN(d.Reply, "\n", 2)[0]; !strings.Contains(greeting, "Tomasz") {
				t.Errorf("%q variant %d does not greet Tomasz by name: %q", text, v, greeting)
			}
		}
	}
	req := Request{
		Review:   review.Review{ID: "f", Author: ptr("Rodzina Nowak"), Rating: ptr(1), Text: texts[0]},
		Analysis: review.Analysis{Lang: "pl", Kind: review.Complaint, Topics: topics[0]},
	}
	if w, _ := newWriter(req); w.neutral {
		t.Errorf("a family is greeted as one person")
	}
}
