package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmreply/calmreply/scrapers/scrapertest"
)

func parseFile(t *testing.T, name string) Results {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseBench(f)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestParseBench(t *testing.T) {
	res := parseFile(t, "bench.txt")
	tests := []struct {
		bench, unit string
		want        float64
	}{
		{"pipeline.AnalyzePage100", "ns/op", 20935739},
		{"pipeline.BareParse100", "allocs/op", 29551},
		{"classify.Classify", "reviews/s", 65399}, // no -N suffix with -cpu 1
		{"reply.Compose", "drafts/s", 28391},
		{"monitor.PollCycle304", "cpu-s/cycle", 0.312},
		{"monitor.MemoryReviews", "heap-MB@1k", 14.2},
		{"blackbox.AgentFootprint", "rss-stored-file-MB", 35.6},
	}
	for _, tt := range tests {
		if got, ok := res.Get(tt.bench, tt.unit); !ok || got != tt.want {
			t.Errorf("%s %s = %v (%v), want %v", tt.bench, tt.unit, got, ok, tt.want)
		}
	}
	if len(res) != 7 {
		t.Errorf("%d benchmarks parsed, want 7: %v", len(res), res)
	}
}

func TestParseBenchErrors(t *testing.T) {
	for name, in := range map[string]string{
		"no package":  "BenchmarkX-2 10 5 ns/op\n",
		"not numbers": "pkg: a/b\nBenchmarkX-2 10 fast ns/op\n",
	} {
		if _, err := ParseBench(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ParseBrowser(strings.NewReader(`{"runs":20,"sizes":{"100":{"p95":3}}}`)); err == nil {
		t.Error("browser JSON with an unknown field: no error")
	}
}

// TestTable is the whole table for the sample figures; the golden file shows
// which rows pass.
func TestTable(t *testing.T) {
	res := parseFile(t, "bench.txt")
	f, err := os.Open(filepath.Join("testdata", "perf.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br, err := ParseBrowser(f)
	if err != nil {
		t.Fatal(err)
	}
	var cells [][6]string
	for _, r := range Rows(res, br) {
		cells = append(cells, [6]string{r.What, r.Value, r.Floor, r.ratio(), r.Target(), r.OK()})
	}
	scrapertest.Golden(t, filepath.Join("testdata", "table.golden.json"), cells)

	var buf bytes.Buffer
	if err := Write(&buf, "header", Rows(res, br)); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(cells)+2 {
		t.Errorf("%d lines printed for %d rows", lines, len(cells))
	}
}

// Missing figures show as "not measured", never as a pass.
func TestTableMissing(t *testing.T) {
	for _, r := range Rows(Results{}, nil) {
		if r.Value != notRun || r.OK() == "ok" {
			t.Errorf("empty results give row %+v", r)
		}
	}
}

func TestNum(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", 1234567: "1,234,567", 65399: "65,399", 20.935739: "20.9", 0.312: "0.312", 3.0: "3", 5.53: "5.53", -1500: "-1,500",
	} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
}
