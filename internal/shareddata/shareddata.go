// Package shareddata locates the optional external development data
// (`../shared/data` beside the repository). Tests and benchmarks use it when
// it is present; the test suite never depends on it for coverage.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides the data directory.
const EnvVar = "DSATMINE_SHARED_DATA"

// Dir returns the shared data directory and whether it exists. It honours
// $DSATMINE_SHARED_DATA, then looks for ../shared/data beside the module root.
func Dir() (string, bool) {
	if d := os.Getenv(EnvVar); d != "" {
		return d, isDir(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && isDir(filepath.Join(dir, "cmd", "dsatmine")) {
			d := filepath.Join(dir, "..", "shared", "data")
			return d, isDir(d)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Path returns the path of rel inside the shared data directory and whether the file exists.
func Path(rel string) (string, bool) {
	d, ok := Dir()
	if !ok {
		return "", false
	}
	p := filepath.Join(d, filepath.FromSlash(rel))
	_, err := os.Stat(p)
	return p, err == nil
}

// Require returns the path of rel, or skips the calling test (only that test)
// when the external data is not present.
func Require(tb testing.TB, rel string) string {
	tb.Helper()
	p, ok := Path(rel)
	if !ok {
		tb.Skipf("external data %s not present (../shared/data); skipping this data-dependent case", rel)
	}
	return p
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
