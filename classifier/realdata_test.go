package classifier

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// The real non-English labelled follow-ups (testdata/labelled/real) are
// measured on, so every file must parse with the labelled reader, hold only
// the languages it claims, be listed in SOURCES.tsv with its counts, and keep
// each conversation tree on one side of the dev/test split.

const realDir = "../testdata/labelled/real"

type realSource struct {
	followUps, dsat int
	langs           []string
}

// readTSV reads a tab-separated file with a header line into maps keyed by
// the header's column names.
func readTSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	require.True(t, sc.Scan(), "%s: no header", path)
	head := strings.Split(sc.Text(), "\t")
	var rows []map[string]string
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		require.Len(t, cols, len(head), "%s: %q", path, sc.Text())
		row := map[string]string{}
		for i, h := range head {
			row[h] = cols[i]
		}
		rows = append(rows, row)
	}
	require.NoError(t, sc.Err())
	return rows
}

func realSources(t *testing.T) map[string]realSource {
	t.Helper()
	out := map[string]realSource{}
	for _, row := range readTSV(t, filepath.Join(realDir, "SOURCES.tsv")) {
		fu, err := strconv.Atoi(row["followups"])
		require.NoError(t, err)
		d, err := strconv.Atoi(row["dsat"])
		require.NoError(t, err)
		for _, k := range []string{"origin_repo", "commit", "path", "licence"} {
			require.NotEmpty(t, row[k], "SOURCES.tsv %s: empty %s", row["file"], k)
		}
		out[row["file"]] = realSource{followUps: fu, dsat: d, langs: strings.Split(row["langs"], ",")}
	}
	return out
}

