package dsat

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/badinput"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// checkBalanced asserts the accounting equation and its two halves from the
// run's own counters, and that Accounting reports them.
func checkBalanced(t *testing.T, st *Stats) {
	t.Helper()
	a := st.Accounting
	var skipped int64
	for _, n := range a.SkippedByReason {
		skipped += n
	}
	assert.Equal(t, st.Records, a.Records)
	assert.Equal(t, st.RecordsSkipped, skipped, "records skipped by reason")
	assert.Equal(t, a.Records, a.RecordsKept+skipped, "records = kept + skipped: %+v", a)
	assert.Equal(t, a.ConversationsRead, st.ConversationsMined+st.ConversationsNoSignal, "every conversation read was mined: %+v", a)
	assert.Equal(t, st.Conversations, a.ConversationsRead)
	assert.Equal(t, a.Records, st.ConversationsMined+st.ConversationsNoSignal+skipped-a.FanOut, "the equation: %+v", a)
	// The reader layer's map is the accounting's: miner and export drops
	// (Stats.Dropped) are never mistaken for skipped records.
	assert.Equal(t, a.SkippedByReason, st.ReadSkipped, "ReadSkipped is the readers' skips by reason")
	for reason := range st.Dropped {
		assert.NotContains(t, st.ReadSkipped, reason)
	}
	assert.True(t, a.Balanced, "%+v", a)
}

// TestAccountingBadInputCorpus mines every input of the bad-input corpus
// leniently, one run per input and one run over all of them, and checks that
// every record read is mined, has no signal, or is skipped with a reason.
func TestAccountingBadInputCorpus(t *testing.T) {
	dir, err := badinput.Dir()
	require.NoError(t, err)
	entries, err := badinput.Load(dir)
	require.NoError(t, err)
	m, err := NewMiner(DefaultConfig())
	require.NoError(t, err)
	var all []Input
	var want int64 // skipped records the manifest promises
	for _, e := range entries {
		if e.Generated && testing.Short() {
			continue
		}
		t.Run(e.File, func(t *testing.T) {
			rc, err := badinput.Open(dir, e)
			require.NoError(t, err)
			defer rc.Close()
			r := conversation.NewReader(rc, filepath.Join(dir, e.File))
			st, err := m.Run(context.Background(), []Input{r}, Sinks{})
			require.NoError(t, err)
			checkBalanced(t, st)
			assert.Equal(t, int64(e.Skipped), st.Accounting.RecordsSkipped)
			if e.Good >= 0 {
				assert.Equal(t, int64(e.Good), st.Conversations, "good records around the bad ones are mined")
			}
			if e.Skipped > 0 {
				assert.Positive(t, st.Records, "a skipped record is a record read")
			}
		})
		if e.Generated {
			continue
		}
		rc, err := badinput.Open(dir, e)
		require.NoError(t, err)
		t.Cleanup(func() { rc.Close() })
		all = append(all, conversation.NewReader(rc, e.File))
		want += int64(e.Skipped)
	}
	st, err := m.Run(context.Background(), all, Sinks{})
	require.NoError(t, err)
	checkBalanced(t, st)
	assert.Equal(t, want, st.Accounting.RecordsSkipped)
	assert.Positive(t, st.ConversationsMined)
	assert.Positive(t, st.ConversationsNoSignal)
	assert.GreaterOrEqual(t, len(st.Accounting.SkippedByReason), 9, "%v", st.Accounting.SkippedByReason)

	// The accounting object is part of the written statistics.
	b, err := jsonx.Marshal(st)
	require.NoError(t, err)
	var back struct {
		Accounting map[string]any `json:"accounting"`
	}
	require.NoError(t, jsonx.Unmarshal(b, &back))
	assert.Equal(t, true, back.Accounting["balanced"])
	for _, k := range []string{"records", "records_kept", "records_skipped", "skipped_by_reason",
		"conversations_read", "conversations_mined", "conversations_no_signal", "fan_out"} {
		assert.Contains(t, back.Accounting, k)
	}
}

