package conversation

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shardRecord is what the shard tests compare between a whole-file read and
// the union of the shards: identity, location and content.
type shardRecord struct {
	ID    string
	Line  int
	Texts string
}

// shardCorpus writes a JSON Lines file that exercises line boundaries: LF
// and CRLF ends, blank and white-space lines, leading spaces, records
// without ids (their ids derive from the line), bad records, a record that
// starts with '[', multi-byte text and a line longer than the read buffer.
func shardCorpus(t *testing.T, seed uint64) (string, []byte) {
	return shardCorpusFirst(t, seed, `{"id":"first","messages":[{"role":"user","content":"hello"}]}`+"\n")
}

// shardCorpusFirst is shardCorpus with the given first line(s).
func shardCorpusFirst(t *testing.T, seed uint64, first string) (string, []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	var b bytes.Buffer
	b.WriteString(first)
	long := false
	for i := range 120 {
		eol := "\n"
		if rng.IntN(3) == 0 {
			eol = "\r\n"
		}
		switch k := rng.IntN(20); {
		case k == 0:
			b.WriteString(eol) // blank line
		case k == 1:
			b.WriteString("  \t" + eol)
		case k == 2:
			b.WriteString("not json at all" + eol)
		case k == 3:
			b.WriteString(`["an array line"]` + eol)
		default:
			text := strings.Repeat("déjà vu 世界 ", 1+rng.IntN(30))
			if k == 4 && !long {
				text = strings.Repeat("long line ", 10000) // > 64 KiB
				long = true
			}
			id := fmt.Sprintf(`"id":"c%d",`, i)
			if k%2 == 1 {
				id = "" // derived from the file name and line
			}
			lead := ""
			if k == 5 {
				lead = "   "
			}
			fmt.Fprintf(&b, `%s{%s"messages":[{"role":"user","content":"q%d %s"},{"role":"assistant","content":"a%d"},{"role":"user","content":"no, try again"}]}%s`,
				lead, id, i, text, i, eol)
		}
	}
	b.WriteString(`{"id":"last","messages":[{"role":"user","content":"no newline at the end"}]}`)
	path := filepath.Join(t.TempDir(), "corpus.jsonl")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path, b.Bytes()
}

func readShardRecords(t *testing.T, r *Reader) ([]shardRecord, ReadStats) {
	t.Helper()
	var out []shardRecord
	for c, err := range r.All(context.Background()) {
		require.NoError(t, err)
		var texts []string
		for _, m := range c.Messages {
			texts = append(texts, m.Content)
		}
		out = append(out, shardRecord{ID: c.ID, Line: c.Location.Line, Texts: strings.Join(texts, "|")})
	}
	return out, r.Stats()
}

func wholeFile(t *testing.T, path string) ([]shardRecord, ReadStats) {
	t.Helper()
	r, err := Open(path)
	require.NoError(t, err)
	defer r.Close()
	return readShardRecords(t, r)
}

func readShards(t *testing.T, shards []Shard) ([]shardRecord, ReadStats) {
	t.Helper()
	var all []shardRecord
	total := ReadStats{}
	for _, s := range shards {
		r, err := OpenShard(s)
		require.NoError(t, err, "%v", s)
		recs, st := readShardRecords(t, r)
		require.NoError(t, r.Close())
		all = append(all, recs...)
		total.Merge(st)
	}
	return all, total
}

func assertSameRead(t *testing.T, wantRecs []shardRecord, want ReadStats, gotRecs []shardRecord, got ReadStats, msg string) {
	t.Helper()
	require.Equal(t, wantRecs, gotRecs, msg)
	assert.Equal(t, want.Records, got.Records, msg)
	assert.Equal(t, want.Conversations, got.Conversations, msg)
	assert.Equal(t, want.Messages, got.Messages, msg)
	assert.Equal(t, want.Skipped, got.Skipped, msg)
	assert.Equal(t, want.Formats, got.Formats, msg)
}

func TestShardsRandomSplitPoints(t *testing.T) {
	path, data := shardCorpus(t, 1)
	wantRecs, want := wholeFile(t, path)
	require.Greater(t, len(wantRecs), 80)
	require.NotEmpty(t, want.Skipped, "the corpus has bad records")
	require.Greater(t, len(data), 100_000, "the corpus has a line longer than the read buffer")

	rng := rand.New(rand.NewPCG(2, 3))
	size := int64(len(data))
	// Cut points at and around every line end, and random ones.
	var nl []int64
	for i, c := range data {
		if c == '\n' {
			nl = append(nl, int64(i))
		}
	}
	for trial := range 25 {
		cuts := []int64{0, size}
		for range 1 + rng.IntN(8) {
			switch rng.IntN(3) {
			case 0:
				cuts = append(cuts, rng.Int64N(size+1))
			default: // just before, at or just after a newline
				cuts = append(cuts, min(size, max(0, nl[rng.IntN(len(nl))]+int64(rng.IntN(3))-1)))
			}
		}
		slices.Sort(cuts)
		var shards []Shard
		for i := 1; i < len(cuts); i++ {
			shards = append(shards, Shard{Path: path, Start: cuts[i-1], End: cuts[i]})
		}
		gotRecs, got := readShards(t, shards)
		assertSameRead(t, wantRecs, want, gotRecs, got, fmt.Sprintf("trial %d cuts %v", trial, cuts))
	}
}

