package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrRefused is returned when a URL points at an address the agent must not
// reach on the network's behalf (loopback, private, link-local, ...): a page
// URL typed by a user, or a redirect from a site, could otherwise make the
// agent probe the seller's router, other local services or a cloud metadata
// endpoint (SSRF).
var ErrRefused = errors.New("refused: address is local or private")

// Ranges that netip's predicates do not cover.
var extraBlocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. broadcast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID
	netip.MustParsePrefix("2002::/16"),       // 6to4 can embed any IPv4
	netip.MustParsePrefix("ff00::/8"),        // multicast (also caught below)
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("::/128"),          // unspecified (also caught below)
	netip.MustParsePrefix("::1/128"),         // loopback (also caught below)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// checkAddr says why an address must not be dialled, or returns nil.
// allowLoopback lets tests reach an httptest server on 127.0.0.1; it allows
// loopback and nothing else.
func checkAddr(a netip.Addr, allowLoopback bool) error {
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		// The well-known NAT64 prefix carries an IPv4 address in its last
		// 32 bits; judge that address.
		b := a.As16()
		a = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	why := ""
	switch {
	case !a.IsValid():
		why = "not an IP address"
	case a.IsLoopback():
		if allowLoopback {
			return nil
		}
		why = "loopback"
	case a.IsUnspecified():
		why = "unspecified"
	case a.IsPrivate():
		why = "private network"
	case a.IsLinkLocalUnicast():
		why = "link-local (cloud metadata lives here)"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		why = "multicast"
	default:
		for _, p := range extraBlocked {
			if p.Contains(a) {
				why = "reserved range " + p.String()
				break
			}
		}
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("%w: %s is %s", ErrRefused, a, why)
}

// dialControl runs after DNS resolution, on the very address about to be
// connected to, so a name that resolves to a local address, or that changes
// its answer between a check and the connect (DNS rebinding), is refused.
func dialControl(allowLoopback bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %q: %v", ErrRefused, address, err)
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%w: %q is not an IP address", ErrRefused, host)
		}
		return checkAddr(a, allowLoopback)
	}
}
