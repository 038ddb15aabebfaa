package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
)

// PinnedExtensionID is the Chromium extension id that extension/manifest.json's
// "key" pins. The agent also reads the manifest at start when it can find it,
// and --extension-id adds more.
const PinnedExtensionID = "ibggbgjdiobedfnopdpeknhhjdmakkok"

// ExtensionID computes a Chromium extension id from a manifest "key" (base64
// DER public key): the first 32 hex digits of its SHA-256, written with the
// letters a-p for 0-f.
func ExtensionID(key string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return "", fmt.Errorf("manifest key is not base64: %w", err)
	}
	sum := sha256.Sum256(der)
	h := hex.EncodeToString(sum[:])[:32]
	id := make([]byte, len(h))
	for i := range h {
		v := h[i] - '0'
		if h[i] >= 'a' {
			v = h[i] - 'a' + 10
		}
		id[i] = 'a' + v
	}
	return string(id), nil
}

// ManifestExtensionID reads the id pinned by a manifest.json's "key".
func ManifestExtensionID(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var m struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if m.Key == "" {
		return "", fmt.Errorf("%s has no key", path)
	}
	return ExtensionID(m.Key)
}

var (
	chromeIDRe = regexp.MustCompile(`^[a-p]{32}$`)
	mozUUIDRe  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// originAllowed is a filter, not a credential: the pinned Chromium
// extension, any Firefox extension (its per-install UUID cannot be pinned)
// and no Origin at all pass here, and the token decides afterwards. Web
// pages and unknown Chromium extensions never pass.
func (s *Server) originAllowed(origin string) bool {
	switch {
	case origin == "":
		return true
	case strings.HasPrefix(origin, "chrome-extension://"):
		id := strings.TrimPrefix(origin, "chrome-extension://")
		return chromeIDRe.MatchString(id) && s.extIDs[id]
	case strings.HasPrefix(origin, "moz-extension://"):
		return mozUUIDRe.MatchString(strings.TrimPrefix(origin, "moz-extension://"))
	}
	return false
}

// hostAllowed checks the Host header against the exact names the agent is
// reached by: a DNS-rebound page sends its own name, which never matches.
func (s *Server) hostAllowed(host string) bool {
	return s.hosts[host]
}

// allowedHosts lists the Host values for a listening address.
func allowedHosts(addr net.Addr, extra ...string) map[string]bool {
	hosts := map[string]bool{}
	_, port, err := net.SplitHostPort(addr.String())
	if err != nil || port == "" || port == "0" {
		return hosts
	}
	for _, h := range []string{"127.0.0.1", "[::1]", "localhost"} {
		hosts[h+":"+port] = true
	}
	for _, h := range extra {
		hosts[net.JoinHostPort(h, port)] = true
	}
	return hosts
}

// setSecurityHeaders goes on every response, refusals included.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
}

// guard is the outermost handler: headers, then the Host allowlist and the
// request-target form, before any route is looked at.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		if !strings.HasPrefix(r.RequestURI, "/") || r.URL.IsAbs() {
			http.Error(w, "request target must be a path", http.StatusBadRequest)
			return
		}
		if !s.hostAllowed(r.Host) {
			http.Error(w, "host not allowed", http.StatusForbidden)
			return
		}
		// Nothing the agent serves takes a body; refuse big ones early.
		r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
		next.ServeHTTP(w, r)
	})
}

// IsLoopback reports whether a listen address stays on this machine.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