func TestSplitJSONL(t *testing.T) {
	path, data := shardCorpus(t, 4)
	testSplitJSONL(t, path, data)
}

// Records before a shard decide its format, as they do for one reader over
// the whole file: bad records at a shard's start count under the format.
func TestSplitJSONLFormatFromEarlierRecords(t *testing.T) {
	path, data := shardCorpusFirst(t, 9, "not json\n\xff\xfe\n{\"unknown\":1}\n")
	testSplitJSONL(t, path, data)
}

func testSplitJSONL(t *testing.T, path string, data []byte) {
	wantRecs, want := wholeFile(t, path)
	require.NotEmpty(t, wantRecs)
	for _, n := range []int{1, 2, 3, 7, 16, 200} {
		shards, err := SplitJSONL(path, n)
		require.NoError(t, err)
		require.Len(t, shards, n)
		assert.EqualValues(t, 0, shards[0].Start)
		assert.EqualValues(t, len(data), shards[n-1].End)
		for i, s := range shards {
			if i > 0 {
				assert.Equal(t, shards[i-1].End, s.Start, "contiguous")
			}
			assert.LessOrEqual(t, s.Start, s.End)
			if s.Start > 0 && s.Start < int64(len(data)) {
				assert.Equal(t, byte('\n'), data[s.Start-1], "shard %d starts at a line start", i)
			}
			assert.EqualValues(t, bytes.Count(data[:s.Start], []byte{'\n'})+1, s.Line, "shard %d line", i)
		}
		gotRecs, got := readShards(t, shards)
		assertSameRead(t, wantRecs, want, gotRecs, got, fmt.Sprintf("n=%d", n))
	}
	// With 200 shards for about 125 lines some are empty; none is lost.
	shards, err := SplitJSONL(path, 200)
	require.NoError(t, err)
	empty := 0
	for _, s := range shards {
		if s.Start == s.End {
			empty++
		}
	}
	assert.Greater(t, empty, 50)
}

func TestShardStrictErrorsKeepFileLines(t *testing.T) {
	path, _ := shardCorpus(t, 5)
	r, err := Open(path)
	require.NoError(t, err)
	r.Strict = true
	var want []int
	for {
		_, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			want = append(want, pe.Line)
		}
	}
	r.Close()
	require.NotEmpty(t, want)

	shards, err := SplitJSONL(path, 5)
	require.NoError(t, err)
	var got []int
	for _, s := range shards {
		s.Line = 0 // make OpenShard count the lines itself
		r, err := OpenShard(s)
		require.NoError(t, err)
		r.Strict = true
		for {
			_, err := r.Next(context.Background())
			if err == io.EOF {
				break
			}
			var pe *ParseError
			if errors.As(err, &pe) {
				assert.Equal(t, path, pe.File)
				got = append(got, pe.Line)
			}
		}
		r.Close()
	}
	assert.Equal(t, want, got)
}

func TestNewShardReaderOverReaderAt(t *testing.T) {
	path, data := shardCorpus(t, 6)
	wantRecs, _ := wholeFile(t, path)
	mid := int64(len(data) / 2)
	var got []shardRecord
	for _, s := range []Shard{{Path: path, End: mid}, {Path: path, Start: mid, End: int64(len(data))}} {
		r, err := NewShardReader(bytes.NewReader(data), int64(len(data)), s)
		require.NoError(t, err)
		recs, _ := readShardRecords(t, r)
		got = append(got, recs...)
	}
	assert.Equal(t, wantRecs, got)
}

func TestShardErrors(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "a.jsonl.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(`{"messages":[{"role":"user","content":"hi"}]}` + "\n"))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(gz, b.Bytes(), 0o644))
	arr := filepath.Join(dir, "a.json")
	require.NoError(t, os.WriteFile(arr, []byte("\xef\xbb\xbf \n [{\"messages\":[]}]"), 0o644))

	for _, p := range []string{gz, arr, dir} {
		_, err := SplitJSONL(p, 2)
		assert.ErrorIs(t, err, ErrNotSplittable, p)
		_, err = OpenShard(Shard{Path: p, End: 10})
		assert.ErrorIs(t, err, ErrNotSplittable, p)
	}
	path, _ := shardCorpus(t, 8)
	_, err := SplitJSONL(path, 0)
	assert.ErrorIs(t, err, ErrInvalidShard)
	_, err = OpenShard(Shard{Path: path, Start: 10, End: 5})
	assert.ErrorIs(t, err, ErrInvalidShard)
	_, err = OpenShard(Shard{Path: filepath.Join(dir, "missing.jsonl")})
	assert.ErrorIs(t, err, os.ErrNotExist)
}