// TestAccountingFanOut checks the equation where records and conversations
// are not one to one: OpenAssistant trees (one conversation per path) and
// message rows (one tree from many rows), with a tree whose messages are all
// deleted and rows whose tree has a bad role.
func TestAccountingFanOut(t *testing.T) {
	trees := `{"message_tree_id":"t1","prompt":{"message_id":"a","text":"q","role":"prompter","replies":[` +
		`{"message_id":"b","text":"x","role":"assistant","replies":[]},{"message_id":"c","text":"y","role":"assistant","replies":[]}]}}` + "\n" +
		`{"message_tree_id":"t2","prompt":{"message_id":"d","text":"q","role":"prompter","deleted":true,"replies":[]}}` + "\n"
	rows := `{"message_id":"a","parent_id":null,"message_tree_id":"t1","text":"q","role":"prompter"}` + "\n" +
		`{"message_id":"b","parent_id":"a","message_tree_id":"t1","text":"x","role":"assistant"}` + "\n" +
		`{"message_id":"c","parent_id":"b","message_tree_id":"t1","text":"that's wrong","role":"prompter"}` + "\n" +
		`{"message_id":"d","parent_id":null,"message_tree_id":"t2","text":"q","role":"prompter"}` + "\n" +
		`{"message_id":"e","parent_id":"d","message_tree_id":"t2","text":"x","role":"wizard"}` + "\n"
	m, err := NewMiner(DefaultConfig())
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		in                            string
		records, kept, convs, skipped int64
	}{
		"trees": {in: trees, records: 2, kept: 1, convs: 2, skipped: 1},
		"rows":  {in: rows, records: 5, kept: 3, convs: 1, skipped: 2},
	} {
		t.Run(name, func(t *testing.T) {
			st, err := m.Run(context.Background(), []Input{conversation.NewReader(stringsReader(tc.in), name+".jsonl")}, Sinks{})
			require.NoError(t, err)
			checkBalanced(t, st)
			a := st.Accounting
			assert.Equal(t, tc.records, a.Records)
			assert.Equal(t, tc.kept, a.RecordsKept)
			assert.Equal(t, tc.convs, a.ConversationsRead)
			assert.Equal(t, tc.skipped, a.RecordsSkipped)
			assert.Equal(t, tc.convs-tc.kept, a.FanOut)
		})
	}
}

// TestAccountingStoppedRunIsUnbalanced shows that the accounting does not
// claim a balance for a strict run that stopped at a bad record.
func TestAccountingStoppedRunIsUnbalanced(t *testing.T) {
	in := `{"messages":[{"role":"user","content":"a"}]}` + "\n" + `{"messages":[{"role":"wizard","content":"a"}]}` + "\n" +
		`{"messages":[{"role":"user","content":"b"}]}` + "\n"
	r := conversation.NewReader(stringsReader(in), "x.jsonl")
	r.Strict = true
	m, err := NewMiner(DefaultConfig())
	require.NoError(t, err)
	st, err := m.Run(context.Background(), []Input{r}, Sinks{})
	require.Error(t, err)
	// The bad record was read and counted as skipped, but the record after
	// it was never read: the balance holds for what was read.
	assert.Equal(t, int64(2), st.Accounting.Records)
	assert.Equal(t, int64(1), st.Accounting.RecordsSkipped)
	assert.True(t, st.Accounting.Balanced)
}

// TestAccountingSharedData checks the invariant over the external logs in
// ../shared/data/real when they are present.
func TestAccountingSharedData(t *testing.T) {
	files := []string{"sharegpt-sample.json", "hh-rlhf-harmless-test.jsonl.gz", "oasst-en100-trees.jsonl", "oasst-en100-messages.jsonl"}
	m, err := NewMiner(DefaultConfig())
	require.NoError(t, err)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			path := shareddata.Require(t, "real/"+f)
			r, err := conversation.Open(path)
			require.NoError(t, err)
			defer r.Close()
			st, err := m.Run(context.Background(), []Input{r}, Sinks{})
			require.NoError(t, err)
			checkBalanced(t, st)
			assert.Positive(t, st.Records)
			t.Logf("%s: %+v", f, st.Accounting)
		})
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
