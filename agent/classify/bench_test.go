package classify

import (
	"runtime"
	"testing"

	"github.com/calmreply/calmreply/scrapers/scrapertest"
)

// BenchmarkClassify classifies the evaluation set round and round on one
// goroutine and reports reviews per second.
func BenchmarkClassify(b *testing.B) {
	c, err := New()
	if err != nil {
		b.Fatal(err)
	}
	cases := readEval(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Classify(cases[i%len(cases)].Input)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reviews/s")
}

// BenchmarkLoad measures loading every lexicon and the heap it keeps.
func BenchmarkLoad(b *testing.B) {
	var keep *Classifier
	for i := 0; i < b.N; i++ {
		c, err := New()
		if err != nil {
			b.Fatal(err)
		}
		keep = c
	}
	b.ReportMetric(float64(heapOf(b, func() any { c, _ := New(); return c }))/(1<<20), "heap-MiB")
	runtime.KeepAlive(keep)
}

// TestHeapAfterLoad reports the heap the loaded lexicons of all languages
// hold. It is a figure for the report, not a timing assertion; the bound is
// a tripwire against an accidental blow-up (the agent's budget is 60-80 MB).
func TestHeapAfterLoad(t *testing.T) {
	n := heapOf(t, func() any { c, err := New(); must(t, err); return c })
	t.Logf("heap held by a loaded Classifier (%d languages): %.2f MiB", len(mustNew(t).Languages()), float64(n)/(1<<20))
	if n > 20<<20 {
		t.Errorf("loaded lexicons hold %d bytes, want < 20 MiB", n)
	}
}

func heapOf(tb testing.TB, build func() any) uint64 {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func mustNew(tb testing.TB) *Classifier {
	c, err := New()
	must(tb, err)
	return c
}

// BenchmarkClassifyReal runs on the shared real datasets (longer texts than
// the evaluation set); it skips when they are absent.
func BenchmarkClassifyReal(b *testing.B) {
	c := mustNew(b)
	var ins []Input
	var bytes int
	for _, set := range realSets {
		path := scrapertest.SharedFixture(b, set.rel)
		for _, r := range set.read(b, path) {
			ins = append(ins, Input{Text: r.text, PageLang: r.lang})
			bytes += len(r.text)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Classify(ins[i%len(ins)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reviews/s")
	b.ReportMetric(float64(bytes)/float64(len(ins)), "avg-bytes")
}
