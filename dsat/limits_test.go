package dsat

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/badinput"
)

// TestHugeLineThroughTheMiner runs the whole mine path over a JSON Lines
// stream whose second line is hugeLine bytes long (1 GiB; 256 MiB under the
// race detector), produced by an io.Reader and never written to disk. The
// line is skipped as record_too_large, the records around it are mined, and
// the process grows by far less than the line: peak RSS (VmHWM) by under
// 300 MB and the Go heap allocations by under 200 MB.
func TestHugeLineThroughTheMiner(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a 1 GiB line")
	}
	in := badinput.HugeLine(badinput.Good1+"\n"+`{"id":"b2","messages":[{"role":"user","content":"`, hugeLine, `"}]}`+"\n"+badinput.Good3+"\n")
	m, err := NewMiner(DefaultConfig())
	require.NoError(t, err)
	runtime.GC()
	rss0, haveRSS := badinput.PeakRSS()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st, err := m.Run(context.Background(), []Input{conversation.NewReader(in, "huge.jsonl")}, Sinks{})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Equal(t, int64(3), st.Records)
	assert.Equal(t, int64(2), st.Conversations, "the records around the huge line are mined")
	assert.Equal(t, map[string]int64{conversation.ReasonRecordTooLarge: 1}, st.Accounting.SkippedByReason)
	assert.True(t, st.Accounting.Balanced)
	alloc := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, alloc, uint64(200<<20), "allocated bytes")
	msg := fmt.Sprintf("%d MiB line: %d MiB allocated", hugeLine>>20, alloc>>20)
	if haveRSS {
		rss1, _ := badinput.PeakRSS()
		assert.Less(t, rss1-rss0, uint64(300<<20), "peak RSS growth")
		msg += fmt.Sprintf(", peak RSS %d -> %d MiB", rss0>>20, rss1>>20)
	}
	t.Log(msg)
}

// TestLimitsAreCountedSkips shows the per-record size cap and the
// per-conversation message cap as counted skips in a lenient run and as
// typed errors in a strict one.
func TestLimitsAreCountedSkips(t *testing.T) {
	many := `{"id":"many","messages":[` + strings.TrimSuffix(strings.Repeat(`{"role":"user","content":"x"},`, 15), ",") + `]}`
	big := `{"id":"big","messages":[{"role":"user","content":"` + strings.Repeat("y", 5000) + `"}]}`
	input := badinput.Good1 + "\n" + many + "\n" + big + "\n" + badinput.Good3 + "\n"
	open := func(strict bool) *conversation.Reader {
		r := conversation.NewReader(strings.NewReader(input), "limits.jsonl")
		r.MaxMessages = 10
		r.MaxRecordSize = 1000
		r.Strict = strict
		return r
	}
	m, err := NewMiner(DefaultConfig())
	require.NoError(t, err)
	st, err := m.Run(context.Background(), []Input{open(false)}, Sinks{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{conversation.ReasonTooManyMessages: 1, conversation.ReasonRecordTooLarge: 1}, st.Accounting.SkippedByReason)
	assert.Equal(t, int64(2), st.Conversations)
	assert.True(t, st.Accounting.Balanced)

	_, err = m.Run(context.Background(), []Input{open(true)}, Sinks{})
	var pe *conversation.ParseError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, conversation.ErrTooManyMessages)
	assert.Equal(t, 2, pe.Line)
	assert.Contains(t, err.Error(), "limits.jsonl:2: too_many_messages")
}
