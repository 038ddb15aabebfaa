package classify

import (
	"sort"
	"strings"
)

// detector tells a review's language from word lists (function words and
// every word the lexicons know), letter sequences for unknown words, and the
// page's language as a prior that decides short or ambiguous text.
type detector struct {
	codes  []string            // languages, by slot
	slot   map[string]int      // code → slot
	words  map[string][]weight // folded word → evidence
	prefix map[string][]weight // folded stem (from "word*" phrases) → evidence
	grams  map[string][]weight // raw letter sequence, ^ and $ mark word edges
	gramN  []int               // gram lengths present
	stemN  []int               // stem lengths present, ascending
}

type weight struct {
	slot int
	w    float32
}

const (
	stopWeight       = 1.0
	lexWeight        = 1.0
	phraseWordWeight = 0.4
	gramWeight       = 0.35
	gramCap          = 0.8
	priorWeight      = 0.8
	weakEvidence     = 1.5 // below this total, an unknown page language wins
	minStemLength    = 4
)

func newDetector(langs map[string]*language) *detector {
	d := &detector{slot: map[string]int{}, words: map[string][]weight{},
		prefix: map[string][]weight{}, grams: map[string][]weight{}}
	for code := range langs {
		if code == commonLang {
			continue
		}
		d.codes = append(d.codes, code)
	}
	sort.Strings(d.codes)
	for i, c := range d.codes {
		d.slot[c] = i
	}
	// Collect each language's words once, then share a word's weight among
	// the languages that have it: "is" says less than "ist".
	type ev struct {
		w     float32
		langs map[int]bool
	}
	words, stems := map[string]*ev{}, map[string]*ev{}
	note := func(m map[string]*ev, k string, slot int, w float32) {
		e := m[k]
		if e == nil {
			e = &ev{w: w, langs: map[int]bool{}}
			m[k] = e
		}
		if w > e.w {
			e.w = w
		}
		e.langs[slot] = true
	}
	gramLens := map[int]bool{}
	for _, code := range d.codes {
		l, s := langs[code], d.slot[code]
		for _, w := range l.file.Stopwords {
			note(words, fold(strings.ToLower(w)), s, stopWeight)
		}
		for _, m := range []map[string][]*phrase{l.index.exact, l.index.prefix, l.index.suffix} {
			for _, ps := range m {
				for _, p := range ps {
					// A word that only occurs inside a longer phrase ("info"
					// in "info via") says less about the language.
					w := float32(lexWeight)
					if len(p.parts) > 1 {
						w = phraseWordWeight
					}
					for _, pt := range p.parts {
						switch {
						case pt.kind == partExact && len(pt.s) > 1:
							note(words, pt.s, s, w)
						case pt.kind == partPrefix && len(pt.s) >= minStemLength:
							note(stems, pt.s, s, w)
						}
					}
				}
			}
		}
		for g, w := range l.file.Grams {
			d.grams[g] = append(d.grams[g], weight{s, float32(w)})
			gramLens[len(g)] = true
		}
	}
	for k, e := range words {
		for s := range e.langs {
			d.words[k] = append(d.words[k], weight{s, e.w / float32(len(e.langs))})
		}
	}
	for k, e := range stems {
		for s := range e.langs {
			d.prefix[k] = append(d.prefix[k], weight{s, e.w / float32(len(e.langs))})
		}
	}
	stemLens := map[int]bool{}
	for k := range d.prefix {
		stemLens[len(k)] = true
	}
	for n := range stemLens {
		d.stemN = append(d.stemN, n)
	}
	sort.Ints(d.stemN)
	for n := range gramLens {
		d.gramN = append(d.gramN, n)
	}
	sort.Ints(d.gramN)
	return d
}

// detect returns the language code and the margin of its win.
func (d *detector) detect(toks []token, pageLang string) (string, float32) {
	score := make([]float32, len(d.codes))
	var total float32
	per := make([]float32, len(d.codes))
	var buf []byte
	for n := range toks {
		t := &toks[n]
		// A long review is decided well before its end: stop once one
		// language leads by a wide margin.
		if n >= 16 && n%8 == 0 && lead(score) > 6 {
			break
		}
		if ws, ok := d.words[t.key]; ok {
			t.known = true
			for _, w := range ws {
				score[w.slot] += w.w
				total += w.w
			}
			continue
		}
		known := false
		for j := len(d.stemN) - 1; j >= 0; j-- {
			n := d.stemN[j]
			if n >= len(t.key) {
				continue
			}
			if ws, ok := d.prefix[t.key[:n]]; ok {
				for _, w := range ws {
					score[w.slot] += w.w
					total += w.w
				}
				known = true
				break
			}
		}
		if known {
			continue
		}
		// An unknown word: letter sequences, with word edges marked.
		buf = append(buf[:0], '^')
		buf = append(buf, t.raw...)
		buf = append(buf, '$')
		clear(per)
		for _, n := range d.gramN {
			for i := 0; i+n <= len(buf); i++ {
				if ws, ok := d.grams[string(buf[i:i+n])]; ok {
					for _, w := range ws {
						per[w.slot] += w.w
					}
				}
			}
		}
		for s, v := range per {
			if v > gramCap {
				v = gramCap
			}
			score[s] += v * gramWeight
			total += v * gramWeight
		}
	}
	page := normalizeLang(pageLang)
	if s, ok := d.slot[page]; ok {
		score[s] += priorWeight
	} else if page != "" && total < weakEvidence {
		return page, 0
	} else if page == "" {
		// With no page to go by, a word several languages share ("Super",
		// "Perfekt") goes to a language the product's shops mostly use.
		for _, c := range coreLangs {
			if s, ok := d.slot[c]; ok && score[s] > 0 {
				score[s] += coreBias
			}
		}
	}
	best, second := -1, -1
	for s := range score {
		if best < 0 || score[s] > score[best] {
			best, second = s, best
		} else if second < 0 || score[s] > score[second] {
			second = s
		}
	}
	if best < 0 || score[best] == 0 {
		if page != "" {
			return page, 0
		}
		return "en", 0
	}
	margin := score[best]
	if second >= 0 {
		margin -= score[second]
	}
	return d.codes[best], margin
}

// coreLangs are the languages most reviews are written in; coreBias, far
// below any word's weight, only breaks a tie in their favour.
var coreLangs = []string{"de", "nl", "sv", "en"}

const coreBias = 0.001

// normalizeLang maps a page locale ("de-AT", "nb", "NO") to the ISO 639-1
// code the lexicons use.
func normalizeLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	switch s {
	case "nb", "nn":
		return "no"
	}
	return s
}

// lead is the best score's margin over the second best.
func lead(score []float32) float32 {
	var a, b float32
	for _, v := range score {
		switch {
		case v > a:
			a, b = v, a
		case v > b:
			b = v
		}
	}
	return a - b
}
