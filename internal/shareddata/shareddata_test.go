package shareddata

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEnvOverride(t *testing.T) {
	d := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(d, "x.jsonl"), []byte("{}\n"), 0o644))
	t.Setenv(EnvVar, d)
	p, ok := Path("x.jsonl")
	require.True(t, ok)
	require.Equal(t, filepath.Join(d, "x.jsonl"), p)
	_, ok = Path("missing.jsonl")
	require.False(t, ok)
}

func TestEnvOverrideMissingDir(t *testing.T) {
	t.Setenv(EnvVar, filepath.Join(t.TempDir(), "nope"))
	_, ok := Dir()
	require.False(t, ok)
}
