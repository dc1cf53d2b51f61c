package resume

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// resumeInputs copies the sample logs into dir as four inputs; the fourth
// repeats the first, so that cross-input dedup matters.
func resumeInputs(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	for i, src := range []string{"openai-sample.jsonl", "wildchat-sample.jsonl", "sharegpt-sample.json", "openai-sample.jsonl"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "sample", src))
		require.NoError(t, err)
		p := filepath.Join(dir, string(rune('a'+i))+"-"+src)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		paths = append(paths, p)
	}
	return paths
}

func openFile(path string) (dsat.Input, io.Closer, error) {
	r, err := conversation.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return r, r, nil
}

type resumeOutput struct {
	events, anchors bytes.Buffer
	stats           []byte
}

func (o *resumeOutput) sinks(format export.Format) dsat.Sinks {
	return dsat.Sinks{Events: export.NewEventWriter(&o.events), Anchors: export.NewAnchorWriter(&o.anchors, format)}
}

func (o *resumeOutput) setStats(t *testing.T, st *dsat.Stats) {
	b, err := jsonx.MarshalIndent(st, "", " ")
	require.NoError(t, err)
	o.stats = b
}

func TestRunResumableMatchesRun(t *testing.T) {
	for _, format := range []export.Format{export.FormatDRIFT, export.FormatTRL, export.FormatKTO} {
		t.Run(string(format), func(t *testing.T) {
			dir := t.TempDir()
			paths := resumeInputs(t, dir)
			cfg := dsat.DefaultConfig()
			cfg.Workers = 2
			// kto: the label-true rows go through the part files too.
			cfg.Desirable = format == export.FormatKTO
			m, err := dsat.NewMiner(cfg)
			require.NoError(t, err)

			// Uninterrupted reference run.
			var ref resumeOutput
			var inputs []dsat.Input
			for _, p := range paths {
				in, c, err := openFile(p)
				require.NoError(t, err)
				defer c.Close()
				inputs = append(inputs, in)
			}
			st, err := m.Run(context.Background(), inputs, ref.sinks(format))
			require.NoError(t, err)
			ref.setStats(t, st)
			require.Positive(t, st.Duplicates, "the repeated input gives duplicates")
			require.Positive(t, ref.anchors.Len())
			require.Positive(t, ref.events.Len())
			require.True(t, st.Accounting.Balanced)
			if format == export.FormatKTO {
				require.NotNil(t, st.Export)
				require.Positive(t, st.Export.Desirable)
				require.Contains(t, ref.anchors.String(), `"label":true`)
			}

			// A run killed while the third input is being read.
			manifest := filepath.Join(dir, "run.manifest.json")
			var opened []string
			killed := errors.New("killed")
			var first resumeOutput
			_, err = Run(context.Background(), m, paths, Options{
				Manifest: manifest,
				Open: func(p string) (dsat.Input, io.Closer, error) {
					opened = append(opened, filepath.Base(p))
					if len(opened) == 3 {
						return nil, nil, killed
					}
					return openFile(p)
				},
			}, first.sinks(format))

			require.ErrorIs(t, err, killed)
			assert.Zero(t, first.anchors.Len(), "nothing is merged before every input is complete")
			man, err := LoadManifest(manifest)
			require.NoError(t, err)
			assert.Len(t, man.Inputs, 2, "the completed inputs are recorded")
			leftovers, _ := filepath.Glob(filepath.Join(PartsDir(manifest), ".*.tmp"))
			assert.Empty(t, leftovers, "no temporary part file is left behind")

			// Resumed: only the remaining inputs are read, and the output is
			// byte for byte that of the uninterrupted run.
			opened = nil
			var reused []string
			var resumed resumeOutput
			st, err = Run(context.Background(), m, paths, Options{
				Manifest: manifest,
				Open: func(p string) (dsat.Input, io.Closer, error) {
					opened = append(opened, filepath.Base(p))
					return openFile(p)
				},
				OnReuse: func(p string) { reused = append(reused, filepath.Base(p)) },
			}, resumed.sinks(format))

			require.NoError(t, err)
			resumed.setStats(t, st)
			assert.Equal(t, []string{filepath.Base(paths[2]), filepath.Base(paths[3])}, opened)
			assert.Equal(t, []string{filepath.Base(paths[0]), filepath.Base(paths[1])}, reused)
			assert.Equal(t, ref.anchors.String(), resumed.anchors.String())
			assert.Equal(t, ref.events.String(), resumed.events.String())
			assert.Equal(t, string(ref.stats), string(resumed.stats))

			// A changed input is mined again; the others are reused.
			later := time.Now().Add(time.Hour)
			require.NoError(t, os.Chtimes(paths[1], later, later))
			opened = nil
			var again resumeOutput
			_, err = Run(context.Background(), m, paths, Options{
				Manifest: manifest,
				Open: func(p string) (dsat.Input, io.Closer, error) {
					opened = append(opened, filepath.Base(p))
					return openFile(p)
				},
			}, again.sinks(format))

			require.NoError(t, err)
			assert.Equal(t, []string{filepath.Base(paths[1])}, opened)
			assert.Equal(t, ref.anchors.String(), again.anchors.String())

			// Another configuration reuses nothing.
			cfg2 := cfg
			cfg2.SetThreshold(0.7)
			m2, err := dsat.NewMiner(cfg2)
			require.NoError(t, err)
			assert.NotEqual(t, m.Fingerprint(), m2.Fingerprint())
			opened = nil
			_, err = Run(context.Background(), m2, paths, Options{
				Manifest: manifest,
				Open: func(p string) (dsat.Input, io.Closer, error) {
					opened = append(opened, filepath.Base(p))
					return openFile(p)
				},
			}, dsat.Sinks{})

			require.NoError(t, err)
			assert.Len(t, opened, 4)
		})
	}
}

func TestRunResumableStrictFailureIsNotRecorded(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	bad := filepath.Join(dir, "bad.jsonl")
	line := `{"id":"a","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"x"},{"role":"user","content":"that's wrong"}]}` + "\n"
	require.NoError(t, os.WriteFile(good, []byte(line), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte(line+`{"messages":[{"role":"wizard","content":"x"}]}`+"\n"), 0o644))
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	require.NoError(t, err)
	manifest := filepath.Join(dir, "m.json")
	strictOpen := func(p string) (dsat.Input, io.Closer, error) {
		r, err := conversation.Open(p)
		if err != nil {
			return nil, nil, err
		}
		r.Strict = true
		return r, r, nil
	}
	_, err = Run(context.Background(), m, []string{good, bad}, Options{Manifest: manifest, Open: strictOpen}, dsat.Sinks{})
	var pe *conversation.ParseError
	require.ErrorAs(t, err, &pe)
	man, err := LoadManifest(manifest)
	require.NoError(t, err)
	require.Len(t, man.Inputs, 1)
	abs, _ := filepath.Abs(good)
	assert.Equal(t, abs, man.Inputs[0].Input)
	parts, err := os.ReadDir(PartsDir(manifest))
	require.NoError(t, err)
	assert.Len(t, parts, 3, "only the completed input's part files exist")

	_, err = Run(context.Background(), m, []string{"-"}, Options{Manifest: manifest, Open: strictOpen}, dsat.Sinks{})
	assert.ErrorIs(t, err, ErrManifest)
	require.NoError(t, os.WriteFile(manifest, []byte(`{"version":99}`), 0o644))
	_, err = LoadManifest(manifest)
	assert.ErrorIs(t, err, ErrManifest)
}
