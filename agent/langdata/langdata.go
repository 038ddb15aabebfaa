// Package langdata reads knowledge kept as data, one JSON file per language
// (the classifier's lexicons, the composer's phrase books), so that adding a
// language or a phrase is a data change. Files are read strictly: an unknown
// field is a typo that would silently drop knowledge, and a file must be named
// for the language it states.
package langdata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Load decodes every dir/*.json in fsys into a new T and returns them by
// language; lang reads the language a decoded file states.
func Load[T any](fsys fs.FS, dir string, lang func(*T) string) (map[string]*T, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*T, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		v := new(T)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, fmt.Errorf("%s: data after the JSON object", name)
		}
		want := strings.TrimSuffix(path.Base(name), ".json")
		if got := lang(v); got != want {
			return nil, fmt.Errorf("%s: states language %q, want %q", name, got, want)
		}
		out[want] = v
	}
	return out, nil
}
