package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Results are benchmark metrics by "pkg.Name" (the last element of the
// package path and the benchmark's name without "Benchmark" and the -N
// GOMAXPROCS suffix), then by unit ("ns/op", "reviews/s", ...).
type Results map[string]map[string]float64

// Get returns one metric.
func (r Results) Get(bench, unit string) (float64, bool) {
	v, ok := r[bench][unit]
	return v, ok
}

// ParseBench reads `go test -bench` output: "pkg:" lines name the package
// of the benchmark lines after them. A benchmark run twice keeps its last
// figures.
func ParseBench(rd io.Reader) (Results, error) {
	res := Results{}
	pkg := ""
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = path.Base(strings.TrimSpace(p))
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // a benchmark's log line, not its result
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if pkg == "" {
			return nil, fmt.Errorf("line %d: benchmark %s before any pkg: line", n, name)
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %q is not a number", n, name, f[i])
			}
			m[f[i+1]] = v
		}
		res[pkg+"."+name] = m
	}
	return res, sc.Err()
}

// Browser is what scripts/e2e/perf.mjs writes: per page size, the time from
// the content script's start to the last badge drawn over several runs,
// and the content script's main-thread time.
type Browser struct {
	Runs int `json:"runs"`
	// Start is what the times count from: "mark" (the content script's
	// performance.mark) or "domcontentloaded" (an upper bound).
	Start string                  `json:"start"`
	Sizes map[string]BrowserTimes `json:"sizes"` // "10", "100", "500"
}

// BrowserTimes are milliseconds.
type BrowserTimes struct {
	P50        float64 `json:"p50_ms"`
	P95        float64 `json:"p95_ms"`
	MainThread float64 `json:"main_thread_ms"`
}

// ParseBrowser reads perf.mjs's JSON.
func ParseBrowser(rd io.Reader) (*Browser, error) {
	var b Browser
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("browser figures: %w", err)
	}
	if len(b.Sizes) == 0 {
		return nil, fmt.Errorf("browser figures: no sizes")
	}
	return &b, nil
}
