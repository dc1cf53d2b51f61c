package dsat

import (
	"bytes"
	"context"
	"errors"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
)

// failingTransport fails and counts every HTTP request.
type failingTransport struct{ calls atomic.Int64 }

func (f *failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, errors.New("network access in a test that forbids it")
}

// TestNoNetworkAtRunTime runs the whole mine path, token budget included,
// with the default HTTP transport failing: nothing in the library may reach
// for the network (the tiktoken encodings are loaded offline; o200k_base
// goes through the same loader and is left out only to keep the test short).
func TestNoNetworkAtRunTime(t *testing.T) {
	ft := &failingTransport{}
	saved := http.DefaultTransport
	http.DefaultTransport = ft
	t.Cleanup(func() { http.DefaultTransport = saved })
	for _, enc := range []string{EncodingCL100k} {
		cfg := DefaultConfig()
		cfg.Workers = 2
		cfg.Tokens = &TokenBudget{Encoding: enc, MaxPromptTokens: 64, MaxTotalTokens: 128}
		m, err := NewMiner(cfg)
		require.NoError(t, err, enc)
		r, err := conversation.Open("../testdata/sample/openai-sample.jsonl")
		require.NoError(t, err)
		var anchors bytes.Buffer
		st, err := m.Run(context.Background(), []Input{r}, Sinks{Anchors: newLineSink(&anchors)})
		r.Close()
		require.NoError(t, err, enc)
		assert.Positive(t, st.Anchors, enc)
	}
	assert.Zero(t, ft.calls.Load(), "HTTP requests made")
}

// TestNoNetHTTPImports checks that no library package of the module imports
// net/http (or any other net package) outside tests, except the LLM judge
// adapter, which is the one documented network client, the examples, and
// the simulated judge server used by tests and development
// (internal/simjudge, internal/cmd/simjudge), which no library package
// imports.
func TestNoNetHTTPImports(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"),
				rel == "examples", rel == "classifier/llmjudge",
				rel == "internal/simjudge", rel == "internal/cmd/simjudge":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "net" || strings.HasPrefix(p, "net/") && p != "net/url" {
				t.Errorf("%s imports %s", rel, p)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 30, "source files checked")
}
