package langdata

import (
	"strings"
	"testing"
	"testing/fstest"
)

type book struct {
	Lang  string `json:"lang"`
	Hello string `json:"hello"`
}

func TestLoad(t *testing.T) {
	lang := func(b *book) string { return b.Lang }
	good := fstest.MapFS{
		"p/de.json":   {Data: []byte(`{"lang":"de","hello":"Hallo"}`)},
		"p/sv.json":   {Data: []byte(`{"lang":"sv","hello":"Hej"}`)},
		"p/README.md": {Data: []byte("not data")},
	}
	got, err := Load(good, "p", lang)
	if err != nil || len(got) != 2 || got["sv"].Hello != "Hej" {
		t.Fatalf("Load(good) = %v, %v; want de and sv", got, err)
	}
	tests := []struct{ name, file, data, want string }{
		{"unknown field", "p/de.json", `{"lang":"de","helo":"Hallo"}`, "unknown field"},
		{"wrong language", "p/de.json", `{"lang":"nl"}`, `want "de"`},
		{"trailing data", "p/de.json", `{"lang":"de"} {}`, "after the JSON"},
		{"not json", "p/de.json", `lang: de`, "p/de.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{tt.file: {Data: []byte(tt.data)}}, "p", lang)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load(%s) error = %v, want one mentioning %q", tt.data, err, tt.want)
			}
		})
	}
}
