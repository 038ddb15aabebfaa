// Command benchreport prints calmreply's performance table: each figure,
// the floor it is compared with, their ratio and the target (issue 7). It
// reads `go test -bench` output and, when the browser run happened, the
// JSON that scripts/e2e/perf.mjs writes. scripts/bench runs everything and
// calls it.
//
//	go run ./scripts/benchreport -bench bench.out [-browser perf.json]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	benchFile := fs.String("bench", "", "go test -bench output (required)")
	browserFile := fs.String("browser", "", "scripts/e2e/perf.mjs JSON (optional)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *benchFile == "" {
		fmt.Fprintln(stderr, "benchreport: -bench FILE is required")
		return 2
	}
	f, err := os.Open(*benchFile)
	if err != nil {
		fmt.Fprintf(stderr, "benchreport: %v\n", err)
		return 1
	}
	defer f.Close()
	res, err := ParseBench(f)
	if err != nil {
		fmt.Fprintf(stderr, "benchreport: %s: %v\n", *benchFile, err)
		return 1
	}
	var br *Browser
	if *browserFile != "" {
		bf, err := os.Open(*browserFile)
		if err != nil {
			fmt.Fprintf(stderr, "benchreport: %v\n", err)
			return 1
		}
		defer bf.Close()
		if br, err = ParseBrowser(bf); err != nil {
			fmt.Fprintf(stderr, "benchreport: %s: %v\n", *browserFile, err)
			return 1
		}
	}
	if err := Write(stdout, machine(), Rows(res, br)); err != nil {
		fmt.Fprintf(stderr, "benchreport: %v\n", err)
		return 1
	}
	return 0
}

// machine says where the figures come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("calmreply bench, %s, %s, %d cores, %s/%s, %s",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}
