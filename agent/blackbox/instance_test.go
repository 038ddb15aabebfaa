package blackbox

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A second agent must not start on the data dir or the port of a running
// one, must say why, and must leave the first one serving.
func TestSecondInstance(t *testing.T) {
	html := etsyFragment(t)
	data := t.TempDir()
	first := startAgent(t, data)
	c, _ := first.pair(t)
	c.usable(html, "7200000001")
	pid := fmt.Sprint(first.cmd.Process.Pid)

	tests := []struct {
		name string
		addr string
		data string
		want []string // all must appear in the refusal
	}{
		{"same data dir", freeAddr(t), data, []string{"another calmreply agent", data, "pid " + pid}},
		{"same port", first.Addr, t.TempDir(), []string{"address in use", first.Addr}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			second, err := launch(t, tt.addr, tt.data)
			if err == nil {
				t.Fatalf("a second agent started (%s):\n%s", second.Addr, second.out.String())
			}
			code, err := second.exitCode(10 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			out := second.out.String()
			if code == 0 {
				t.Errorf("second agent exited 0:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("refusal does not mention %q:\n%s", w, out)
				}
			}
			if strings.Count(strings.TrimSpace(out), "\n") > 2 {
				t.Errorf("refusal should be a short message, got:\n%s", out)
			}
			if !first.running() {
				t.Fatalf("the first agent died:\n%s", first.out.String())
			}
			c.usable(html, "7200000002")
		})
	}
}
