package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the agent binary: tests start it as
// a child process with CALMREPLY_TEST_AGENT=1 and real arguments.
func TestMain(m *testing.M) {
	if os.Getenv("CALMREPLY_TEST_AGENT") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type child struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	lines  chan string
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CALMREPLY_TEST_AGENT=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &bytes.Buffer{}, lines: make(chan string, 16)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return c
}

func (c *child) line(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			c.cmd.Wait()
			t.Fatalf("agent exited without printing: %s", c.stderr.String())
		}
		return l
	case <-time.After(20 * time.Second):
		t.Fatalf("agent printed nothing; stderr: %s", c.stderr.String())
	}
	return ""
}

// runChild runs the agent to completion and returns its exit code and stderr.
func runChild(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CALMREPLY_TEST_AGENT=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	cmd.Stdout = io.Discard
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("agent %v did not exit; stderr: %s", args, errb.String())
	}
	return cmd.ProcessState.ExitCode(), errb.String()
}

var startLine = regexp.MustCompile(`^calmreply agent on ws://(127\.0\.0\.1:\d+)/ws \(data: (.+)\) — pairing code: ([2-9A-Z]{3}-[2-9A-Z]{3}) \(valid 10 min; type it into the extension popup\)$`)

func TestServeSingleInstance(t *testing.T) {
	dir := t.TempDir()
	codeFile := filepath.Join(t.TempDir(), "code")
	first := startChild(t, "serve", "--addr", "127.0.0.1:0", "--data", dir, "--pairing-code-file", codeFile)
	m := startLine.FindStringSubmatch(first.line(t))
	if m == nil {
		t.Fatalf("start line does not match the stable format")
	}
	addr := m[1]
	if b, err := os.ReadFile(codeFile); err != nil || strings.TrimSpace(string(b)) != m[3] {
		t.Errorf("code file = %q, %v; want %s", b, err, m[3])
	}
	if fi, err := os.Stat(filepath.Join(dir, "token")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v %v, want mode 0600", fi, err)
	}
	healthy := func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	if !healthy() {
		t.Fatal("first agent not healthy")
	}

	code, stderr := runChild(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	if code == 0 || !strings.Contains(stderr, "another calmreply agent is using") || !strings.Contains(stderr, "pid ") {
		t.Errorf("second agent on the same data: exit %d, stderr %q", code, stderr)
	}
	code, stderr = runChild(t, "serve", "--addr", addr, "--data", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "address in use") {
		t.Errorf("second agent on the same port: exit %d, stderr %q", code, stderr)
	}
	code, stderr = runChild(t, "serve", "--addr", "0.0.0.0:0", "--data", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "--allow-remote") {
		t.Errorf("non-loopback address: exit %d, stderr %q", code, stderr)
	}
	if !healthy() {
		t.Fatal("the first agent was disturbed by the second")
	}

	first.cmd.Process.Signal(syscall.SIGTERM)
	if err := first.cmd.Wait(); err != nil {
		t.Fatalf("agent after SIGTERM: %v; stderr %s", err, first.stderr.String())
	}
	// Closed cleanly: the store opens again at once.
	again := startChild(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	if startLine.FindStringSubmatch(again.line(t)) == nil {
		t.Fatal("restart did not print its start line")
	}
	again.cmd.Process.Signal(syscall.SIGINT)
	if err := again.cmd.Wait(); err != nil {
		t.Fatalf("agent after SIGINT: %v", err)
	}
}

func TestTokenRotate(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"token", "rotate", "--data", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	a, _ := os.ReadFile(filepath.Join(dir, "token"))
	run([]string{"token", "rotate", "--data", dir}, nil, &out, &errb)
	b, _ := os.ReadFile(filepath.Join(dir, "token"))
	if len(bytes.TrimSpace(a)) != 64 || bytes.Equal(a, b) {
		t.Errorf("tokens %q then %q: want two different 64-hex tokens", a, b)
	}
	if code := run([]string{"token"}, nil, &out, &errb); code != 2 {
		t.Errorf("token without rotate: exit %d, want 2", code)
	}
}

// TestServeBadDataDir runs serve in-process on data directories it cannot
// use. Tests run as root, so permissions do not bite; a path through a
// regular file (ENOTDIR) does, at each place the agent writes. Each must end
// at once with a message naming the path, never a panic or a running agent.
// (agent/blackbox covers read-only and full disks against the binary.)
func TestServeBadDataDir(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns --data
		want  []string
	}{
		{"data is a file", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "data")
			writeFile(t, f)
			return f
		}, []string{"cannot create the data directory", "not a directory"}},
		{"data under a file", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "file"))
			return filepath.Join(dir, "file", "calmreply")
		}, []string{"cannot create the data directory", "not a directory"}},
		{"store is a file", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "store"))
			return dir
		}, []string{"store", "not a directory"}},
		{"token is a directory", func(t *testing.T, dir string) string {
			if err := os.MkdirAll(filepath.Join(dir, "token", "x"), 0o700); err != nil {
				t.Fatal(err)
			}
			return dir
		}, []string{"pairing token in", "token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.setup(t, t.TempDir())
			var out, errb bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, nil, &out, &errb)
			}()
			var code int
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("serve --data %s is still running; stdout %q", data, out.String())
			}
			msg := errb.String()
			if code != 1 || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("serve --data %s: exit %d, stderr %q; want exit 1 and one line", data, code, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("serve --data %s: stderr %q does not mention %q", data, msg, w)
				}
			}
			if out.Len() != 0 {
				t.Errorf("serve --data %s printed a start line: %q", data, out.String())
			}
		})
	}
}

func writeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("in the way\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
