package conversation

import (
	"path/filepath"
	"testing"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadOpenAIUnusedFieldsOfOtherTypes(t *testing.T) {
	convs, st, err := readFile(t, filepath.Join(formatsDir, "openai-odd-fields.jsonl"), func(r *Reader) { r.Strict = true })
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Empty(t, st.Skipped)

	c := convs[0]
	assert.Equal(t, "odd-1", c.ID, "top-level conversation_id is the id")
	assert.Equal(t, "openai", c.Source, "a source object does not replace the format name")
	assert.Empty(t, c.Model)
	assert.Empty(t, c.Language)
	assert.True(t, c.Timestamp.IsZero())
	assert.JSONEq(t, `{"name":"helpdesk","version":2}`, string(c.Metadata["source"].(jsonx.RawMessage)))
	assert.JSONEq(t, `["m-small","m-large"]`, string(c.Metadata["model"].(jsonx.RawMessage)))
	assert.JSONEq(t, `"exported by hand"`, string(c.Metadata["metadata"].(jsonx.RawMessage)))
	assert.JSONEq(t, `{"seconds":1700000000}`, string(c.Metadata["timestamp"].(jsonx.RawMessage)))
	assert.Equal(t, "user assistant user", roles(c))
	assert.Equal(t, []int{2}, c.FollowUps())

	c = convs[1]
	assert.Equal(t, "openai-odd-fields.jsonl:2", c.ID, "an id object is no id")
	assert.JSONEq(t, `{"uuid":"abc"}`, string(c.Metadata["id"].(jsonx.RawMessage)))
	assert.Equal(t, "Translate 'cat' to French.", c.Messages[0].Content, `text part keyed "value"`)
	assert.Equal(t, "Chat.", c.Messages[1].Content, "reasoning, tool_call and image_url parts are not text")
	assert.Equal(t, "And to German?", c.Messages[2].Content)
}

func TestReadUnusedFieldOfOtherTypeNeededStillFails(t *testing.T) {
	// The messages themselves are needed: a wrong type there is still an error.
	_, st, err := readFile(t, filepath.Join("..", "testdata", "badinput", "openai-messages-string.jsonl"), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Skipped[ReasonWrongType])
}

func TestParquetUnusedFieldOfOtherType(t *testing.T) {
	type msg struct {
		Role    string `parquet:"role"`
		Content string `parquet:"content"`
	}
	type src struct {
		Name string `parquet:"name"`
	}
	type row struct {
		ID       string   `parquet:"id"`
		Source   src      `parquet:"source"`
		Language []string `parquet:"language,list"`
		Messages []msg    `parquet:"messages,list"`
	}
	rows := []row{
		{ID: "p1", Source: src{Name: "a"}, Language: []string{"en"}, Messages: []msg{{"user", "hi"}, {"assistant", "hello"}, {"user", "no, louder"}}},
		{ID: "p2", Source: src{Name: "b"}, Messages: []msg{{"user", "one"}, {"assistant", "two"}}},
	}
	convs, st, err := readParquetConversations(t, writeParquet(t, rows, 10), "odd.parquet", true)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Empty(t, st.Skipped)
	assert.Equal(t, "p1", convs[0].ID)
	assert.Equal(t, int64(1), st.FollowUps)
	assert.JSONEq(t, `{"name":"a"}`, string(convs[0].Metadata["source"].(jsonx.RawMessage)))
}
