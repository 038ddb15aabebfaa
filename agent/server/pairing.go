package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/calmreply/calmreply/shared/protocol"
)

// Pairing defaults: a code is short enough to type, valid for a few minutes
// and allows a handful of guesses; 31^6 codes at 5 guesses per 10 minutes
// keep guessing hopeless.
const (
	CodeTTL       = 10 * time.Minute
	CodeAttempts  = 5
	codeLen       = 6
	codeAlphabet  = "23456789ABCDEFGHJKMNPQRSTUVWXYZ" // no 0/O, 1/I/L
	tokenBytes    = 32                                // 256 bits
	tokenFileMode = 0o600
)

// Pairing hands out the one-time code the user types into the extension and
// trades it for the long-lived token kept in a 0600 file.
type Pairing struct {
	tokenPath string
	// OnCode is called (outside the lock) whenever a new code is made, so
	// the agent can print it.
	OnCode func(code string, expires time.Time)
	TTL    time.Duration
	now    func() time.Time

	mu       sync.Mutex
	code     string
	expires  time.Time
	attempts int
	spent    bool // used or locked: no more guesses until the next code
}

// NewPairing loads the token at tokenPath, creating it when absent.
func NewPairing(tokenPath string) (*Pairing, error) {
	p := &Pairing{tokenPath: tokenPath, TTL: CodeTTL, now: time.Now}
	if _, err := p.token(); errors.Is(err, os.ErrNotExist) {
		if _, err := RotateToken(tokenPath); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return p, nil
}

// RotateToken writes a fresh token to path, replacing the old one: every
// paired extension must pair again. A running agent reads the file on each
// authentication, so rotation takes effect at once.
func RotateToken(path string) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(tok+"\n"), tokenFileMode); err != nil {
		return "", fmt.Errorf("write token: %w", err)
	}
	if err := os.Chmod(tmp, tokenFileMode); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write token: %w", err)
	}
	return tok, nil
}

func (p *Pairing) token() (string, error) {
	b, err := os.ReadFile(p.tokenPath)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) != 2*tokenBytes {
		return "", fmt.Errorf("token file %s is damaged: run `agent token rotate` and pair again", p.tokenPath)
	}
	return tok, nil
}

// CheckToken reports whether tok is the current token, in constant time.
func (p *Pairing) CheckToken(tok string) bool {
	want, err := p.token()
	if err != nil || len(tok) != len(want) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1
}

// Code returns the current code, making a new one when there is none or the
// last one expired.
func (p *Pairing) Code() (string, time.Time) {
	p.mu.Lock()
	code, exp, fresh := p.ensureLocked()
	p.mu.Unlock()
	if fresh && p.OnCode != nil {
		p.OnCode(code, exp)
	}
	return code, exp
}

func (p *Pairing) ensureLocked() (string, time.Time, bool) {
	// A locked code stays (and stays locked) until it expires.
	if p.code != "" && p.now().Before(p.expires) {
		return p.code, p.expires, false
	}
	p.code = newCode()
	p.expires = p.now().Add(p.TTL)
	p.attempts, p.spent = 0, false
	return p.code, p.expires, true
}

func newCode() string {
	b := make([]byte, codeLen)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// normalizeCode accepts what people type: any case, spaces or a dash.
func normalizeCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// FormatCode shows a code as XXX-XXX.
func FormatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:3] + "-" + code[3:]
}

// Pair trades a code for the token. A wrong code counts one attempt; after
// CodeAttempts the code is locked until it expires and a new one is made.
// A used code is replaced at once so another browser can pair.
func (p *Pairing) Pair(code string) (string, error) {
	p.mu.Lock()
	var err error
	fresh := false
	switch {
	case p.code == "" || !p.now().Before(p.expires):
		err = protocol.Error{Code: protocol.CodePairingLocked, Message: "the pairing code expired; use the new code the agent printed"}
	case p.spent:
		err = protocol.Error{Code: protocol.CodePairingLocked, Message: "too many wrong codes; wait for the agent to print a new code"}
	case subtle.ConstantTimeCompare([]byte(normalizeCode(code)), []byte(p.code)) != 1:
		p.attempts++
		if p.attempts >= CodeAttempts {
			p.spent = true
			err = protocol.Error{Code: protocol.CodePairingLocked, Message: "too many wrong codes; wait for the agent to print a new code"}
		} else {
			err = protocol.Error{Code: protocol.CodeBadCode, Message: "that is not the code the agent printed"}
		}
	default:
		p.code = "" // one use only
		var newExp time.Time
		var newC string
		newC, newExp, fresh = p.ensureLocked()
		defer func() {
			if fresh && p.OnCode != nil {
				p.OnCode(newC, newExp)
			}
		}()
	}
	p.mu.Unlock()
	if err != nil {
		return "", err
	}
	return p.token()
}

// Expires is when the current code stops working.
func (p *Pairing) Expires() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.expires
}
