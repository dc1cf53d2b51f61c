package dsat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// checkNoLeak fails the test if goroutines started during it are still
// running shortly after it ends.
func checkNoLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

// runOutput is everything a run writes.
type runOutput struct {
	anchors, events, stats string
	progress               int
}

// runFiles mines the files with the given number of workers and returns the
// outputs.
func runFiles(t *testing.T, workers int, cfg func(*Config), paths ...string) (runOutput, error) {
	t.Helper()
	c := DefaultConfig()
	c.Workers = workers
	if cfg != nil {
		cfg(&c)
	}
	m, err := NewMiner(c)
	require.NoError(t, err)
	var inputs []Input
	for _, p := range paths {
		r, err := conversation.Open(p)
		require.NoError(t, err)
		t.Cleanup(func() { r.Close() })
		inputs = append(inputs, r)
	}
	var a, e bytes.Buffer
	var out runOutput
	st, err := m.Run(context.Background(), inputs, Sinks{
		Anchors: newLineSink(&a), Events: newLineSink(&e),
		Progress: func(*Stats) { out.progress++ },
	})
	sj, jerr := jsonx.Marshal(st)
	require.NoError(t, jerr)
	out.anchors, out.events, out.stats = a.String(), e.String(), string(sj)
	return out, err
}

// repeatedCorpus writes the bundled WildChat sample several times over with
// fresh conversation ids, so that runs have enough conversations of mixed
// sizes for workers to finish out of order.
func repeatedCorpus(t *testing.T, copies int) string {
	t.Helper()
	data, err := os.ReadFile("../testdata/sample/wildchat-sample.jsonl")
	require.NoError(t, err)
	var b bytes.Buffer
	for i := range copies {
		b.Write(bytes.ReplaceAll(data, []byte(`"conversation_hash": "`), fmt.Appendf(nil, `"conversation_hash": "%d-`, i)))
		if i%3 == 0 {
			b.WriteString("this line is not json\n")
		}
	}
	p := filepath.Join(t.TempDir(), "repeated.jsonl")
	require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	return p
}

