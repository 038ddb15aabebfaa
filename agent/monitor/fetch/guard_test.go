package fetch

import (
	"errors"
	"net/netip"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr          string
		allowLoopback bool
		refused       bool
	}{
		{"127.0.0.1", false, true},
		{"127.8.9.10", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true}, // IPv4-mapped loopback
		{"127.0.0.1", true, false},
		{"::1", true, false},
		{"10.0.0.1", true, true}, // the test option allows loopback only
		{"10.1.2.3", false, true},
		{"172.16.0.1", false, true},
		{"172.31.255.255", false, true},
		{"192.168.1.1", false, true},
		{"169.254.169.254", false, true}, // cloud metadata
		{"fe80::1", false, true},
		{"fc00::1", false, true},
		{"fd12:3456::1", false, true},
		{"0.0.0.0", false, true},
		{"::", false, true},
		{"224.0.0.1", false, true},
		{"ff02::1", false, true},
		{"100.64.0.1", false, true}, // CGNAT
		{"100.127.255.254", false, true},
		{"255.255.255.255", false, true},
		{"64:ff9b::7f00:1", false, true}, // NAT64 wrapping 127.0.0.1
		{"2002:7f00:1::", false, true},   // 6to4 wrapping 127.0.0.1
		{"93.184.215.14", false, false},
		{"172.32.0.1", false, false},
		{"100.128.0.1", false, false},
		{"2a00:1450:4001:80b::200e", false, false},
		{"64:ff9b::5db8:d70e", false, false}, // NAT64 wrapping a public address
	}
	for _, tt := range tests {
		err := checkAddr(netip.MustParseAddr(tt.addr), tt.allowLoopback)
		if got := errors.Is(err, ErrRefused); got != tt.refused {
			t.Errorf("checkAddr(%s, allowLoopback=%v) = %v, want refused=%v", tt.addr, tt.allowLoopback, err, tt.refused)
		}
	}
}
