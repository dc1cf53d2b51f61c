package repotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requires returns module path -> version of the require lines of a go.mod.
func requires(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string]string{}
	block := false
	for line := range strings.SplitSeq(string(b), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "require" && f[1] == "(":
			block = true
		case block && len(f) == 1 && f[0] == ")":
			block = false
		case block && len(f) == 2:
			out[f[0]] = f[1]
		case len(f) == 3 && f[0] == "require":
			out[f[1]] = f[2]
		}
	}
	return out
}

// The Beam example (a nested module) requires the core module's
// dependencies at the versions the core module builds with, so that a
// make test builds them once: the Beam module then reuses the core's
// compiled packages (its own and its dependencies') from the build cache
// instead of compiling a second copy of each.
func TestBeamModuleSharesCoreVersions(t *testing.T) {
	core := requires(t, filepath.Join(root, "go.mod"))
	beam := requires(t, filepath.Join(root, "examples", "beam", "go.mod"))
	require.Greater(t, len(core), 10)
	require.Greater(t, len(beam), len(core))
	shared := 0
	for mod, v := range core {
		if bv, ok := beam[mod]; ok {
			shared++
			assert.Equal(t, v, bv, "%s: the core module requires %s, the Beam module %s: align them with go get in the module behind", mod, v, bv)
		}
	}
	assert.Greater(t, shared, 10, "the modules share dependencies")
}
