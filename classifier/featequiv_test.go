package classifier

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier/internal/featref"
	"github.com/dsatmine/dsatmine/conversation"
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

// TestFeaturesMatchReferenceOtherConfig checks the featuriser against the
// reference under a configuration unlike the embedded model's (2- to
// 4-grams, more words, no structure, no heuristic features), so paths the
// default configuration does not take stay equivalent too.
func TestFeaturesMatchReferenceOtherConfig(t *testing.T) {
	cfg := FeatureConfig{HashBits: 14, CharNGramMin: 2, CharNGramMax: 4, MaxChars: 200, MaxWords: 64, EdgeWords: 4, NoHeuristic: true}
	rcfg := featref.FeatureConfig{
		HashBits: cfg.HashBits, CharNGramMin: cfg.CharNGramMin, CharNGramMax: cfg.CharNGramMax,
		MaxChars: cfg.MaxChars, MaxWords: cfg.MaxWords, EdgeWords: cfg.EdgeWords,
		Structure: cfg.Structure, NoHeuristic: cfg.NoHeuristic,
	}
	f := newFeaturizer(cfg)
	turns, sigs := corpusTurns(t, equivalenceFiles(t)...)
	sc := new(scratch)
	for i, tr := range turns {
		f.featurize(tr, sigs[i], sc)
		idx, val := featref.Featurize(rcfg, tr, sigs[i])
		if !slices.Equal(idx, sc.idx) || !slices.Equal(val, sc.val) {
			t.Fatalf("turn %d of %s (follow-up %d): features differ from the reference", i, tr.Conv.ID, tr.FollowUp)
		}
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

// TestHelpersMatchReference checks the rewritten helpers against the
// reference ones on every message of the equivalence files and on edge
// cases: stem sets (both windows), cue search, runs of capitals.
func TestHelpersMatchReference(t *testing.T) {
	texts := []string{"", "a", "AB", "ABCDE", "ABCD E", "ÀÉÎÕÜ", "I'M SORRY, BUT", "i\u2019m sorry, but no",
		"x I cannot", "xi cannot", "Traceback (most recent call last)", "studies studying stopped",
		strings.Repeat("flies ", 40) + "cries", strings.Repeat("é", 150) + "words after the boundary",
		// Language-aware paths: Han bigrams (mixed with Latin), Cyrillic and
		// accented prefixes, Spanish and Russian stop words, long ASCII
		// words, capitalised non-ASCII cues, Han runs across the 200-byte cut.
		"用Python把一个CSV文件按第二列排序", "不对，我要的是降序。还是不行", "好",
		"Извините, но ребёнка и ребенку — это не то, что я просил", "ИЗВИНИТЕ", "Lo siento, pero no puedo",
		"¿Por qué dices eso? La información y las informaciones están mal", "Désolé, vous avez raison",
		strings.Repeat("x", 70) + " " + strings.Repeat("Ab", 40) + " fin",
		strings.Repeat("ab ", 66) + "中文字符串测试一下边界", strings.Repeat("ab ", 65) + "Ёлка ёжик",
		strings.Repeat("中", 70), strings.Repeat("слово ", 80), "作为一个AI语言模型，我无法"}
	for _, f := range equivalenceFiles(t) {
		r, err := conversation.Open(f)
		require.NoError(t, err)
		for c, err := range r.All(context.Background()) {
			require.NoError(t, err)
			for _, m := range c.Messages {
				texts = append(texts, m.Content)
			}
		}
		require.NoError(t, r.Close())
	}
	sets := map[string]*cueSet{"refusal": refusalCues, "apology": apologyCues, "revision": revisionCues, "traceback": tracebackCues}
	require.Len(t, featref.Cues, len(sets))
	for _, s := range texts {
		for _, b := range []int{0, 1, 7, replySimWindow, len(s) / 2} {
			b = cut(s, b)
			var full, pre stemBits
			stemSets(s, b, &full, &pre)
			if featref.StemSet(s) != [32]uint64(full) || featref.StemSet(s[:b]) != [32]uint64(pre) {
				t.Fatalf("stem sets of %q cut at %d differ from the reference", s, b)
			}
		}
		if featref.HasUpperRun(s) != hasUpperRun(s) {
			t.Fatalf("hasUpperRun(%q) differs from the reference", s)
		}
		for name, cs := range sets {
			for _, limit := range []int{0, 2, 80, 160, 1024} {
				if featref.Cues[name](s, limit) != cs.in(s, limit) {
					t.Fatalf("%s cues in %q (limit %d) differ from the reference", name, s, limit)
				}
			}
		}
	}
}

// TestLightStemMatchesReference checks the stemmer against the reference
// on every lower-cased ASCII word of the equivalence files and on every
// word of up to five letters over an alphabet that meets every rule.
func TestLightStemMatchesReference(t *testing.T) {
	words := map[string]bool{}
	for _, f := range equivalenceFiles(t) {
		r, err := conversation.Open(f)
		require.NoError(t, err)
		for c, err := range r.All(context.Background()) {
			require.NoError(t, err)
			for _, m := range c.Messages {
				for _, w := range strings.FieldsFunc(strings.ToLower(m.Content), func(r rune) bool { return r >= 128 || !asciiWord[r] }) {
					words[w] = true
				}
			}
		}
		require.NoError(t, r.Close())
	}
	var gen func(prefix string)
	gen = func(prefix string) {
		words[prefix] = true
		if len(prefix) == 5 {
			return
		}
		for _, c := range "abdeghilnsuxyz" {
			gen(prefix + string(c))
		}
	}
	gen("")
	var short []string
	for w := range words {
		if len(w) <= 4 {
			short = append(short, w)
		}
	}
	for _, w := range short {
		for _, suf := range []string{"ies", "sses", "ing", "ed", "ly", "es", "xes", "hes", "us", "is", "ss", "ee", "ll", "zz", "tt", "ying", "ssed", "tted", "ely"} {
			words[w+suf] = true
		}
	}
	require.Greater(t, len(words), 500000)
	for w := range words {
		if want, got := featref.LightStem([]byte(w)), lightStem([]byte(w)); string(want) != string(got) {
			t.Fatalf("lightStem(%q) = %q, reference %q", w, got, want)
		}
	}
}

func TestCaseVariants(t *testing.T) {
	for c := range 256 {
		var want []byte
		for x := range 256 {
			if lowerASCII(byte(x)) == byte(c) {
				want = append(want, byte(x))
			}
		}
		got := caseVariants(byte(c))
		require.ElementsMatch(t, want, got, "%q", c)
	}
}

func TestUnhash(t *testing.T) {
	p, inv := uint32(fnvPrime), uint32(fnvPrimeInverse)
	require.Equal(t, uint32(1), p*inv)
	for _, w := range []string{"a", "fixes", "libraries", "stopped"} {
		h := hstr(fnvOffset, w)
		for i := len(w) - 1; i >= 0; i-- {
			h = unhash(h, w[i])
			require.Equal(t, hstr(fnvOffset, w[:i]), h, "%q less %d bytes", w, len(w)-i)
		}
	}
}
