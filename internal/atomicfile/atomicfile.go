// Package atomicfile writes files so that a reader of the final name sees
// either the previous content or the complete new content, never a part:
// the data goes to a temporary file in the same directory, which is synced
// and renamed into place on Commit. A process killed before Commit leaves
// only a hidden temporary file behind.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// File is a file being written atomically. Write to it like an *os.File,
// then call Commit to publish it or Abort to discard it. Abort after Commit
// is a no-op, so `defer f.Abort()` is the usual pattern.
type File struct {
	*os.File
	path   string
	done   bool
	direct bool // path is not a regular file (a device such as /dev/null, a pipe): written in place
}

// Create starts writing the file at path. The temporary file is
// ".<base>.<random>.tmp" in the same directory, so the rename is atomic.
// When path exists and is not a regular file (a device such as /dev/null, a
// named pipe) it is opened and written in place: renaming over it would
// replace the device with a regular file.
func Create(path string) (*File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{File: f, path: path, direct: true}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, path: path}, nil
}

// Path returns the final path.
func (f *File) Path() string { return f.path }

// Commit syncs the data to stable storage, closes the file, gives it mode
// 0644 and renames it to the final path, then syncs the directory so that
// the rename itself survives a crash.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	if f.direct {
		return f.File.Close()
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.File.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, f.path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(f.path))
}

// Abort discards the temporary file. It does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	if !f.direct {
		os.Remove(f.Name())
	}
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// syncDir fsyncs a directory. File systems that cannot sync directories
// (EINVAL) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
