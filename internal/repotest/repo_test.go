package repotest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const root = "../.."

// textFiles returns the repository's text files (sources, documents,
// lexicons, rubrics), skipping generated corpora, outputs and fuzz corpora.
func textFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			switch {
			case rel != "." && strings.HasPrefix(d.Name(), "."), rel == "out", rel == filepath.Join("bench", "corpus"), d.Name() == "fuzz":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".md", ".txt", ".yaml", ".yml", ".tmpl", ".html", ".sh":
			files = append(files, rel)
		default:
			if d.Name() == "Makefile" || d.Name() == "run" {
				files = append(files, rel)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, len(files), 100, "the walk found the repository")
	return files
}

// The repository carries its own account of the taxonomy, the unit of
// mining and the record formats (docs/); nothing points to a document
// outside it.
func TestNoReferenceToOutsideDocuments(t *testing.T) {
	spec := "SPEC" + ".md"
	outside := regexp.MustCompile(`\.\./shared/[^\s)\x60"']*\.(md|txt|pdf|html)\b`)
	for _, f := range textFiles(t) {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		s := string(b)
		assert.NotContains(t, s, spec, "%s names a document outside the repository", f)
		assert.Empty(t, outside.FindAllString(s, -1), "%s points to a document outside the repository", f)
	}
}

// Every relative link of a Markdown file resolves inside the repository.
func TestMarkdownLinksStayInside(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)\s#]+)(#[^)]*)?\)`)
	abs, err := filepath.Abs(root)
	require.NoError(t, err)
	n := 0
	for _, f := range textFiles(t) {
		if filepath.Ext(f) != ".md" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			n++
			p := filepath.Join(abs, filepath.Dir(f), target)
			assert.True(t, strings.HasPrefix(p, abs+string(filepath.Separator)), "%s links outside the repository: %s", f, target)
			_, err := os.Stat(p)
			assert.NoError(t, err, "%s links to a missing file: %s", f, target)
		}
	}
	assert.Positive(t, n)
}

// Doc comments of the library (not tests, which may read ../shared/data)
// never point outside the repository.
func TestDocCommentsStayInside(t *testing.T) {
	for _, f := range textFiles(t) {
		if filepath.Ext(f) != ".go" || strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, filepath.Join("internal", "shareddata")) {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, f), nil, parser.ParseComments)
		require.NoError(t, err, f)
		for _, cg := range af.Comments {
			text := cg.Text()
			assert.NotContains(t, text, "../shared", "%s: a comment points outside the repository", f)
		}
	}
}

// The docs/ pages the code points to exist, and every doc comment that
// names one names an existing page.
func TestDocsPagesExist(t *testing.T) {
	page := regexp.MustCompile(`docs/[a-z]+\.md`)
	seen := 0
	for _, f := range textFiles(t) {
		if filepath.Ext(f) != ".go" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, p := range page.FindAllString(string(b), -1) {
			seen++
			_, err := os.Stat(filepath.Join(root, p))
			assert.NoError(t, err, "%s names %s", f, p)
		}
	}
	assert.Positive(t, seen, "doc comments point to docs/")
	for _, p := range []string{"taxonomy.md", "mining.md", "records.md"} {
		_, err := os.Stat(filepath.Join(root, "docs", p))
		assert.NoError(t, err)
	}
}
