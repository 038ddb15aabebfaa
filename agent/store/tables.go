package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/y"
)

// checkTables reads the footer of every table file in dir the way Badger
// does when it opens them, but with bounds checks: a table whose footer is
// garbage (a torn copy, a bad sector) makes Badger slice out of range in one
// of its own goroutines, a panic no caller can recover, so the agent would
// crash at every start. Such a store is refused with a message instead.
//
// A table's tail is: index, index length (4 bytes), checksum of the index
// (protobuf pb.Checksum), checksum length (4 bytes); lengths big-endian.
func checkTables(dir string) error {
	if inUse(dir) {
		return nil // Badger's open says so, and another agent may be writing a table
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := checkTable(name); err != nil {
			return fmt.Errorf("table %s is damaged (%v): restore a backup made with export, or move the store aside and start afresh", filepath.Base(name), err)
		}
	}
	return nil
}

func checkTable(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	u32 := func(off int64) (int64, error) {
		var b [4]byte
		if off < 0 {
			return 0, errors.New("footer out of range")
		}
		if _, err := f.ReadAt(b[:], off); err != nil {
			return 0, err
		}
		return int64(binary.BigEndian.Uint32(b[:])), nil
	}
	read := func(off, n int64) ([]byte, error) {
		b := make([]byte, n)
		_, err := f.ReadAt(b, off)
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return b, err
	}
	pos := size - 4
	sumLen, err := u32(pos)
	if err != nil {
		return err
	}
	if pos -= sumLen; pos < 4 {
		return errors.New("checksum length out of range")
	}
	raw, err := read(pos, sumLen)
	if err != nil {
		return err
	}
	sum, err := decodeChecksum(raw)
	if err != nil {
		return err
	}
	pos -= 4
	indexLen, err := u32(pos)
	if err != nil {
		return err
	}
	if pos -= indexLen; pos < 0 {
		return errors.New("index length out of range")
	}
	index, err := read(pos, indexLen)
	if err != nil {
		return err
	}
	return y.VerifyChecksum(index, sum)
}

// decodeChecksum decodes a pb.Checksum (algo = field 1, sum = field 2, both
// varints), refusing algorithms y.CalculateChecksum would panic on.
func decodeChecksum(b []byte) (*pb.Checksum, error) {
	c := &pb.Checksum{}
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 || tag&7 != 0 {
			return nil, errors.New("checksum unreadable")
		}
		v, m := binary.Uvarint(b[n:])
		if m <= 0 {
			return nil, errors.New("checksum unreadable")
		}
		b = b[n+m:]
		switch tag >> 3 {
		case 1:
			c.Algo = pb.Checksum_Algorithm(v)
		case 2:
			c.Sum = v
		}
	}
	if c.Algo != pb.Checksum_CRC32C && c.Algo != pb.Checksum_XXHash64 {
		return nil, fmt.Errorf("unknown checksum algorithm %d", c.Algo)
	}
	return c, nil
}

// inUse reports whether another process holds Badger's lock on dir (an
// flock on the directory).
func inUse(dir string) bool {
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer d.Close()
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
	return false
}
