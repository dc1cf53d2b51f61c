package classifier

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier/internal/featref"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// equivalenceFiles are the conversations the optimised featuriser is
// checked on: the bundled samples, the labelled fixtures in every language
// (de, es, fr, pt, ru, zh and English), the real non-English labelled
// follow-ups and their translated aids, and (when present) the real
// ShareGPT and OpenAssistant data.
func equivalenceFiles(t *testing.T) []string {
	var files []string
	for _, pat := range []string{
		"../testdata/sample/*.json*", "../testdata/labelled/*.jsonl",
		"../testdata/labelled/real/*.jsonl", "../testdata/labelled/translated/*.jsonl",
	} {
		m, err := filepath.Glob(pat)
		require.NoError(t, err)
		require.NotEmpty(t, m, pat)
		files = append(files, m...)
	}
	for _, rel := range []string{"real/sharegpt-sample.json", "real/oasst-en100-trees.jsonl"} {
		if p, ok := shareddata.Path(rel); ok {
			files = append(files, p)
		}
	}
	return files
}

// TestFeaturesMatchReference checks that the featuriser gives exactly the
// features of the reference computation (package featref, the code the
// embedded model was trained with): same indices and values in the same
// order, so the model's margins are bit-identical. The scratch is reused
// across turns in conversation order, as the miner's pooled scratch is, so
// the per-message caches are exercised; the packed weights give the same
// margins as the dense matrix.
func TestFeaturesMatchReference(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	cfg := m.Features()
	rcfg := featref.FeatureConfig{
		HashBits: cfg.HashBits, CharNGramMin: cfg.CharNGramMin, CharNGramMax: cfg.CharNGramMax,
		MaxChars: cfg.MaxChars, MaxWords: cfg.MaxWords, EdgeWords: cfg.EdgeWords,
		Structure: cfg.Structure, NoHeuristic: cfg.NoHeuristic,
	}
	turns, sigs := corpusTurns(t, equivalenceFiles(t)...)
	require.Greater(t, len(turns), 1000)
	// The language-aware paths (Han bigrams, non-ASCII stems and cues) are
	// exercised: the corpus has follow-ups in each of these languages.
	langs := map[string]int{}
	for _, tr := range turns {
		langs[heuristics.GuessLanguage(tr.Text())]++
	}
	for _, l := range []string{"de", "es", "fr", "pt", "ru", "zh"} {
		require.Greater(t, langs[l], 10, "follow-ups in %s", l)
	}
	sc := new(scratch)
	for i, tr := range turns {
		m.feat.featurize(tr, sigs[i], sc)
		idx, val := featref.Featurize(rcfg, tr, sigs[i])
		require.Equal(t, idx, sc.idx, "turn %d of %s (follow-up %d)", i, tr.Conv.ID, tr.FollowUp)
		require.Equal(t, val, sc.val, "turn %d of %s (follow-up %d)", i, tr.Conv.ID, tr.FollowUp)
		var packed, dense [numHeads]float64
		m.margins(sc.idx, sc.val, &packed)
		denseMargins(m, idx, val, &dense)
		require.Equal(t, dense, packed, "turn %d", i)
	}
}

// denseMargins is Model.margins over the full weight matrix.
func denseMargins(m *Model, idx []uint32, val []float32, out *[numHeads]float64) {
	var acc [numHeads]float32
	for k, i := range idx {
		for h := range acc {
			acc[h] += val[k] * m.w[int(i)*numHeads+h]
		}
	}
	for h := range out {
		out[h] = m.bias[h] + float64(acc[h])
	}
}