// interleavedLabelled writes the labelled conversations of every language
// interleaved line by line, so that each worker sees languages mixed.
func interleavedLabelled(t *testing.T) string {
	t.Helper()
	paths, err := filepath.Glob("../testdata/labelled/*.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var files [][]string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		files = append(files, strings.SplitAfter(string(b), "\n"))
	}
	var b strings.Builder
	for i := 0; ; i++ {
		wrote := false
		for _, lines := range files {
			if i < len(lines) {
				b.WriteString(lines[i])
				wrote = true
			}
		}
		if !wrote {
			break
		}
	}
	p := filepath.Join(t.TempDir(), "languages.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	return p
}

func TestRunByteIdenticalForAnyWorkerCount(t *testing.T) {
	checkNoLeak(t)
	// Each sample is mined in "all samples" (several inputs); the cases of
	// one input are "repeated", "languages mixed" and "real sharegpt".
	cases := map[string][]string{
		"all samples":      {"../testdata/sample/openai-sample.jsonl", "../testdata/sample/sharegpt-sample.json", "../testdata/sample/wildchat-sample.jsonl"},
		"repeated":         {repeatedCorpus(t, 3)},
		"languages mixed":  {interleavedLabelled(t)},
		"real sharegpt":    {"../../shared/data/real/sharegpt-sample.json"},
		"formats":          {"../testdata/formats/lmsys.jsonl", "../testdata/formats/oasst-trees.jsonl", "../testdata/formats/hh-rlhf.jsonl"},
		"no input at all":  nil,
		"one empty record": {"../testdata/bad/empty-conversation.jsonl"},
	}
	for name, paths := range cases {
		t.Run(name, func(t *testing.T) {
			for _, p := range paths {
				if _, err := os.Stat(p); err != nil && strings.Contains(p, "shared/data") {
					t.Skip("shared data not present")
				}
			}
			want, err := runFiles(t, 1, nil, paths...)
			require.NoError(t, err)
			if name != "no input at all" && name != "one empty record" {
				require.NotEmpty(t, want.events)
			}
			workerCounts := []int{2, 8}
			if name == "real sharegpt" {
				workerCounts = []int{8} // large: keep the race-enabled run short
			}
			for _, workers := range workerCounts {
				got, err := runFiles(t, workers, nil, paths...)
				require.NoError(t, err)
				assert.Equal(t, want.anchors, got.anchors, "anchors with %d workers", workers)
				assert.Equal(t, want.events, got.events, "events with %d workers", workers)
				assert.Equal(t, want.stats, got.stats, "stats with %d workers", workers)
				assert.Equal(t, want.progress, got.progress, "progress calls with %d workers", workers)
			}
		})
	}
}

func TestRunTokenBudgetAndNoDedupIdentical(t *testing.T) {
	p := repeatedCorpus(t, 3)
	cfg := func(c *Config) {
		c.Tokens = &TokenBudget{MaxPromptTokens: 200, MaxTotalTokens: 400}
		c.Dedup = false
	}
	want, err := runFiles(t, 1, cfg, p)
	require.NoError(t, err)
	got, err := runFiles(t, 4, cfg, p)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// A strict reader's error stops the run at the same record, with the same
// statistics, whatever the number of workers.
func TestRunStrictErrorIdentical(t *testing.T) {
	checkNoLeak(t)
	p := repeatedCorpus(t, 6)
	run := func(workers int) (runOutput, error) {
		m, err := NewMiner(func() Config { c := DefaultConfig(); c.Workers = workers; return c }())
		require.NoError(t, err)
		r, err := conversation.Open(p)
		require.NoError(t, err)
		defer r.Close()
		r.Strict = true
		var a bytes.Buffer
		st, err := m.Run(context.Background(), []Input{r}, Sinks{Anchors: newLineSink(&a)})
		sj, _ := jsonx.Marshal(st)
		return runOutput{anchors: a.String(), stats: string(sj)}, err
	}
	want, werr := run(1)
	var pe *conversation.ParseError
	require.ErrorAs(t, werr, &pe)
	require.Greater(t, pe.Line, 1)
	for _, workers := range []int{2, 8} {
		got, err := run(workers)
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, werr.Error(), err.Error())
		assert.Equal(t, want, got)
	}
}

// failAfter is an anchor sink that fails on its n-th anchor.
type failAfter struct {
	n, seen int
}

var errDiskFull = errors.New("disk full")

func (f *failAfter) WriteAnchor(*Anchor) error {
	f.seen++
	if f.seen >= f.n {
		return errDiskFull
	}
	return nil
}

func TestRunSinkErrorStopsEveryGoroutine(t *testing.T) {
	checkNoLeak(t)
	p := repeatedCorpus(t, 6)
	var want string
	for _, workers := range []int{1, 2, 8} {
		c := DefaultConfig()
		c.Workers = workers
		m, err := NewMiner(c)
		require.NoError(t, err)
		r, err := conversation.Open(p)
		require.NoError(t, err)
		st, err := m.Run(context.Background(), []Input{r}, Sinks{Anchors: &failAfter{n: 5}})
		r.Close()
		require.ErrorIs(t, err, errDiskFull)
		assert.EqualValues(t, 4, st.Anchors)
		sj, _ := jsonx.Marshal(st)
		if workers == 1 {
			want = string(sj)
		}
		assert.Equal(t, want, string(sj), "stats at the error with %d workers", workers)
	}
}

// countingInput counts the conversations handed out.
type countingInput struct {
	Input
	n atomic.Int64
}

func (c *countingInput) Next(ctx context.Context) (*conversation.Conversation, error) {
	conv, err := c.Input.Next(ctx)
	if err == nil {
		c.n.Add(1)
	}
	return conv, err
}

// manyInput yields n small conversations, one in four dissatisfied.
type manyInput struct {
	n, i int
}

func (g *manyInput) Next(context.Context) (*conversation.Conversation, error) {
	if g.i >= g.n {
		return nil, io.EOF
	}
	g.i++
	followUp := "ok, and in June?"
	if g.i%4 == 0 {
		followUp = "That's wrong, try again."
	}
	return conv(fmt.Sprint("c", g.i), "user", fmt.Sprintf("What is the weather in city %d in May?", g.i), "assistant", "Sunny.", "user", followUp), nil
}

func (g *manyInput) Stats() conversation.ReadStats {
	return conversation.ReadStats{Records: int64(g.i), Formats: map[string]int64{"test": int64(g.i)}}
}

func TestRunBoundsItemsInFlight(t *testing.T) {
	checkNoLeak(t)
	const workers = 3
	c := DefaultConfig()
	c.Workers = workers
	m, err := NewMiner(c)
	require.NoError(t, err)
	in := &countingInput{Input: &manyInput{n: 3000}}
	var maxAhead int64
	st, err := m.Run(context.Background(), []Input{in}, Sinks{Progress: func(st *Stats) {
		if st.Conversations%8 == 0 {
			time.Sleep(100 * time.Microsecond) // a slow sink: the reader would run ahead if it could
		}
		maxAhead = max(maxAhead, in.n.Load()-st.Conversations)
	}})
	require.NoError(t, err)
	require.EqualValues(t, 3000, st.Conversations)
	// In flight: a window of batches, and the batch the reader is filling.
	assert.LessOrEqual(t, maxAhead, int64((workers*windowPerWorker+1)*batchConvs), "conversations read but not yet written")
	assert.Greater(t, maxAhead, int64(batchConvs), "the reader works ahead of the writer")
}

func TestRunCancellation(t *testing.T) {
	checkNoLeak(t)
	p := repeatedCorpus(t, 6)
	for _, workers := range []int{1, 2, 8} {
		c := DefaultConfig()
		c.Workers = workers
		m, err := NewMiner(c)
		require.NoError(t, err)
		r, err := conversation.Open(p)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		st, err := m.Run(ctx, []Input{r}, Sinks{Progress: func(st *Stats) {
			if st.Conversations == 20 {
				cancel()
			}
		}})
		r.Close()
		cancel()
		require.ErrorIs(t, err, context.Canceled, "workers %d", workers)
		assert.GreaterOrEqual(t, st.Conversations, int64(20))
		assert.Less(t, st.Conversations, int64(300), "the run stops soon after the cancellation")
	}
}

// errInput fails with a fatal error after n conversations.
type errInput struct {
	conv *conversation.Conversation
	n, i int
}

var errIO = errors.New("read: connection reset")

func (e *errInput) Next(context.Context) (*conversation.Conversation, error) {
	if e.i >= e.n {
		return nil, errIO
	}
	e.i++
	c := *e.conv
	c.ID = fmt.Sprint("c", e.i)
	return &c, nil
}

func (e *errInput) Stats() conversation.ReadStats {
	return conversation.ReadStats{Records: int64(e.i), Formats: map[string]int64{"test": int64(e.i)}}
}

func TestRunReaderErrorAfterEarlierInputs(t *testing.T) {
	checkNoLeak(t)
	c := conv("x", "user", "Write a poem about the sea", "assistant", "The sea is blue.", "user", "That's wrong, try again.")
	for _, workers := range []int{1, 2, 8} {
		cfg := DefaultConfig()
		cfg.Workers = workers
		m, err := NewMiner(cfg)
		require.NoError(t, err)
		first := &sliceInput{convs: []*conversation.Conversation{c, c}}
		st, err := m.Run(context.Background(), []Input{first, &errInput{conv: c, n: 30}, &sliceInput{convs: []*conversation.Conversation{c}}}, Sinks{})
		require.ErrorIs(t, err, errIO)
		assert.EqualValues(t, 32, st.Conversations)
		assert.EqualValues(t, 32, st.Records, "both inputs' reader counts")
		assert.Equal(t, map[string]int64{"test": 32}, st.Formats)
	}
}

func TestWorkersConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workers = -1
	_, err := NewMiner(cfg)
	assert.ErrorIs(t, err, ErrConfig)
	cfg.Workers = 0
	m, err := NewMiner(cfg)
	require.NoError(t, err)
	assert.Equal(t, runtime.NumCPU(), m.workers())
}

