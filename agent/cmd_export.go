package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/calmreply/calmreply/agent/store"
	"github.com/calmreply/calmreply/shared/review"
)

// Export format: JSON Lines, one object per line, each with a "kind":
//
//	{"kind":"header","format":"calmreply-export","version":1,"exported_at":"..."}
//	{"kind":"review", ...the fields of store.Record...}
//	{"kind":"source", ...the fields of store.Source...}
//	{"kind":"settings", ...the fields of review.Settings...}
//
// The header comes first; the other lines in any order. Import upserts by
// key (platform + review id, source URL), so importing twice changes nothing.
const (
	exportFormat  = "calmreply-export"
	exportVersion = 1
)

type exportHeader struct {
	Kind       string    `json:"kind"`
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at"`
}

type exportReview struct {
	Kind string `json:"kind"`
	store.Record
}

type exportSource struct {
	Kind string `json:"kind"`
	store.Source
}

type exportSettings struct {
	Kind string `json:"kind"`
	review.Settings
}

func init() {
	register("export", "write all reviews, sources and settings as JSON Lines (FILE or -)", runExport)
	register("import", "read an export back into the store (upsert, never duplicate)", runImport)
}

// openStoreForCLI opens the agent's store, explaining the lock.
func openStoreForCLI(cmd, data string, stderr io.Writer) (*store.Store, bool) {
	dir, err := dataDir(data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return nil, false
	}
	st, err := store.Open(filepath.Join(dir, "store"))
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(stderr, "%s: the calmreply agent is running on %s: stop the agent first (%v)\n", cmd, dir, err)
		return nil, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return nil, false
	}
	return st, true
}

func runExport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory (default as for serve)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 1 {
		fmt.Fprintln(stderr, "usage: agent export [--data DIR] [FILE|-]")
		return 2
	}
	target := "-"
	if len(pos) == 1 {
		target = pos[0]
	}
	st, ok := openStoreForCLI("export", *data, stderr)
	if !ok {
		return 1
	}
	defer st.Close()

	var out io.Writer = stdout
	var tmp *os.File
	if target != "-" {
		// Write beside the target and rename, so a failed export never
		// leaves half a backup under the real name. 0600: it is personal data.
		tmp, err = os.CreateTemp(filepath.Dir(target), ".calmreply-export-*")
		if err != nil {
			fmt.Fprintf(stderr, "export: %v\n", err)
			return 1
		}
		defer os.Remove(tmp.Name())
		out = tmp
	}
	bw := bufio.NewWriter(out)
	n, err := exportTo(st, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && tmp != nil {
		if err = tmp.Sync(); err == nil {
			err = tmp.Close()
		}
		if err == nil {
			err = os.Rename(tmp.Name(), target)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "export: %v\n", err)
		return 1
	}
	if target != "-" {
		fmt.Fprintf(stderr, "exported %d reviews to %s\n", n, target)
	}
	return 0
}

func exportTo(st *store.Store, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(exportHeader{Kind: "header", Format: exportFormat, Version: exportVersion, ExportedAt: time.Now().UTC()}); err != nil {
		return 0, err
	}
	n := 0
	var werr error
	err := st.List(func(r store.Record) bool {
		werr = enc.Encode(exportReview{Kind: "review", Record: r})
		n++
		return werr == nil
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return n, err
	}
	srcs, err := st.Sources()
	if err != nil {
		return n, err
	}
	for _, s := range srcs {
		if err := enc.Encode(exportSource{Kind: "source", Source: s}); err != nil {
			return n, err
		}
	}
	set, err := st.Settings()
	if err != nil {
		return n, err
	}
	return n, enc.Encode(exportSettings{Kind: "settings", Settings: set})
}

func runImport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory (default as for serve)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: agent import [--data DIR] FILE|-")
		return 2
	}
	var in io.Reader = stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintf(stderr, "import: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	st, ok := openStoreForCLI("import", *data, stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	counts, err := importFrom(st, in)
	if err != nil {
		fmt.Fprintf(stderr, "import: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "imported %d reviews, %d sources, settings %v\n", counts.reviews, counts.sources, counts.settings)
	return 0
}

type importCounts struct {
	reviews, sources int
	settings         bool
}

// maxImportLine bounds one line: a record is a few KB.
const maxImportLine = 16 << 20

func importFrom(st *store.Store, r io.Reader) (importCounts, error) {
	var c importCounts
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	var batch []store.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.Put(batch)
		c.reviews += len(batch)
		batch = batch[:0]
		return err
	}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var head struct {
			Kind    string `json:"kind"`
			Format  string `json:"format"`
			Version int    `json:"version"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return c, fmt.Errorf("line %d: %v", line, err)
		}
		if line == 1 && (head.Kind != "header" || head.Format != exportFormat) {
			return c, fmt.Errorf("line 1: not a calmreply export (no header line)")
		}
		switch head.Kind {
		case "header":
			if head.Version > exportVersion {
				return c, fmt.Errorf("line %d: export version %d is newer than this agent understands (%d)", line, head.Version, exportVersion)
			}
		case "review":
			var v exportReview
			if err := strictJSON(b, &v); err != nil {
				return c, fmt.Errorf("line %d: %v", line, err)
			}
			if v.Review.Platform == "" || v.Review.ID == "" {
				return c, fmt.Errorf("line %d: review without platform or id", line)
			}
			batch = append(batch, v.Record)
			if len(batch) == 100 {
				if err := flush(); err != nil {
					return c, err
				}
			}
		case "source":
			var v exportSource
			if err := strictJSON(b, &v); err != nil {
				return c, fmt.Errorf("line %d: %v", line, err)
			}
			if err := st.PutSource(v.Source); err != nil {
				return c, fmt.Errorf("line %d: %v", line, err)
			}
			c.sources++
		case "settings":
			var v exportSettings
			if err := strictJSON(b, &v); err != nil {
				return c, fmt.Errorf("line %d: %v", line, err)
			}
			if err := st.SaveSettings(v.Settings); err != nil {
				return c, err
			}
			c.settings = true
		default:
			return c, fmt.Errorf("line %d: unknown kind %q", line, head.Kind)
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("line %d: %v", line+1, err)
	}
	if line == 0 {
		return c, errors.New("empty input: not a calmreply export")
	}
	return c, flush()
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
