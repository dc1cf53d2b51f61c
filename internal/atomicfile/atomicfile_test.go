package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommitPublishesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "anchors.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("new 1\n")
	require.NoError(t, err)
	// Before Commit the final name still holds the old content.
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old\n", string(b))
	_, err = f.WriteString("new 2\n")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	f.Abort() // no-op after Commit
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new 1\nnew 2\n", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assert.Error(t, f.Commit(), "a second Commit fails")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.jsonl")
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("half a reco")
	require.NoError(t, err)
	f.Abort()
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "a killed or failed job leaves no file under the final name")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestWriteFileMissingDir(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "x"), []byte("x"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// A path that is not a regular file (a named pipe here; /dev/null in
// practice, as in "-o /dev/null") is written in place: it stays what it
// was, and Abort does not remove it.
func TestNonRegularFileWrittenInPlace(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	f, err := Create(fifo)
	require.NoError(t, err)
	_, err = f.WriteString("through the pipe")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	assert.Equal(t, "through the pipe", <-got)
	fi, err := os.Stat(fifo)
	require.NoError(t, err)
	assert.Equal(t, os.ModeNamedPipe, fi.Mode().Type(), "still a pipe, not replaced by a regular file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	if fi, err := os.Stat(os.DevNull); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		f, err := Create(os.DevNull)
		require.NoError(t, err)
		f.Abort()
		fi2, err := os.Stat(os.DevNull)
		require.NoError(t, err)
		assert.Equal(t, fi.Mode(), fi2.Mode(), "the null device is left as it was")
	}
}
