// Package scrapertest holds the helpers every scraper's tests share: golden
// files rewritten by -update, a locator for the team's shared fixtures, and
// Fixtures, the checks each platform runs over its saved pages (golden
// results, typed errors, fragments read by the profile's IDRule, fuzz seeds).
package scrapertest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Golden compares v, as indented JSON, with the file at path; with -update it
// rewrites the file instead. Review the diff of a rewritten golden file.
func Golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the parsed result (run with -update and review the diff)\ngot:\n%s", path, got)
	}
}

// SharedFixture returns the path of a file in the team's fixtures folder
// (../shared/fixtures beside the checkout), or skips the test with a message
// when it is absent: a user's fresh clone has no such folder.
func SharedFixture(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "fixtures")
	if dir := os.Getenv("CALMREPLY_FIXTURES"); dir != "" {
		root = dir
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared fixture %s not found (the team folder ../shared/fixtures is not beside this checkout): %v", rel, err)
	}
	return p
}
