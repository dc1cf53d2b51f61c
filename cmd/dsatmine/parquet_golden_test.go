package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/bench/realcorpus"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/internal/shareddata"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// Parquet layouts of the bundled samples, as Hugging Face publishes such
// logs. Each sample is written from the same Go values as JSON Lines and as
// Parquet, so the two files hold the same records.

type pqShareGPTTurn struct {
	From  string `parquet:"from" json:"from"`
	Value string `parquet:"value" json:"value"`
}

type pqShareGPT struct {
	ID            string           `parquet:"id" json:"id"`
	Conversations []pqShareGPTTurn `parquet:"conversations,list" json:"conversations"`
}

type pqOpenAIFunction struct {
	Name      string `parquet:"name" json:"name"`
	Arguments string `parquet:"arguments" json:"arguments"`
}

type pqOpenAIToolCall struct {
	ID       string           `parquet:"id" json:"id"`
	Type     string           `parquet:"type" json:"type"`
	Function pqOpenAIFunction `parquet:"function" json:"function"`
}

type pqOpenAIMessage struct {
	Role       string             `parquet:"role" json:"role"`
	Content    *string            `parquet:"content,optional" json:"content"`
	ToolCalls  []pqOpenAIToolCall `parquet:"tool_calls,list,optional" json:"tool_calls"`
	ToolCallID *string            `parquet:"tool_call_id,optional" json:"tool_call_id"`
}

type pqOpenAI struct {
	ID       string            `parquet:"id" json:"id"`
	Messages []pqOpenAIMessage `parquet:"messages,list" json:"messages"`
}

type pqWildChatTurn struct {
	Content        string  `parquet:"content" json:"content"`
	Language       string  `parquet:"language" json:"language"`
	Redacted       bool    `parquet:"redacted" json:"redacted"`
	Role           string  `parquet:"role" json:"role"`
	Timestamp      *string `parquet:"timestamp,optional" json:"timestamp"`
	Toxic          bool    `parquet:"toxic" json:"toxic"`
	TurnIdentifier int64   `parquet:"turn_identifier" json:"turn_identifier"`
	Country        *string `parquet:"country,optional" json:"country"`
	State          *string `parquet:"state,optional" json:"state"`
}

type pqWildChat struct {
	ConversationHash string           `parquet:"conversation_hash" json:"conversation_hash"`
	Model            string           `parquet:"model" json:"model"`
	Timestamp        string           `parquet:"timestamp" json:"timestamp"`
	Conversation     []pqWildChatTurn `parquet:"conversation,list" json:"conversation"`
	Turn             int64            `parquet:"turn" json:"turn"`
	Language         string           `parquet:"language" json:"language"`
	Toxic            bool             `parquet:"toxic" json:"toxic"`
	Redacted         bool             `parquet:"redacted" json:"redacted"`
	State            *string          `parquet:"state,optional" json:"state"`
	Country          *string          `parquet:"country,optional" json:"country"`
	HashedIP         string           `parquet:"hashed_ip" json:"hashed_ip"`
}

// readSample decodes the records of a JSON array or JSON Lines file.
func readSample[T any](t *testing.T, path string) []T {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var recs []T
	if strings.HasSuffix(path, ".json") {
		require.NoError(t, jsonx.Unmarshal(data, &recs))
		return recs
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r T
		require.NoError(t, jsonx.Unmarshal(sc.Bytes(), &r))
		recs = append(recs, r)
	}
	require.NoError(t, sc.Err())
	return recs
}

// writeBoth writes recs as JSON Lines and as Parquet (row groups of 7 rows,
// small pages) under dir and returns the two paths.
func writeBoth[T any](t *testing.T, dir, name string, recs []T) (jsonl, pq string) {
	t.Helper()
	var lines []byte
	for _, r := range recs {
		b, err := jsonx.Marshal(r)
		require.NoError(t, err)
		lines = append(append(lines, b...), '\n')
	}
	jsonl = filepath.Join(dir, name+".jsonl")
	require.NoError(t, os.WriteFile(jsonl, lines, 0o644))
	pq = filepath.Join(dir, name+".parquet")
	f, err := os.Create(pq)
	require.NoError(t, err)
	w := parquet.NewGenericWriter[T](f, parquet.MaxRowsPerRowGroup(7), parquet.PageBufferSize(8<<10))
	_, err = w.Write(recs)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	return jsonl, pq
}

