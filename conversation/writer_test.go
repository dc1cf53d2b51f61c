package conversation

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriterOutput(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	c := &Conversation{
		ID: "c1", Source: "wildchat", Model: "m", Language: "English",
		Timestamp: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Metadata:  map[string]any{"zeta": 1, "alpha": "<b>&</b>", "mid": true},
		Messages: []Message{
			{Role: User, Content: "hi <there> & 🙂", Index: 0},
			{Role: Assistant, Content: "", ToolCalls: []byte(`[{"id":"t1"}]`), Index: 1},
			{Role: Tool, Content: "42", Name: "t1", Index: 2},
		},
	}
	require.NoError(t, w.Write(c))
	require.NoError(t, w.Write(&Conversation{ID: "c2", Source: "openai", Messages: []Message{{Role: User, Content: "x"}}}))
	assert.Zero(t, buf.Len(), "buffered until Flush")
	require.NoError(t, w.Flush())
	want := `{"id":"c1","source":"wildchat","model":"m","language":"English","timestamp":"2024-05-06T07:08:09Z",` +
		`"metadata":{"alpha":"<b>&</b>","mid":true,"zeta":1},"messages":[{"role":"user","content":"hi <there> & 🙂"},` +
		`{"role":"assistant","content":"","tool_calls":[{"id":"t1"}]},{"role":"tool","content":"42","name":"t1"}]}` + "\n" +
		`{"id":"c2","source":"openai","messages":[{"role":"user","content":"x"}]}` + "\n"
	assert.Equal(t, want, buf.String())
}

// Every fixture converts to normalised JSONL that reads back to the same conversations.
func TestWriterRoundTrip(t *testing.T) {
	entries, err := os.ReadDir(formatsDir)
	require.NoError(t, err)
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			convs, _, err := readFile(t, filepath.Join(formatsDir, e.Name()), nil)
			require.NoError(t, err)
			var buf bytes.Buffer
			w := NewWriter(&buf)
			for _, c := range convs {
				require.NoError(t, w.Write(c))
			}
			require.NoError(t, w.Flush())
			first := buf.String()

			back, st, err := readAll2(t, NewReader(strings.NewReader(first), "norm.jsonl"))
			require.NoError(t, err)
			assert.Equal(t, map[string]int64{"openai": int64(len(convs))}, st.Formats)
			require.Len(t, back, len(convs))
			for i := range convs {
				assert.Equal(t, convs[i].ID, back[i].ID)
				assert.Equal(t, convs[i].Source, back[i].Source)
				assert.Equal(t, convs[i].Model, back[i].Model)
				assert.True(t, convs[i].Timestamp.Equal(back[i].Timestamp))
				require.Len(t, back[i].Messages, len(convs[i].Messages))
				for j, m := range convs[i].Messages {
					b := back[i].Messages[j]
					assert.Equal(t, m.Role, b.Role)
					assert.Equal(t, m.Content, b.Content)
					assert.Equal(t, m.Name, b.Name)
				}
			}
			// Writing what was read back gives identical bytes: the output is deterministic.
			var again bytes.Buffer
			w = NewWriter(&again)
			for _, c := range back {
				require.NoError(t, w.Write(c))
			}
			require.NoError(t, w.Flush())
			assert.Equal(t, first, again.String())
		})
	}
}
