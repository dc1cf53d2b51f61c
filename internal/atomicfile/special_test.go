//go:build unix

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A path that is a named pipe (like /dev/null, a device) is written in
// place: it stays what it was instead of becoming a regular file.
func TestSpecialFileWrittenInPlace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	got := make(chan []byte)
	go func() {
		r, err := os.Open(p)
		if err != nil {
			got <- nil
			return
		}
		defer r.Close()
		b, _ := io.ReadAll(r)
		got <- b
	}()
	require.NoError(t, WriteFile(p, []byte("through the pipe\n")))
	assert.Equal(t, "through the pipe\n", string(<-got))
	fi, err := os.Lstat(p)
	require.NoError(t, err)
	assert.Equal(t, os.ModeNamedPipe, fi.Mode().Type(), "still a named pipe")
	entries, err := os.ReadDir(filepath.Dir(p))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	// Abort leaves the special file where it is.
	go func() {
		r, err := os.Open(p)
		if err == nil {
			_, _ = io.ReadAll(r)
			r.Close()
		}
	}()
	f, err := Create(p)
	require.NoError(t, err)
	f.Abort()
	_, err = os.Lstat(p)
	assert.NoError(t, err)
}
