package conversation

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contents returns "role: content" lines of c.
func contents(c *Conversation) []string {
	out := make([]string, len(c.Messages))
	for i, m := range c.Messages {
		out[i] = string(m.Role) + ": " + m.Content
	}
	return out
}

func readPreference(t *testing.T, name string) ([]*Conversation, ReadStats) {
	t.Helper()
	convs, st, err := readFile(t, filepath.Join(formatsDir, name), func(r *Reader) { r.Strict = true })
	require.NoError(t, err)
	assert.Empty(t, st.Skipped)
	assert.Equal(t, map[string]int64{"preference": st.Records}, st.Formats, "detected as preference records")
	return convs, st
}

func TestReadPreferenceTRL(t *testing.T) {
	convs, _ := readPreference(t, "preference-trl.jsonl")
	require.Len(t, convs, 5)
	assert.Equal(t, []string{"system: Answer with one word.", "user: Capital of Italy?", "assistant: Rome."}, contents(convs[4]),
		`a prompt named "messages" with plain-text replies`)
	assert.Equal(t, "Milan.", convs[4].Metadata["rejected_reply"])
	assert.Equal(t, []string{"user: What colour is the sky on a clear day?", "assistant: Blue."}, contents(convs[0]))
	assert.Equal(t, "Green.", convs[0].Metadata["rejected_reply"])
	assert.Equal(t, []string{"user: Name a prime number below 5.", "assistant: 3"}, contents(convs[1]))
	assert.Equal(t, "4", convs[1].Metadata["rejected_reply"])
	assert.Equal(t, []string{"user: Spell cat backwards.", "assistant: tac"}, contents(convs[2]), "implicit prompt: chosen is the conversation")
	assert.Equal(t, "cta", convs[2].Metadata["rejected_reply"], "the shared prompt is not part of the rejected reply")
	assert.Equal(t, []string{
		"user: Hi there.", "assistant: Hello! How can I help?", "user: Tell me a fact about owls.",
		"assistant:  Owls can turn their heads about 270 degrees.",
	}, contents(convs[3]), "a transcript prompt is split into turns")
	assert.Equal(t, []int{2}, convs[3].FollowUps())
	assert.Equal(t, "preference", convs[0].Source)
	assert.Equal(t, "preference-trl.jsonl:1", convs[0].ID)
}

func TestReadPreferenceUltraFeedbackBinarized(t *testing.T) {
	convs, _ := readPreference(t, "preference-ultrafeedback-binarized.jsonl")
	require.Len(t, convs, 1)
	assert.Equal(t, "uf-b-1", convs[0].ID)
	assert.Equal(t, []string{"user: Give one synonym of happy.", "assistant: Joyful."}, contents(convs[0]), "the prompt repeated in chosen is not doubled")
	assert.Equal(t, "Sad.", convs[0].Metadata["rejected_reply"])
}

func TestReadPreferenceLLaMAFactoryRanking(t *testing.T) {
	convs, st := readPreference(t, "preference-llamafactory.json")
	require.Len(t, convs, 1)
	assert.Equal(t, []string{
		"system: You answer briefly.", "user: Convert 2 km to metres.", "assistant: 200 metres.",
		"user: That is wrong, check again.", "assistant: 2 km is 2000 metres.",
	}, contents(convs[0]))
	assert.Equal(t, "It is 20 metres.", convs[0].Metadata["rejected_reply"])
	assert.Equal(t, int64(1), st.FollowUps)
}

func TestReadPreferenceOpenAIFineTuning(t *testing.T) {
	convs, _ := readPreference(t, "preference-openai.jsonl")
	require.Len(t, convs, 1)
	assert.Equal(t, []string{"user: Suggest a name for a grey cat.", "assistant: Smokey."}, contents(convs[0]))
	assert.Equal(t, "Dog.", convs[0].Metadata["rejected_reply"])
}

func TestReadPreferenceKTO(t *testing.T) {
	convs, _ := readPreference(t, "preference-kto.jsonl")
	require.Len(t, convs, 2)
	assert.Equal(t, []string{"user: What is 3 times 3?", "assistant: 6"}, contents(convs[0]))
	assert.Equal(t, false, convs[0].Metadata["label"])
	assert.Equal(t, true, convs[1].Metadata["label"])
	assert.Equal(t, []string{"user: What is 2 plus 2?", "assistant: 4"}, contents(convs[1]))
}

func TestReadPreferenceAnchors(t *testing.T) {
	convs, _ := readPreference(t, "preference-anchors.jsonl")
	require.Len(t, convs, 2)
	assert.Equal(t, "anc-1", convs[0].ID)
	assert.Equal(t, []string{
		"user: Write a limerick about a frog.", "assistant: A frog is green.", "user: That is not a limerick.",
	}, contents(convs[0]), "without chosen: the exchange the anchor was mined from")
	assert.Equal(t, "anc-2", convs[1].ID)
	assert.Equal(t, []string{"user: Translate 'hello' to Spanish.", "assistant: Hola."}, contents(convs[1]))
	assert.Equal(t, "Bonjour.", convs[1].Metadata["rejected_reply"])
}

func TestHHRLHFForcedOnPreferenceRecordSaysWhy(t *testing.T) {
	r := NewReader(strings.NewReader(`{"prompt":[{"role":"user","content":"hi"}],"chosen":[{"role":"assistant","content":"hello"}],"rejected":[]}`+"\n"), "p.jsonl")
	r.Format = FormatHHRLHF
	r.Strict = true
	_, err := readAll(t, r)
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "%v", err)
	assert.Equal(t, ReasonWrongType, pe.Reason)
	assert.Contains(t, err.Error(), `"chosen" is a list`)
	assert.Contains(t, err.Error(), "preference")
	assert.NotContains(t, err.Error(), "Human:\" turn")
}

func TestPreferenceRecordWithoutReply(t *testing.T) {
	r := NewReader(strings.NewReader(`{"prompt":"hi","rejected":null,"chosen":null}`+"\n"), "p.jsonl")
	r.Strict = true
	_, err := readAll(t, r)
	assert.ErrorIs(t, err, ErrWrongType)
	assert.ErrorContains(t, err, "p.jsonl:1: wrong_type: preference record has no chosen")
}