func TestRunShardsMergeToTheWholeRun(t *testing.T) {
	checkNoLeak(t)
	p := repeatedCorpus(t, 4)
	c := DefaultConfig()
	c.Dedup = false // dedup spans one shard only
	c.Workers = 2
	m, err := NewMiner(c)
	require.NoError(t, err)
	r, err := conversation.Open(p)
	require.NoError(t, err)
	var want bytes.Buffer
	wst, err := m.Run(context.Background(), []Input{r}, Sinks{Anchors: newLineSink(&want)})
	r.Close()
	require.NoError(t, err)

	shards, err := conversation.SplitJSONL(p, 3)
	require.NoError(t, err)
	var got bytes.Buffer
	total := m.NewStats()
	for _, sh := range shards {
		st, err := m.RunShard(context.Background(), sh, func(r *conversation.Reader) { r.MaxMessages = 500 }, Sinks{Anchors: newLineSink(&got)})
		require.NoError(t, err)
		total.Merge(st)
	}
	assert.Equal(t, want.String(), got.String())
	wj, _ := jsonx.Marshal(wst)
	gj, _ := jsonx.Marshal(total)
	assert.JSONEq(t, string(wj), string(gj))

	_, err = m.RunShard(context.Background(), conversation.Shard{Path: p + ".missing"}, nil, Sinks{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestRunEmptyInputs(t *testing.T) {
	checkNoLeak(t)
	c := DefaultConfig()
	c.Workers = 4
	m, err := NewMiner(c)
	require.NoError(t, err)
	st, err := m.Run(context.Background(), []Input{&sliceInput{}, &sliceInput{}}, Sinks{})
	require.NoError(t, err)
	assert.Zero(t, st.Conversations)
}
