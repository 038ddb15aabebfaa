package store

import (
	"errors"
	"fmt"
	"syscall"
)

// Badger appends to its memtable log and its value log through
// memory-mapped, sparse files. When the disk fills, a write into such a
// mapping is not an error Badger can return but a SIGBUS that kills the
// agent. So the store refuses to write while the disk has less room than the
// memtables could still claim, and says why, instead of crashing with
// acknowledged data in flight. One write (a Save batch, under 1 MB) fits in
// that room many times over.
const (
	memTableSize = 4 << 20
	numMemtables = 2
	// minFree is the room a write needs: every memtable filling up, plus
	// slack for the flush that follows.
	minFree = numMemtables*memTableSize + 4<<20

	// valueThreshold: values at least this long live in the value log.
	valueThreshold = 1 << 10
	// valueLogFileSize bounds one value-log file, and so what one GC pass
	// rewrites (gcFree).
	valueLogFileSize = 16 << 20
	// gcFree is the room value-log GC needs: it copies the live values of
	// one file into the mapped log before the old file goes.
	gcFree = minFree + valueLogFileSize
)

// ErrDiskFull is returned, before anything is written, when the disk holding
// the store has too little free space to write safely.
var ErrDiskFull = errors.New("disk full")

// freeBytes reports the space an unprivileged writer may still use in dir.
func freeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// checkSpace refuses a write when the disk is (nearly) full. A failing
// statfs does not block writes: the guard is a safety net, not a gate.
func (s *Store) checkSpace() error { return s.checkFree(minFree) }

func (s *Store) checkFree(need uint64) error {
	free, err := s.free(s.dir)
	if err != nil || free >= need {
		return nil
	}
	return fmt.Errorf("%w: the disk holding %s has only %.1f MB free and calmreply needs %d MB to write safely; nothing was saved, free some space",
		ErrDiskFull, s.dir, float64(free)/(1<<20), need>>20)
}
