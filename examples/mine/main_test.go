package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runMain runs main with args and returns what it wrote to standard output.
func runMain(t *testing.T, args ...string) string {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	require.NoError(t, err)
	defer out.Close()
	oldArgs, oldStdout := os.Args, os.Stdout
	os.Args, os.Stdout = append([]string{"mine"}, args...), out
	defer func() { os.Args, os.Stdout = oldArgs, oldStdout }()
	main()
	b, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	return string(b)
}

func TestMineExamplePrintsAnchors(t *testing.T) {
	got := runMain(t, "../../testdata/sample/sharegpt-sample.json")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		var a map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &a), line)
		for _, k := range []string{"id", "conversation_id", "prompt", "rejected", "user_preference", "categories", "score", "evidence"} {
			require.Contains(t, a, k)
		}
	}
}
