package dsat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// sliceInput is an Input over fixed conversations.
type sliceInput struct {
	convs []*conversation.Conversation
	i     int
}

func (s *sliceInput) Next(context.Context) (*conversation.Conversation, error) {
	if s.i >= len(s.convs) {
		return nil, io.EOF
	}
	s.i++
	return s.convs[s.i-1], nil
}

func (s *sliceInput) Stats() conversation.ReadStats {
	return conversation.ReadStats{Records: int64(len(s.convs)), Conversations: int64(s.i), Formats: map[string]int64{"test": int64(len(s.convs))}}
}

func TestRunDedupAndStats(t *testing.T) {
	a := conv("a", "user", "Write a poem", "assistant", "Roses  are red", "user", "bad #complaint=0.9", "assistant", "better", "user", "thanks #sat=0.8")
	a.Model, a.Language = "gpt-4", "English"
	// Same prompt and rejected up to case and white space.
	b := conv("b", "user", "write a  POEM", "assistant", "roses are\nred", "user", "awful #complaint=0.8")
	b.Model = "gpt-4"
	c := conv("c", "user", "hi", "assistant", "hello", "user", "ok then", "assistant", "fine", "user", "really? #doubt=0.9 #pushback=0.7")
	d := conv("d", "user", "solo question")

	m := newTestMiner(t, func(c *Config) { c.DRIFTPairing = true })
	var anchors, events bytes.Buffer
	var progress int
	st, err := m.Run(context.Background(), []Input{&sliceInput{convs: []*conversation.Conversation{a, b}}, &sliceInput{convs: []*conversation.Conversation{c, d}}},
		Sinks{Events: newLineSink(&events), Anchors: newLineSink(&anchors), Progress: func(*Stats) { progress++ }})
	require.NoError(t, err)

	assert.Equal(t, 4, progress)
	assert.EqualValues(t, 4, st.Records)
	assert.EqualValues(t, 0, st.RecordsSkipped)
	assert.EqualValues(t, 4, st.Conversations)
	assert.EqualValues(t, 3, st.ConversationsMined)
	assert.EqualValues(t, 1, st.ConversationsNoSignal)
	assert.Equal(t, st.Conversations, st.ConversationsMined+st.ConversationsNoSignal)
	assert.EqualValues(t, 2+1+2, st.FollowUps)
	assert.EqualValues(t, 3, st.DSATEvents)
	assert.EqualValues(t, 1, st.SATEvents)
	assert.Equal(t, map[string]int64{"complaint": 2, "doubt": 1, "pushback": 1}, st.Events)
	assert.EqualValues(t, 1, st.Anchors, "a; b is a duplicate of a; c is doubt and pushback only")
	assert.EqualValues(t, 1, st.Pairs)
	assert.EqualValues(t, 1, st.Duplicates)
	assert.Equal(t, GroupStats{Conversations: 2, FollowUps: 3, DSAT: 2, Rate: 0.6667}, st.Models["gpt-4"])
	assert.Equal(t, GroupStats{Conversations: 2, FollowUps: 2, DSAT: 1, Rate: 0.5}, st.Models["unknown"])
	assert.Equal(t, GroupStats{Conversations: 1, FollowUps: 2, DSAT: 1, Rate: 0.5}, st.Languages["English"])
	assert.Equal(t, map[string]int64{"test": 4}, st.Formats)

	assert.Equal(t, 1, strings.Count(anchors.String(), "\n"))
	assert.Equal(t, 4, strings.Count(events.String(), "\n"))
	var first Anchor
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(anchors.String(), "\n", 2)[0]), &first))
	assert.Equal(t, "a", first.ConversationID)

	// Merge doubles every count and keeps the rates.
	st2 := NewStats()
	st2.Merge(st)
	st2.Merge(st)
	assert.EqualValues(t, 8, st2.Conversations)
	assert.EqualValues(t, 2, st2.Anchors)
	assert.Equal(t, GroupStats{Conversations: 4, FollowUps: 6, DSAT: 4, Rate: 0.6667}, st2.Models["gpt-4"])
}

