package store

import (
	"context"
	"errors"
	"time"
)

var errPageoutUnsupported = errors.New("store: the kernel cannot release mapped pages")

// RunRelease hands the pages of the store's mapped files back to the kernel
// every interval in which the store was used, until ctx ends (see
// releaseMapped). An idle agent makes no calls; on systems that cannot do
// it, RunRelease returns at once.
func (s *Store) RunRelease(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !s.used.Swap(false) {
				continue
			}
			if err := releaseMapped(s.dir); errors.Is(err, errPageoutUnsupported) {
				return
			}
		}
	}
}
