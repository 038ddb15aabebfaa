package all

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHTMLParserIsPatched stands in for govulncheck, whose database this
// machine cannot reach: every page the agent parses is hostile input, and
// golang.org/x/net/html had parser denial-of-service bugs fixed in v0.33.0 and
// v0.45.0 (shared notes, security item 8). The build must not go below that.
func TestHTMLParserIsPatched(t *testing.T) {
	// go.mod lists the selected version of every module in the build
	// (module graph pruning, Go 1.17+); test binaries carry no build info.
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "golang.org/x/net" {
			if !atLeast(f[1], 0, 45) {
				t.Fatalf("golang.org/x/net %s: want v0.45.0 or newer (HTML parser DoS fixes)", f[1])
			}
			return
		}
	}
	t.Fatal("golang.org/x/net is not in go.mod: where does the HTML parser come from?")
}

// atLeast compares a vMAJOR.MINOR.PATCH version with major.minor.
func atLeast(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}
