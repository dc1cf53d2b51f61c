package atomicfile

import (
	"os"
	"path/filepath"
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