// requireSameOutputs mines jsonl and pq in every golden mode and requires
// byte-identical anchors, events and statistics.
func requireSameOutputs(t *testing.T, jsonl, pq string) {
	t.Helper()
	for _, mode := range goldenModes {
		t.Run(mode.name, func(t *testing.T) {
			want := mineOutputs(t, mode.args, jsonl)
			got := mineOutputs(t, mode.args, pq)
			require.Contains(t, string(want["stats.json"]), `"conversations"`)
			for _, f := range []string{"anchors.jsonl", "events.jsonl", "stats.json"} {
				require.NotEmpty(t, want[f], f)
				require.Equal(t, string(want[f]), string(got[f]), "%s differs between JSON Lines and Parquet", f)
			}
		})
	}
}

// TestGoldenParquetMatchesJSONLines mines the bundled samples (and the real
// ShareGPT sample of ../shared/data when present) as JSON Lines and as
// Parquet: anchors, events and statistics must be byte-identical, whichever
// way the Parquet reader gets at the messages.
func TestGoldenParquetMatchesJSONLines(t *testing.T) {
	dir := t.TempDir()
	t.Run("sharegpt", func(t *testing.T) {
		jsonl, pq := writeBoth(t, dir, "sharegpt", readSample[pqShareGPT](t, "../../testdata/sample/sharegpt-sample.json"))
		requireSameOutputs(t, jsonl, pq)
	})
	t.Run("openai", func(t *testing.T) {
		var recs []pqOpenAI
		for i, r := range readSample[map[string]any](t, "../../testdata/sample/openai-sample.jsonl") {
			// Parquet has one type per column: contents given as parts
			// become their text, as the reader flattens them. The records
			// get ids (ids derived from the location differ: line, row).
			msgs := r["messages"].([]any)
			rec := pqOpenAI{ID: fmt.Sprintf("openai-%d", i)}
			for _, m := range msgs {
				m := m.(map[string]any)
				b, err := jsonx.Marshal(m)
				require.NoError(t, err)
				var msg pqOpenAIMessage
				if parts, ok := m["content"].([]any); ok {
					var texts []string
					for _, p := range parts {
						if s, ok := p.(map[string]any)["text"].(string); ok {
							texts = append(texts, s)
						}
					}
					delete(m, "content")
					b, err = jsonx.Marshal(m)
					require.NoError(t, err)
					s := strings.Join(texts, "\n")
					msg.Content = &s
				}
				require.NoError(t, jsonx.Unmarshal(b, &msg))
				rec.Messages = append(rec.Messages, msg)
			}
			recs = append(recs, rec)
		}
		jsonl, pq := writeBoth(t, dir, "openai", recs)
		requireSameOutputs(t, jsonl, pq)
	})
	t.Run("wildchat", func(t *testing.T) {
		jsonl, pq := writeBoth(t, dir, "wildchat", readSample[pqWildChat](t, "../../testdata/sample/wildchat-sample.jsonl"))
		requireSameOutputs(t, jsonl, pq)
	})
	t.Run("real-sharegpt", func(t *testing.T) {
		src := shareddata.Require(t, "real/sharegpt-sample.json")
		jsonl, pq := filepath.Join(dir, "real.jsonl"), filepath.Join(dir, "real.parquet")
		_, err := realcorpus.BuildFile(jsonl, src, 1)
		require.NoError(t, err)
		require.NoError(t, realcorpus.BuildParquetFile(pq, src, 1, 100))
		requireSameOutputs(t, jsonl, pq)
	})
}