// realRecord is the part of a labelled line the language checks need; the
// labelled reader ignores "lang".
type realRecord struct {
	ID       string `json:"id"`
	Source   string `json:"source"`
	Lang     string `json:"lang"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

// funcWords are a few common words of each Latin-script language; a record
// claiming the language must use at least one in its user messages.
var funcWords = map[string][]string{
	"es": {"que", "de", "el", "la", "los", "las", "en", "por", "para", "una", "cómo", "qué"},
	"fr": {"le", "la", "les", "de", "des", "est", "et", "je", "tu", "que", "une", "pas"},
	"de": {"der", "die", "das", "und", "ist", "ich", "du", "nicht", "ein", "eine", "mir", "mit"},
	"pt": {"de", "o", "que", "e", "um", "uma", "como", "esse", "não", "para", "com"},
	"ca": {"de", "la", "el", "els", "que", "i", "em", "per", "amb"},
	"hu": {"az", "és", "hogy", "nem", "ha", "egy"},
}

// scriptShare returns the share of letters in s that are in table.
func scriptShare(s string, table *unicode.RangeTable) float64 {
	var in, all int
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		all++
		if unicode.Is(table, r) {
			in++
		}
	}
	if all == 0 {
		return 0
	}
	return float64(in) / float64(all)
}

// checkLang reports whether one user message is written in lang.
func checkLang(lang, user string) bool {
	switch lang {
	case "zh":
		return scriptShare(user, unicode.Han) > 0.5 && scriptShare(user, unicode.Hiragana)+scriptShare(user, unicode.Katakana) == 0
	case "ja":
		return scriptShare(user, unicode.Hiragana)+scriptShare(user, unicode.Katakana) > 0.1
	case "ru", "uk":
		return scriptShare(user, unicode.Cyrillic) > 0.5
	case "th":
		return scriptShare(user, unicode.Thai) > 0.5
	}
	words, ok := funcWords[lang]
	if !ok || scriptShare(user, unicode.Latin) < 0.8 {
		return false
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(user), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if slices.Contains(words, w) {
			return true
		}
	}
	return false
}

func TestRealLabelledFiles(t *testing.T) {
	sources := realSources(t)
	files, err := filepath.Glob(filepath.Join(realDir, "*.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	listed := make([]string, 0, len(sources))
	for name := range sources {
		listed = append(listed, name)
	}
	slices.Sort(listed)
	require.Equal(t, listed, names, "SOURCES.tsv must list exactly the labelled files")

	treeHalf := map[string]string{} // source tree -> file it is in
	for _, path := range files {
		name := filepath.Base(path)
		want := sources[name]
		b, err := os.ReadFile(path)
		require.NoError(t, err)

		ex, err := ReadExamples(context.Background(), bytes.NewReader(b), name, nil)
		require.NoError(t, err, name)
		dsat := 0
		for _, e := range ex {
			if e.DSAT {
				dsat++
				assert.NotEmpty(t, e.Categories, "%s %s turn %d: DSAT without a category", name, e.Turn.Conv.ID, e.Turn.FollowUp)
			}
			assert.False(t, e.Aid, "%s: real data read as a training aid", name)
		}
		assert.Equal(t, want.followUps, len(ex), "%s: follow-ups", name)
		assert.Equal(t, want.dsat, dsat, "%s: DSAT follow-ups", name)

		prefix, _, _ := strings.Cut(name, "-") // es-dev.jsonl -> es
		for line := range bytes.Lines(b) {
			var r realRecord
			require.NoError(t, jsonx.Unmarshal(line, &r))
			assert.Contains(t, want.langs, r.Lang, "%s %s: language not listed in SOURCES.tsv", name, r.ID)
			if prefix != "other" {
				assert.Equal(t, prefix, r.Lang, "%s %s", name, r.ID)
			}
			inLang := false // pasted material may be in another language, the request is not
			for _, m := range r.Messages {
				if m.Role == "user" && checkLang(r.Lang, m.Content) {
					inLang = true
				}
			}
			assert.True(t, inLang, "%s %s: no user message in %s", name, r.ID, r.Lang)
			group, _ := SourceOf(r.Source)
			assert.Equal(t, "oasst-"+r.Lang, group, "%s %s", name, r.ID)
			half := strings.TrimSuffix(name, ".jsonl")
			if other, ok := treeHalf[r.Source]; ok {
				assert.Equal(t, other, half, "%s: one conversation tree in two files", r.Source)
			}
			treeHalf[r.Source] = half
		}
	}
}

// kappa is Cohen's kappa of two yes/no labellings.
func kappa(a, b []bool) float64 {
	n := float64(len(a))
	var agree, ya, yb float64
	for i := range a {
		if a[i] == b[i] {
			agree++
		}
		if a[i] {
			ya++
		}
		if b[i] {
			yb++
		}
	}
	po := agree / n
	pe := (ya/n)*(yb/n) + (1-ya/n)*(1-yb/n)
	if pe == 1 {
		return 1
	}
	return (po - pe) / (1 - pe)
}

// labelsOf maps "id\tturn" to the DSAT label of every labelled follow-up in
// the files.
func labelsOf(t *testing.T, paths ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		for line := range bytes.Lines(b) {
			var r struct {
				ID     string `json:"id"`
				Labels []struct {
					Turn int  `json:"turn"`
					DSAT bool `json:"dsat"`
				} `json:"labels"`
			}
			require.NoError(t, jsonx.Unmarshal(line, &r))
			for _, l := range r.Labels {
				out[r.ID+"\t"+strconv.Itoa(l.Turn)] = l.DSAT
			}
		}
	}
	return out
}

// agreement compares a labelling pass (a TSV of id, turn, dsat) with the
// labels in files.
func agreement(t *testing.T, tsv string, files map[string]bool) (n int, k float64) {
	t.Helper()
	var a, b []bool
	for _, row := range readTSV(t, tsv) {
		want, ok := files[row["id"]+"\t"+row["turn"]]
		require.True(t, ok, "%s: %s turn %s is not a labelled follow-up", tsv, row["id"], row["turn"])
		a = append(a, row["dsat"] == "1")
		b = append(b, want)
	}
	return len(a), kappa(a, b)
}

func TestKappa(t *testing.T) {
	assert.InDelta(t, 1.0, kappa([]bool{true, false, true}, []bool{true, false, true}), 1e-9)
	assert.InDelta(t, -1.0, kappa([]bool{true, false}, []bool{false, true}), 1e-9)
	// 10 items, 8 agree, 3 and 3 positive: po 0.8, pe 0.58.
	a := []bool{true, true, true, false, false, false, false, false, false, false}
	b := []bool{true, true, false, true, false, false, false, false, false, false}
	assert.InDelta(t, (0.8-0.58)/(1-0.58), kappa(a, b), 1e-9)
}

// The second, independent labelling pass of the real files covers at least
// 15% of their follow-ups and agrees at Cohen's kappa >= 0.75 (DSAT yes/no).
func TestRealDoubleLabelling(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(realDir, "*.jsonl"))
	require.NoError(t, err)
	labels := labelsOf(t, files...)
	n, k := agreement(t, filepath.Join(realDir, "labelling", "second-pass.tsv"), labels)
	assert.GreaterOrEqual(t, float64(n), 0.15*float64(len(labels)))
	assert.GreaterOrEqual(t, k, 0.75)
}

// The labeller's blind calibration slice of sharegpt-dev agrees with the
// shipped labels at Cohen's kappa >= 0.75 (DSAT yes/no).
func TestRealLabellerCalibration(t *testing.T) {
	dev := shareddata.Require(t, "dev/sharegpt-dev.jsonl")
	n, k := agreement(t, filepath.Join(realDir, "labelling", "calibration-1.tsv"), labelsOf(t, dev))
	assert.GreaterOrEqual(t, n, 150)
	assert.GreaterOrEqual(t, k, 0.75)
}

func TestCheckLang(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		want       bool
	}{
		{"es", "¿Me puedes dar una lista de los mejores libros?", true},
		{"es", "Can you give me a list of the best books?", false},
		{"ru", "Перепиши это короче, пожалуйста", true},
		{"ru", "Rewrite this shorter please", false},
		{"zh", "请你使用繁體中文", true},
		{"zh", "こんにちは、元気ですか", false},
		{"ja", "こんにちは、元気ですか", true},
		{"de", "Das ist eine gute Idee, aber nicht ganz richtig", true},
		{"fr", "Das ist eine gute Idee", false},
		{"th", "ขอบคุณครับ", true},
	} {
		assert.Equal(t, c.want, checkLang(c.lang, c.text), "%s %q", c.lang, c.text)
	}
}

// The translated follow-ups parse, are read as training aids, carry one
// labelled follow-up each and are in the language their file names.
func TestTranslatedAids(t *testing.T) {
	const dir = "../testdata/labelled/translated"
	for _, lang := range []string{"es", "ru", "zh"} {
		b, err := os.ReadFile(filepath.Join(dir, lang+".jsonl"))
		require.NoError(t, err)
		ex, err := ReadExamples(context.Background(), bytes.NewReader(b), lang+".jsonl", nil)
		require.NoError(t, err, lang)
		require.NotEmpty(t, ex)
		for _, e := range ex {
			assert.True(t, e.Aid, "%s %s: translated follow-up not read as a training aid", lang, e.Turn.Conv.ID)
			assert.Equal(t, "dsatmine-translated", e.Source)
		}
		n := 0
		for line := range bytes.Lines(b) {
			var r realRecord
			require.NoError(t, jsonx.Unmarshal(line, &r))
			n++
			assert.Equal(t, lang, r.Lang, r.ID)
			require.Len(t, r.Messages, 3, r.ID)
			assert.True(t, checkLang(lang, r.Messages[2].Content) || checkLang(lang, r.Messages[0].Content),
				"%s: not in %s", r.ID, lang)
		}
		assert.Equal(t, n, len(ex), "%s: one labelled follow-up per record", lang)
	}
}
