package reldate

// The words each language uses in review dates. Relative dates are read
// per language (a string must be made only of one language's words), so
// "an" is an article in English and a year in French without ambiguity.

type unit int

const (
	minute unit = iota + 1
	hour
	day
	week
	month
	year
)

type language struct {
	code    string
	markers []string // "ago", "vor", "il y a" (split into words) ...
	units   map[string]unit
	numbers map[string]int
}

func units(m map[unit][]string) map[string]unit {
	out := map[string]unit{}
	for u, words := range m {
		for _, w := range words {
			out[w] = u
		}
	}
	return out
}

func numbers(words ...string) map[string]int {
	// words[i] means i+1; an entry "a|an|one" gives several spellings.
	out := map[string]int{}
	for i, w := range words {
		start := 0
		for j := 0; j <= len(w); j++ {
			if j == len(w) || w[j] == '|' {
				out[w[start:j]] = i + 1
				start = j + 1
			}
		}
	}
	return out
}

var languages = []language{
	{
		code:    "en",
		markers: []string{"ago"},
		units: units(map[unit][]string{
			minute: {"second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins"},
			hour:   {"hour", "hours", "hr", "hrs"},
			day:    {"day", "days"},
			week:   {"week", "weeks"},
			month:  {"month", "months"},
			year:   {"year", "years"},
		}),
		numbers: numbers("a|an|one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
	},
	{
		code:    "de",
		markers: []string{"vor"},
		units: units(map[unit][]string{
			minute: {"sekunde", "sekunden", "minute", "minuten", "min"},
			hour:   {"stunde", "stunden", "std"},
			day:    {"tag", "tagen"},
			week:   {"woche", "wochen"},
			month:  {"monat", "monaten"},
			year:   {"jahr", "jahren"},
		}),
		numbers: numbers("ein|eine|einem|einer|einen", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"),
	},
	{
		code:    "nl",
		markers: []string{"geleden"},
		units: units(map[unit][]string{
			minute: {"seconde", "seconden", "minuut", "minuten", "min"},
			hour:   {"uur", "uren"},
			day:    {"dag", "dagen"},
			week:   {"week", "weken"},
			month:  {"maand", "maanden"},
			year:   {"jaar", "jaren"},
		}),
		numbers: numbers("een|één|eén", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"),
	},
	{
		code:    "sv",
		markers: []string{"för", "sedan"},
		units: units(map[unit][]string{
			minute: {"sekund", "sekunder", "minut", "minuter", "min"},
			hour:   {"timme", "timmar", "tim"},
			day:    {"dag", "dagar", "dygn"},
			week:   {"vecka", "veckor"},
			month:  {"månad", "månader"},
			year:   {"år"},
		}),
		numbers: numbers("en|ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv"),
	},
	{
		code:    "da",
		markers: []string{"for", "siden"},
		units: units(map[unit][]string{
			minute: {"sekund", "sekunder", "minut", "minutter", "min"},
			hour:   {"time", "timer"},
			day:    {"dag", "dage", "døgn"},
			week:   {"uge", "uger"},
			month:  {"måned", "måneder"},
			year:   {"år"},
		}),
		numbers: numbers("en|et", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve", "tolv"),
	},
	{
		code:    "no",
		markers: []string{"for", "siden"},
		units: units(map[unit][]string{
			minute: {"sekund", "sekunder", "minutt", "minutter", "min"},
			hour:   {"time", "timer"},
			day:    {"dag", "dager", "døgn"},
			week:   {"uke", "uker"},
			month:  {"måned", "måneder"},
			year:   {"år"},
		}),
		numbers: numbers("en|ei|et", "to", "tre", "fire", "fem", "seks", "sju|syv", "åtte", "ni", "ti", "elleve", "tolv"),
	},
	{
		code:    "fr",
		markers: []string{"il", "y", "a"},
		units: units(map[unit][]string{
			minute: {"seconde", "secondes", "minute", "minutes", "min"},
			hour:   {"heure", "heures", "h"},
			day:    {"jour", "jours"},
			week:   {"semaine", "semaines"},
			month:  {"mois"},
			year:   {"an", "ans", "année", "années"},
		}),
		numbers: numbers("un|une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"),
	},
	{
		code:    "es",
		markers: []string{"hace"},
		units: units(map[unit][]string{
			minute: {"segundo", "segundos", "minuto", "minutos", "min"},
			hour:   {"hora", "horas"},
			day:    {"día", "días", "dia", "dias"},
			week:   {"semana", "semanas"},
			month:  {"mes", "meses"},
			year:   {"año", "años"},
		}),
		numbers: numbers("un|una|uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"),
	},
	{
		code:    "it",
		markers: []string{"fa"},
		units: units(map[unit][]string{
			minute: {"secondo", "secondi", "minuto", "minuti", "min"},
			hour:   {"ora", "ore"},
			day:    {"giorno", "giorni"},
			week:   {"settimana", "settimane"},
			month:  {"mese", "mesi"},
			year:   {"anno", "anni"},
		}),
		numbers: numbers("un|uno|una", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci", "undici", "dodici"),
	},
	{
		code:    "pt",
		markers: []string{"há", "atrás", "ha", "atras"},
		units: units(map[unit][]string{
			minute: {"segundo", "segundos", "minuto", "minutos", "min"},
			hour:   {"hora", "horas"},
			day:    {"dia", "dias"},
			week:   {"semana", "semanas"},
			month:  {"mês", "mes", "meses"},
			year:   {"ano", "anos"},
		}),
		numbers: numbers("um|uma", "dois|duas", "três|tres", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze"),
	},
	{
		code:    "pl",
		markers: []string{"temu"},
		units: units(map[unit][]string{
			minute: {"sekundę", "sekundy", "sekund", "minutę", "minuty", "minut", "min"},
			hour:   {"godzinę", "godziny", "godzin", "godz"},
			day:    {"dzień", "dni"},
			week:   {"tydzień", "tygodnie", "tygodni"},
			month:  {"miesiąc", "miesiące", "miesięcy"},
			year:   {"rok", "lata", "lat"},
		}),
		numbers: numbers("jeden|jedna|jedną|jedno", "dwa|dwie", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć", "dziesięć", "jedenaście", "dwanaście"),
	},
}

// Whole phrases for "yesterday" (1) and "today / just now" (0), after
// filler words are removed and the rest joined by single spaces.
var dayWords = map[string]int{
	"yesterday": 1, "gestern": 1, "gisteren": 1, "igår": 1, "i går": 1, "hier": 1,
	"ayer": 1, "ieri": 1, "ontem": 1, "wczoraj": 1,

	"today": 0, "just now": 0, "now": 0, "moments ago": 0, "a moment ago": 0,
	"heute": 0, "gerade eben": 0, "soeben": 0, "gerade": 0,
	"vandaag": 0, "zojuist": 0, "zonet": 0, "net": 0, "zo net": 0,
	"idag": 0, "i dag": 0, "nyss": 0, "just nu": 0,
	"lige nu": 0, "akkurat nå": 0, "nå nettopp": 0, "nettopp": 0,
	"aujourd hui": 0, "à l instant": 0, "maintenant": 0,
	"hoy": 0, "ahora": 0, "ahora mismo": 0, "justo ahora": 0,
	"oggi": 0, "proprio ora": 0, "adesso": 0, "ora": 0,
	"hoje": 0, "agora": 0, "agora mesmo": 0,
	"dzisiaj": 0, "dziś": 0, "przed chwilą": 0, "teraz": 0,
}

// Words that may surround a date without changing it: "Edited",
// "Bearbeitet:", "(bewerkt)". "on Google" is removed as a pair elsewhere.
var fillers = map[string]bool{
	"edited": true, "updated": true, "bearbeitet": true, "aktualisiert": true, "geändert": true,
	"bewerkt": true, "bijgewerkt": true, "gewijzigd": true, "redigerad": true, "uppdaterad": true, "ändrad": true,
	"redigeret": true, "opdateret": true, "redigert": true, "oppdatert": true, "endret": true,
	"modifié": true, "modifiée": true, "modifie": true,
	"editado": true, "editada": true, "modificado": true, "modificada": true, "actualizado": true,
	"modificato": true, "modificata": true, "aggiornato": true, "aggiornata": true,
	"atualizado": true, "atualizada": true,
	"edytowano": true, "edytowana": true, "zaktualizowano": true, "zmieniono": true,
}

// Prepositions of the "… on Google" suffix newer layouts add.
var onWords = map[string]bool{
	"on": true, "auf": true, "op": true, "på": true, "sur": true, "en": true, "su": true,
	"no": true, "na": true, "w": true, "em": true, "in": true, "via": true,
}

// Month names and their common abbreviations in the product's languages
// (Polish in nominative and genitive). Every spelling names the same month
// in every language that uses it, so one table serves all.
var monthNames = map[string]int{}

func init() {
	lists := [][]string{
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
		{"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"},
		{"jänner", "feber", "maerz", "apr", "mai", "jun", "jul", "aug", "sept", "okt", "nov", "dez"},
		{"jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"},
		{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
		{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"},
		{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
		{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		{"janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"},
		{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "setiembre", "oct", "nov", "dic"},
		{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
		{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		{"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},
		{"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"},
		{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
	}
	for _, l := range lists {
		for i, name := range l {
			if prev, ok := monthNames[name]; ok && prev != i+1 {
				panic("reldate: month name " + name + " means two months")
			}
			monthNames[name] = i + 1
		}
	}
}
