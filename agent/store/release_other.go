//go:build !linux

package store

// releaseMapped is Linux only: elsewhere the memory figures users see
// (Activity Monitor's, Task Manager's) leave out clean pages of mapped files.
func releaseMapped(string) error { return errPageoutUnsupported }
