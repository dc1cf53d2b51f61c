package conversation

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadChatGPTWithoutCurrentNode(t *testing.T) {
	convs, st, err := readFile(t, filepath.Join(formatsDir, "chatgpt-no-current-node.json"), func(r *Reader) { r.Strict = true })
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Equal(t, map[string]int64{"chatgpt-export": 2}, st.Formats)

	// The branch ending in the most recent message (a1b, the edited reply),
	// not the older one with the follow-up.
	c := convs[0]
	assert.Equal(t, "branchy", c.ID)
	assert.Equal(t, "user assistant", roles(c))
	assert.Equal(t, "Canberra.", c.Messages[1].Content)

	// Without times: the last child at every step.
	c = convs[1]
	assert.Equal(t, "user assistant user", roles(c))
	assert.Equal(t, "Louder.", c.Messages[2].Content)
}

func TestLatestLeafTies(t *testing.T) {
	p := func(s string) *string { return &s }
	m := map[string]chatGPTNode{
		"a": {},
		"b": {Parent: p("a"), Children: []string{"z"}},
		"c": {Parent: p("a")},
		"z": {Parent: p("b")},
	}
	m["a"] = chatGPTNode{Children: []string{"c", "b"}}
	assert.Equal(t, "z", latestLeaf(m), `no times: the last child in "children" order, then down`)
	assert.Equal(t, "", latestLeaf(nil))
}

func TestEmptyReplyKeepsFollowUp(t *testing.T) {
	convs, st, err := readFile(t, filepath.Join(formatsDir, "sharegpt-empty-reply.jsonl"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	c := convs[0]
	assert.Equal(t, "user assistant user assistant", roles(c), "the empty reply between two user turns is kept, the trailing blank one dropped")
	assert.Equal(t, "", c.Messages[1].Content)
	assert.Equal(t, []int{2}, c.FollowUps())
	assert.Equal(t, int64(1), st.EmptyMessages)
}

func TestOASSTRootlessTree(t *testing.T) {
	convs, st, err := readFile(t, filepath.Join(formatsDir, "oasst-rootless.jsonl"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	assert.Equal(t, "t2-a", convs[0].ID)
	assert.Equal(t, int64(3), st.Records)
	assert.Equal(t, map[string]int64{ReasonEmptyConversation: 1}, st.Skipped)

	_, _, err = readFile(t, filepath.Join(formatsDir, "oasst-rootless.jsonl"), func(r *Reader) { r.Strict = true })
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "%v", err)
	assert.Equal(t, 1, pe.Line)
	assert.Contains(t, pe.Error(), "has no root message in the input")
	assert.NotContains(t, pe.Error(), "deleted")
}
