package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Row is one line of the table: a figure, the floor it is compared with,
// their ratio and the target for that ratio.
type Row struct {
	What  string
	Value string
	Floor string
	// Ratio is value/floor; NaN when the row has no floor.
	Ratio float64
	// Max and Min bound the ratio (0 = no bound); both 0: no target.
	Max, Min float64
	// Note replaces the target column's text when set.
	Note string
}

// Target words the bound.
func (r Row) Target() string {
	switch {
	case r.Note != "":
		return r.Note
	case r.Max > 0:
		return "<= " + num(r.Max) + "x"
	case r.Min > 0:
		return ">= " + num(r.Min) + "x"
	}
	return "-"
}

// OK is "ok", "NO" or "-" (no target, or not measured).
func (r Row) OK() string {
	if math.IsNaN(r.Ratio) || (r.Max == 0 && r.Min == 0) {
		return "-"
	}
	if (r.Max > 0 && r.Ratio > r.Max) || (r.Min > 0 && r.Ratio < r.Min) {
		return "NO"
	}
	return "ok"
}

func (r Row) ratio() string {
	if math.IsNaN(r.Ratio) {
		return "-"
	}
	return num(r.Ratio) + "x"
}

// num prints a figure with 3 significant digits, thousands grouped.
func num(v float64) string {
	if v == 0 {
		return "0"
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if digits < 0 {
		digits = 0
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func ms(ns float64) string { return num(ns/1e6) + " ms" }

const notRun = "not measured"

// Rows builds the table from the benchmark results and the browser figures
// (nil when the browser run was skipped). A figure that is absent gives a
// row saying so, so a missing benchmark cannot pass silently.
func Rows(r Results, br *Browser) []Row {
	var rows []Row
	add := func(row Row) { rows = append(rows, row) }
	missing := func(what, target string) Row {
		return Row{What: what, Value: notRun, Floor: "-", Ratio: math.NaN(), Note: target}
	}

	// Per-page cost against goquery's bare parse of the same page.
	if v, ok := r.Get("pipeline.AnalyzePage100", "ns/op"); ok {
		f, fok := r.Get("pipeline.BareParse100", "ns/op")
		row := Row{What: "parse+analyze+draft, 100-review page", Value: ms(v), Floor: notRun, Ratio: math.NaN(), Max: 3}
		if fok {
			row.Floor, row.Ratio = "bare goquery parse "+ms(f), v/f
		}
		add(row)
	} else {
		add(missing("parse+analyze+draft, 100-review page", "<= 3x"))
	}

	// absolute compares a figure with a fixed floor (the target itself).
	absolute := func(what, bench, unit, shown string, floor float64, floorText string, min, max float64, note string) {
		v, ok := r.Get(bench, unit)
		if !ok {
			add(missing(what, note))
			return
		}
		row := Row{What: what, Value: num(v) + " " + shown, Floor: floorText, Ratio: math.NaN(), Min: min, Max: max, Note: note}
		if floor > 0 {
			row.Ratio = v / floor
		}
		add(row)
	}
	absolute("classify throughput, one core", "classify.Classify", "reviews/s", "reviews/s", 20000, "target 20,000/s", 1, 0, ">= 20,000/s")
	absolute("draft throughput, one core", "reply.Compose", "drafts/s", "drafts/s", 0, "-", 0, 0, "")
	if v, ok := r.Get("server.WSRoundTrip", "ns/op"); ok {
		add(Row{What: "WebSocket round trip, analyze_page of 1 review", Value: ms(v), Floor: "-", Ratio: math.NaN()})
	} else {
		add(missing("WebSocket round trip, analyze_page of 1 review", "-"))
	}

	// The real agent process (agent/blackbox BenchmarkAgentFootprint).
	const fp = "blackbox.AgentFootprint"
	n, _ := r.Get(fp, "reviews")
	stored := fmt.Sprintf("%s reviews", num(n))
	absolute("agent RSS, all languages loaded", fp, "rss-loaded-MB", "MB", 60, "target 60 MB", 0, 1, "<= 60 MB")
	if v, ok := r.Get(fp, "rss-stored-MB"); ok {
		anon, _ := r.Get(fp, "rss-stored-anon-MB")
		file, _ := r.Get(fp, "rss-stored-file-MB")
		add(Row{What: "agent RSS right after storing " + stored, Value: fmt.Sprintf("%s MB (heap %s MB, files %s MB)", num(v), num(anon), num(file)),
			Floor: "-", Ratio: math.NaN()})
	}
	if v, ok := r.Get(fp, "rss-idle-MB"); ok {
		f, _ := r.Get(fp, "rss-loaded-MB")
		anon, _ := r.Get(fp, "rss-idle-anon-MB")
		add(Row{What: "agent RSS 15 s after storing " + stored, Value: fmt.Sprintf("%s MB (heap %s MB)", num(v), num(anon)),
			Floor: "RSS loaded " + num(f) + " MB", Ratio: v / f, Max: 1.5, Note: "flat: <= 1.5x"})
	} else {
		add(missing("agent RSS after storing reviews", "flat: <= 1.5x"))
	}
	if v, ok := r.Get(fp, "rss-restart-MB"); ok {
		f, _ := r.Get(fp, "rss-loaded-MB")
		add(Row{What: "agent RSS, restarted on " + stored, Value: num(v) + " MB", Floor: "RSS loaded, empty store " + num(f) + " MB", Ratio: v / f})
	}
	// Start-up: no ratio target (tens of milliseconds are noise), but a
	// seller should not wait a second for the agent.
	if v, ok := r.Get(fp, "start-full-ms"); ok {
		f, _ := r.Get(fp, "start-empty-ms")
		add(Row{What: fmt.Sprintf("agent start-up with %s (empty store: %s ms)", stored, num(f)), Value: num(v) + " ms",
			Floor: "target 1,000 ms", Ratio: v / 1000, Max: 1, Note: "< 1 s"})
	} else {
		add(missing("agent start-up with reviews stored", "< 1 s"))
	}
	if v, ok := r.Get(fp, "ingest-reviews/s"); ok {
		add(Row{What: "storing through the WebSocket, 100-review pages, 2 clients", Value: num(v) + " reviews/s", Floor: "-", Ratio: math.NaN()})
	}

	// Monitoring.
	absolute("monitor cycle, 1,000 sources answering 304", "monitor.PollCycle304", "cpu-s/cycle", "CPU-s", 1, "target 1 CPU-s", 0, 1, "< 1 CPU-s")
	if v, ok := r.Get("monitor.MemoryReviews", "heap-MB@10k"); ok {
		f, _ := r.Get("monitor.MemoryReviews", "heap-MB@1k")
		add(Row{What: "monitor heap at 10,000 stored reviews", Value: num(v) + " MB", Floor: "at 1,000: " + num(f) + " MB", Ratio: v / f, Max: 2, Note: "flat: <= 2x"})
	}

	// Browser (scripts/e2e/perf.mjs).
	if br == nil {
		add(missing("content script start -> last badge, 100 reviews (p95)", "p95 <= 50 ms"))
		return rows
	}
	sizes := make([]string, 0, len(br.Sizes))
	for s := range br.Sizes {
		sizes = append(sizes, s)
	}
	sort.Slice(sizes, func(i, j int) bool {
		a, _ := strconv.Atoi(sizes[i])
		b, _ := strconv.Atoi(sizes[j])
		return a < b
	})
	from := "content script start"
	if br.Start != "mark" {
		from = "DOMContentLoaded" // the content script runs after it: an upper bound
	}
	for _, s := range sizes {
		t := br.Sizes[s]
		row := Row{What: fmt.Sprintf("%s -> last badge, %s reviews (%d runs)", from, s, br.Runs),
			Value: fmt.Sprintf("p50 %s ms, p95 %s ms", num(t.P50), num(t.P95)), Floor: "-", Ratio: math.NaN()}
		if s == "100" {
			row.Floor, row.Ratio, row.Max, row.Note = "target p95 50 ms", t.P95/50, 1, "p95 <= 50 ms"
		}
		add(row)
		add(Row{What: fmt.Sprintf("content script main-thread time, %s reviews", s), Value: num(t.MainThread) + " ms", Floor: "-", Ratio: math.NaN()})
	}
	return rows
}

// Write prints the table.
func Write(w io.Writer, header string, rows []Row) error {
	if header != "" {
		if _, err := fmt.Fprintln(w, header); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measured\tvalue\tfloor\tratio\ttarget\tok")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.What, r.Value, r.Floor, r.ratio(), r.Target(), r.OK())
	}
	return tw.Flush()
}
