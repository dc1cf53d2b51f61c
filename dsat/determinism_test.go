package dsat

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/badinput"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// TestDeterminismBadInputCorpus mines the whole bad-input corpus plus the
// samples in one lenient run with 1, 2 and 8 workers: skipped records,
// repaired records and broken streams included, the anchors, events and
// statistics are byte-identical.
func TestDeterminismBadInputCorpus(t *testing.T) {
	dir, err := badinput.Dir()
	require.NoError(t, err)
	entries, err := badinput.Load(dir)
	require.NoError(t, err)
	var paths []string
	for _, e := range entries {
		// The long compressed streams add time, not cases.
		if !e.Generated && e.Good >= 0 && e.Good <= 100 {
			paths = append(paths, filepath.Join(dir, e.File))
		}
	}
	samples, err := filepath.Glob("../testdata/sample/*.json*")
	require.NoError(t, err)
	paths = append(paths, samples...)

	run := func(workers int) [3][]byte {
		cfg := DefaultConfig()
		cfg.Workers = workers
		m, err := NewMiner(cfg)
		require.NoError(t, err)
		var inputs []Input
		for _, p := range paths {
			r, err := conversation.Open(p)
			require.NoError(t, err)
			defer r.Close()
			inputs = append(inputs, r)
		}
		var anchors, events bytes.Buffer
		st, err := m.Run(context.Background(), inputs, Sinks{Anchors: newLineSink(&anchors), Events: newLineSink(&events)})
		require.NoError(t, err)
		require.True(t, st.Accounting.Balanced)
		sb, err := jsonx.MarshalIndent(st, "", " ")
		require.NoError(t, err)
		return [3][]byte{anchors.Bytes(), events.Bytes(), sb}
	}
	want := run(1)
	require.NotEmpty(t, want[0])
	for _, workers := range []int{2, 8} {
		got := run(workers)
		for i, what := range []string{"anchors", "events", "stats"} {
			assert.Equal(t, string(want[i]), string(got[i]), "%s with %d workers", what, workers)
		}
	}
}
