package dsat

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodingsLoadOffline(t *testing.T) {
	for _, enc := range []string{EncodingCL100k, EncodingO200k} {
		n, err := CountTokens(enc, "hello world")
		require.NoError(t, err, enc)
		assert.Equal(t, 2, n, enc)
		n, err = CountTokens(enc, words(100))
		require.NoError(t, err, enc)
		assert.Equal(t, 100, n, enc)
	}
	_, err := CountTokens("gpt2", "x")
	assert.ErrorIs(t, err, ErrEncoding)
}

func TestCountTokensConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := CountTokens(EncodingCL100k, "the quick brown fox")
			assert.NoError(t, err)
			assert.Equal(t, 4, n)
		}()
	}
	wg.Wait()
}

// words returns n distinct-enough words: " w" repeated, one token each.
func words(n int) string { return strings.TrimSpace(strings.Repeat(" word", n)) }

func TestTokenBudgetLeftTruncates(t *testing.T) {
	ctx := context.Background()
	c := conv("c",
		"system", words(10), // 14 tokens with overhead
		"user", words(100), // 104
		"assistant", words(100), // 104
		"user", words(20), // 24
		"assistant", words(20), // 24
		"user", words(30), // 34: the final request
		"assistant", words(50), // 54: rejected
		"user", "no #complaint=0.9",
	)
	budget := func(p, total int) *Miner {
		return newTestMiner(t, func(c *Config) {
			c.Tokens = &TokenBudget{Encoding: EncodingO200k, MaxPromptTokens: p, MaxTotalTokens: total}
		})
	}

	res, err := budget(1000, 0).Mine(ctx, c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	assert.Len(t, res.Anchors[0].Prompt, 6, "fits: nothing dropped")
	assert.Nil(t, res.Anchors[0].Metadata)

	res, err = budget(100, 0).Mine(ctx, c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	p := res.Anchors[0].Prompt
	require.Len(t, p, 4, "the oldest exchange is dropped")
	assert.Equal(t, "system", p[0].Role)
	assert.Equal(t, words(20), p[1].Content)
	assert.Equal(t, "user", p[1].Role, "kept history starts with a user message")
	assert.Equal(t, words(30), p[3].Content, "final request kept")
	assert.Equal(t, 2, res.Anchors[0].Metadata["prompt_messages_dropped"])

	res, err = budget(50, 0).Mine(ctx, c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	p = res.Anchors[0].Prompt
	require.Len(t, p, 2, "only system and final request")
	assert.Equal(t, "system", p[0].Role)
	assert.Equal(t, words(30), p[1].Content)

	res, err = budget(40, 0).Mine(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, res.Anchors)
	assert.Equal(t, map[string]int{SkipPromptTooLong: 1}, res.Skipped)

	res, err = budget(0, 48+54+20).Mine(ctx, c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	assert.Len(t, res.Anchors[0].Prompt, 2, "total budget truncates the prompt too")

	res, err = budget(1000, 100).Mine(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, res.Anchors)
	assert.Equal(t, map[string]int{SkipTotalTooLong: 1}, res.Skipped)
}

func TestTokenBudgetWithoutSystemMessage(t *testing.T) {
	m := newTestMiner(t, func(c *Config) { c.Tokens = &TokenBudget{MaxPromptTokens: 60} })
	c := conv("c",
		"assistant", "Hello! How can I help?",
		"user", words(200),
		"assistant", words(10),
		"tool", words(10),
		"user", words(20),
		"assistant", words(30),
		"user", "bad #complaint=0.9",
	)
	res, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	p := res.Anchors[0].Prompt
	require.Len(t, p, 1, "history that does not fit is dropped whole; the assistant and tool messages cannot open it")
	assert.Equal(t, ChatMessage{Role: "user", Content: words(20)}, p[0])
	assert.Equal(t, 4, res.Anchors[0].Metadata["prompt_messages_dropped"])
}
