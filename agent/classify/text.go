package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a review. raw keeps the lowercase spelling (its
// diacritics are language evidence); key is the folded form lexicons match.
type token struct {
	raw    string
	key    string
	clause int  // tokens in different clauses never negate each other
	plain  bool // ASCII without ae/oe/ue/ss: "schon" is not "schön"
	known  bool // some language's word list has it: not a typo
	// accented: written with diacritics, so it may not match a lexicon
	// word spelled without them.
	accented bool
}

// text is a review cut into tokens plus the surface signals the rules use.
type text struct {
	src       string
	tokens    []token
	questions int // '?' count
	rhetoric  bool
	exclaims  int
	promo     bool // an upper-case code with digits, e.g. SAVE20
}

// tokenize lowercases and splits s into words. Emoji and other symbols
// become one-rune tokens so lexicons can name them; apostrophes split words,
// so English "doesn't" is "doesn" "t" in text and in lexicon phrases alike.
func tokenize(s string) text {
	t := text{src: s, tokens: make([]token, 0, len(s)/5+1)}
	clause := 0
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		if isPromo(w) {
			t.promo = true
		}
		low := strings.ToLower(w)
		t.tokens = append(t.tokens, token{raw: low, key: fold(low), clause: clause, plain: isPlain(low), accented: !isASCII(low)})
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if start < 0 {
				start = i
			}
		case unicode.Is(unicode.So, r):
			flush(i)
			t.tokens = append(t.tokens, token{raw: string(r), key: string(r), clause: clause})
		default:
			flush(i)
			switch r {
			case '?', '¿':
				t.questions++
				// "?!" and "??" are indignation more than asking.
				if r == '?' && (strings.HasPrefix(s[i+1:], "!") || strings.HasPrefix(s[i+1:], "?")) {
					t.rhetoric = true
				}
				clause++
			case '!', '¡':
				t.exclaims++
				clause++
			case '.', ',', ';', ':', '\n', '(', ')', '"', '“', '”', '–', '—':
				clause++
			}
		}
	}
	flush(len(s))
	return t
}

// isPromo reports an all-caps word that mixes letters and digits (SAVE20).
func isPromo(w string) bool {
	if len(w) < 5 || len(w) > 16 {
		return false
	}
	var letters, digits int
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			letters++
		case r >= '0' && r <= '9':
			digits++
		default:
			return false
		}
	}
	return letters >= 3 && digits >= 1
}

// fold maps a lowercase word to the form lexicons are keyed by: diacritics
// dropped, ß as ss, and the German umlaut spellings ae/oe/ue as plain
// vowels, so "Qualität", "qualitaet" and "qualitat" meet.
func fold(s string) string {
	if isASCII(s) {
		return foldUmlautSpelling(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if f, ok := foldRune[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return foldUmlautSpelling(b.String())
}

// foldUmlautSpelling turns ae, oe, ue into a, o, u; it allocates only
// when there is something to turn.
func foldUmlautSpelling(s string) string {
	i := 0
	for ; i+1 < len(s); i++ {
		if s[i+1] == 'e' && (s[i] == 'a' || s[i] == 'o' || s[i] == 'u') {
			break
		}
	}
	if i+1 >= len(s) {
		return s
	}
	out := make([]byte, 0, len(s))
	for j := 0; j < len(s); j++ {
		c := s[j]
		out = append(out, c)
		if (c == 'a' || c == 'o' || c == 'u') && j+1 < len(s) && s[j+1] == 'e' {
			j++
		}
	}
	return string(out)
}

var foldRune = map[rune]string{
	'ä': "a", 'à': "a", 'á': "a", 'â': "a", 'å': "a", 'ą': "a", 'ã': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ę': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ł': "l", 'ñ': "n", 'ń': "n",
	'ö': "o", 'ó': "o", 'ò': "o", 'ô': "o", 'ø': "o", 'õ': "o", 'œ': "oe",
	'ß': "ss", 'ś': "s", 'š': "s",
	'ü': "u", 'ú': "u", 'ù': "u", 'û': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isPlain reports a word written without diacritics or their German
// transliterations: such a word may not match a lexicon word spelled with
// them ("vanlig" is not "vänlig", "schon" is not "schön").
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false
		}
		if i+1 < len(s) && (s[i+1] == 'e' && (c == 'a' || c == 'o' || c == 'u') || c == 's' && s[i+1] == 's') {
			return false
		}
	}
	return true
}

// emoticons counts text smileys, which the tokenizer drops as punctuation.
func emoticons(s string) (happy, sad int) {
	for _, e := range []string{":)", ":-)", ":D", ";)", ";-)", "=)", ":]"} {
		happy += strings.Count(s, e)
	}
	for _, e := range []string{":(", ":-(", ":'(", ":/", ":-/", "=("} {
		sad += strings.Count(s, e)
	}
	return happy, sad
}