func TestRunCountsExportSkips(t *testing.T) {
	a := conv("a", "user", "q", "assistant", "bad", "user", "x #complaint=0.9")
	b := conv("b", "user", "q2", "assistant", "bad", "user", "x #complaint=0.9", "assistant", "good", "user", "#sat=0.9")
	var buf bytes.Buffer
	st, err := newTestMiner(t, func(c *Config) { c.DRIFTPairing = true }).Run(context.Background(), []Input{&sliceInput{convs: []*conversation.Conversation{a, b}}},
		Sinks{Anchors: &lineSink{w: &buf, pairsOnly: true}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, st.Anchors)
	assert.EqualValues(t, 1, st.Pairs)
	assert.EqualValues(t, 1, st.Dropped[SkipNoChosen])
	assert.Empty(t, st.ReadSkipped, "the reader skipped nothing")
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
}

const jsonlInput = `{"messages":[{"role":"user","content":"Name a prime number"},{"role":"assistant","content":"Nine"},{"role":"user","content":"no #correction=0.9, seven"}]}
this line is not json
{"messages":[{"role":"system","content":"be nice"},{"role":"user","content":"hello"},{"role":"assistant","content":"hi"}]}
{"messages":[{"role":"user","content":"tell a joke"},{"role":"assistant","content":"knock knock"},{"role":"user","content":"thanks #sat=0.9"}]}
`

func TestRunWithReaderAccountsForEveryRecord(t *testing.T) {
	r := conversation.NewReader(strings.NewReader(jsonlInput), "in.jsonl")
	var out bytes.Buffer
	st, err := newTestMiner(t, nil).Run(context.Background(), []Input{r}, Sinks{Anchors: newLineSink(&out)})
	require.NoError(t, err)
	assert.EqualValues(t, 4, st.Records)
	assert.EqualValues(t, 1, st.RecordsSkipped)
	assert.EqualValues(t, 3, st.Conversations)
	assert.Equal(t, st.Records, st.Conversations+st.RecordsSkipped, "one conversation per good record here")
	var skippedByReason int64
	for _, n := range st.ReadSkipped {
		skippedByReason += n
	}
	assert.EqualValues(t, 1, skippedByReason)
	assert.Equal(t, st.RecordsSkipped, skippedByReason, "ReadSkipped holds the reader's skips only")
	for reason := range st.Dropped {
		assert.NotContains(t, st.ReadSkipped, reason, "miner reasons stay out of ReadSkipped")
	}
	assert.EqualValues(t, 1, st.Anchors)
	assert.EqualValues(t, 1, st.SATEvents)
	assert.Equal(t, st.Conversations, st.ConversationsMined+st.ConversationsNoSignal)

	// Strict mode stops at the bad line with a *ParseError naming it.
	r = conversation.NewReader(strings.NewReader(jsonlInput), "in.jsonl")
	r.Strict = true
	st, err = newTestMiner(t, nil).Run(context.Background(), []Input{r}, Sinks{})
	var pe *conversation.ParseError
	require.True(t, errors.As(err, &pe), "got %v", err)
	assert.Equal(t, 2, pe.Line)
	assert.EqualValues(t, 1, st.Conversations)
}

func TestRunIsByteIdentical(t *testing.T) {
	run := func() (string, string, string) {
		r := conversation.NewReader(strings.NewReader(jsonlInput), "in.jsonl")
		var a, e bytes.Buffer
		st, err := newTestMiner(t, nil).Run(context.Background(), []Input{r}, Sinks{Events: newLineSink(&e), Anchors: newLineSink(&a)})
		require.NoError(t, err)
		sj, err := json.Marshal(st)
		require.NoError(t, err)
		return a.String(), e.String(), string(sj)
	}
	a1, e1, s1 := run()
	a2, e2, s2 := run()
	assert.NotEmpty(t, a1)
	assert.Equal(t, a1, a2)
	assert.Equal(t, e1, e2)
	assert.Equal(t, s1, s2)
}

type failingSink struct{}

func (failingSink) WriteAnchor(*Anchor) error { return errors.New("disk full") }

func TestRunReturnsSinkError(t *testing.T) {
	a := conv("a", "user", "q", "assistant", "bad", "user", "x #complaint=0.9")
	st, err := newTestMiner(t, nil).Run(context.Background(), []Input{&sliceInput{convs: []*conversation.Conversation{a}}}, Sinks{Anchors: failingSink{}})
	require.ErrorContains(t, err, "disk full")
	assert.EqualValues(t, 1, st.Conversations)
}

func TestMineConcurrentUse(t *testing.T) {
	m := newTestMiner(t, func(c *Config) { c.Tokens = &TokenBudget{MaxPromptTokens: 50} })
	c := conv("c", "user", "q", "assistant", "bad", "user", "x #complaint=0.9", "assistant", "good", "user", "#sat=0.9")
	want, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	done := make(chan *Result)
	for range 8 {
		go func() {
			res, err := m.Mine(context.Background(), c)
			assert.NoError(t, err)
			done <- res
		}()
	}
	for range 8 {
		assert.Equal(t, want, <-done)
	}
}

func TestStatsJSONSortsKeys(t *testing.T) {
	st := NewStats()
	for _, k := range []string{"refinement", "complaint", "pushback", "correction", "doubt", "preference"} {
		st.Events[k] = 1
		st.ReadSkipped[k+"_x"] = 2
		st.Dropped[k+"_y"] = 2
		st.Models["m-"+k] = GroupStats{Conversations: 1}
	}
	for range 5 {
		b, err := jsonx.Marshal(st)
		require.NoError(t, err)
		s := string(b)
		assert.Less(t, strings.Index(s, `"complaint"`), strings.Index(s, `"correction"`))
		assert.Less(t, strings.Index(s, `"correction"`), strings.Index(s, `"doubt"`))
		assert.Less(t, strings.Index(s, `"preference"`), strings.Index(s, `"pushback"`))
		assert.Less(t, strings.Index(s, `"pushback"`), strings.Index(s, `"refinement"`))
		assert.Less(t, strings.Index(s, `"m-complaint"`), strings.Index(s, `"m-refinement"`))
	}
}
