package store

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// madvPageout (Linux 5.4+) asks the kernel to reclaim a range's pages now.
// It is only advice: the contents stay as they are, and a page of anonymous
// memory (should the range have been unmapped and reused meanwhile) is at
// worst swapped out, never lost.
const madvPageout = 21

// releaseMapped asks the kernel to take back the pages of the store's files
// (value logs, tables, memtable logs) that Badger has mapped. Badger reads
// and writes them through mmap, so every page the agent ever wrote or read
// stays in its RSS until the kernel is short of memory: 100,000 reviews are
// about 500 MB of files. Dropped pages come back from disk when read again;
// dirty ones (not yet synced) are kept by the kernel.
func releaseMapped(dir string) error {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		// 7f12a0000000-7f12a4000000 rw-s 00000000 08:01 1234  /path/000001.vlog
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasPrefix(f[5], prefix) {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), madvPageout)
		if errno == syscall.EINVAL {
			// A kernel older than 5.4: it will not learn, so stop asking.
			return errPageoutUnsupported
		}
		// Any other errno (ENOMEM: Badger unmapped the file meanwhile)
		// leaves nothing to release.
	}
	return sc.Err()
}
