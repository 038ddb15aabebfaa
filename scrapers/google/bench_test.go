package google

import (
	"bytes"
	"os"
	"testing"

	"github.com/calmreply/calmreply/scrapers"
)

func benchFile(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := New().Parse(scrapers.Page{Body: body, Seen: seen}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMapsPlace(b *testing.B) {
	body, err := os.ReadFile("testdata/maps_place_de.html")
	if err != nil {
		b.Fatal(err)
	}
	benchFile(b, body)
}

// BenchmarkParseManyCards: a Maps panel scrolled far (500 cards).
func BenchmarkParseManyCards(b *testing.B) {
	body, err := os.ReadFile("testdata/maps_card_fragment_nl.html")
	if err != nil {
		b.Fatal(err)
	}
	var page bytes.Buffer
	page.WriteString("<html><body>")
	for i := range 500 {
		page.Write(bytes.ReplaceAll(body, []byte("ChZDSUhNMG9nS0VJQ0FnSURubDA2EAE"), []byte("ChZDSUhNMG9nS0VJQ0FnSURubDA2"+string(rune('A'+i%26))+string(rune('A'+i/26)))))
	}
	page.WriteString("</body></html>")
	benchFile(b, page.Bytes())
}
