package wildchat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateIsDeterministicValidJSONL(t *testing.T) {
	var a, b bytes.Buffer
	sa, err := Generate(&a, 2_000_000, 7)
	require.NoError(t, err)
	_, err = Generate(&b, 2_000_000, 7)
	require.NoError(t, err)
	assert.Equal(t, a.Bytes(), b.Bytes())
	assert.EqualValues(t, a.Len(), sa.Bytes)
	assert.GreaterOrEqual(t, sa.Bytes, int64(2_000_000))

	// A smaller size gives a prefix.
	var c bytes.Buffer
	_, err = Generate(&c, 500_000, 7)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(a.Bytes(), c.Bytes()))

	// Another seed gives another corpus.
	var d bytes.Buffer
	_, err = Generate(&d, 500_000, 8)
	require.NoError(t, err)
	assert.NotEqual(t, c.Bytes()[:1000], d.Bytes()[:1000])

	langs := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(a.Bytes()))
	sc.Buffer(nil, 1<<20)
	n, code := 0, 0
	for sc.Scan() {
		var rec struct {
			Hash         string `json:"conversation_hash"`
			Language     string `json:"language"`
			Conversation []struct {
				Role, Content string
			} `json:"conversation"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
		require.NotEmpty(t, rec.Hash)
		require.NotEmpty(t, rec.Conversation)
		assert.Equal(t, "user", rec.Conversation[0].Role)
		langs[rec.Language]++
		if bytes.Contains(sc.Bytes(), []byte("```")) {
			code++
		}
		n++
	}
	require.NoError(t, sc.Err())
	assert.EqualValues(t, sa.Conversations, n)
	assert.Len(t, langs, 7)
	assert.Greater(t, langs["English"], n/3)
	assert.Greater(t, code, n/10)
	rate := float64(sa.DSAT) / float64(sa.FollowUps)
	assert.InDelta(t, 0.12, rate, 0.03, "share of dissatisfied follow-ups")
}
