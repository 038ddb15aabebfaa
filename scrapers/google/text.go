package google

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// maxText caps one review's text; Google's own limit is far below.
const maxText = 20000

var (
	spaces    = regexp.MustCompile(`[ \t\r\n\f\x{00a0}\x{202f}\x{2009}]+`)
	manyLines = regexp.MustCompile(`\n{3,}`)
)

// blocks are elements that start a new line when rendered.
var blocks = map[string]bool{"div": true, "p": true, "li": true, "ul": true, "ol": true, "tr": true, "section": true, "article": true, "blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true}

// skipped elements never carry review text: controls, scripts, and the
// Search dialog's hidden per-aspect ratings ("Quartos: 5/5").
func skipped(n *html.Node) bool {
	switch n.Data {
	case "button", "script", "style", "noscript", "svg", "img", "template", "g-snackbar", "g-dropdown-menu":
		return true
	}
	for _, a := range n.Attr {
		if a.Key == "data-sq-below-review" || a.Key == "aria-hidden" && a.Val == "true" {
			return true
		}
	}
	return false
}

// textOf renders a selection's text as a reader sees it: source newlines
// are spaces, <br> and block elements are line breaks; nodes in skip are
// left out (a reply's heading row, say).
func textOf(sel *goquery.Selection, skip ...*html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > 200 || b.Len() > 4*maxText {
			return
		}
		for _, s := range skip {
			if n == s {
				return
			}
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(spaces.ReplaceAllString(n.Data, " "))
			return
		case html.ElementNode:
			if skipped(n) {
				return
			}
			if n.Data == "br" {
				b.WriteString("\n")
				return
			}
		}
		block := n.Type == html.ElementNode && blocks[n.Data]
		if block {
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
		if block {
			b.WriteString("\n")
		}
	}
	for _, n := range sel.Nodes {
		walk(n, 0)
	}
	return tidy(b.String())
}

// tidy trims every line, drops runs of blank lines and caps the length.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaces.ReplaceAllString(l, " "))
	}
	s = strings.TrimSpace(manyLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
	if len(s) > maxText {
		s = strings.ToValidUTF8(s[:maxText], "")
	}
	return s
}

// oneLine is tidy text without line breaks (names, dates, labels).
func oneLine(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}
