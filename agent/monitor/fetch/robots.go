package fetch

import (
	"bufio"
	"bytes"
	"strings"
)

// robots is a parsed robots.txt (RFC 9309), reduced to the rules for one
// product token. The zero value allows everything.
type robots struct {
	rules []rule
	// disallowAll stands for a robots.txt that could not be fetched because
	// the server failed: RFC 9309 says to assume complete disallow.
	disallowAll bool
}

type rule struct {
	allow   bool
	pattern string
}

// parseRobots keeps the groups addressed to token (case-insensitive), or the
// "*" groups when none names it. Unknown lines are ignored, as the RFC asks.
func parseRobots(body []byte, token string) robots {
	token = strings.ToLower(token)
	type group struct {
		agents []string
		rules  []rule
	}
	var groups []*group
	var cur *group
	lastWasAgent := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxRobotsBytes)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if !lastWasAgent || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(val))
			lastWasAgent = true
		case "allow", "disallow":
			lastWasAgent = false
			if cur == nil || val == "" {
				continue // rules before any user-agent, or "Disallow:" (allow all)
			}
			cur.rules = append(cur.rules, rule{allow: key == "allow", pattern: val})
		default:
			// sitemap, crawl-delay and the like end nothing and start nothing.
		}
	}
	var mine, star []rule
	named := false
	for _, g := range groups {
		for _, a := range g.agents {
			switch {
			case a == token:
				named = true
				mine = append(mine, g.rules...)
			case a == "*":
				star = append(star, g.rules...)
			}
		}
	}
	if named {
		return robots{rules: mine}
	}
	return robots{rules: star}
}

// allowed applies the most specific (longest) matching rule; on a tie Allow
// wins. path is the URL's escaped path plus "?query" if any.
func (r robots) allowed(path string) bool {
	if path == "/robots.txt" {
		return true
	}
	if r.disallowAll {
		return false
	}
	best, allow := -1, true
	for _, ru := range r.rules {
		if !match(ru.pattern, path) {
			continue
		}
		n := len(ru.pattern)
		if n > best || (n == best && ru.allow) {
			best, allow = n, ru.allow
		}
	}
	return allow
}

// match reports whether a robots pattern matches the start of path: "*"
// matches any run of characters, a final "$" anchors at the end.
func match(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	// Iterative wildcard matching with one backtrack point (the last "*"),
	// linear enough for the short patterns robots files hold.
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(path) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == path[s]:
			p++
			s++
		case p == len(pattern) && !anchored:
			return true // prefix matched; the rest of the path is free
		case star >= 0:
			mark++
			p, s = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
